"""Point-in-time features agree with an independent pandas implementation.

The sample book is loaded leniently (dropping its deliberately bad rows), written back out as
clean CSV, and every feature is recomputed from those CSV files with pandas alone, following
the definitions in docs/data-layer.md, at several as-of dates.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

import csops

pd = pytest.importorskip("pandas", reason="pandas is installed by scripts/test-python.sh; needed for the cross-check")
np = pytest.importorskip("numpy")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample-book"
KEY_FEATURES = ["reports", "dashboards", "integrations", "automation", "api", "alerts", "exports", "sharing"]


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory):
    assert (SAMPLE / "accounts.csv").exists(), "data/sample-book/ ships with the repository"
    book = csops.load_book(SAMPLE, mode="lenient")
    out = tmp_path_factory.mktemp("clean-book")
    book.write_csv(out)
    return out


def pandas_features(d: Path, as_of: dt.date) -> pd.DataFrame:
    day = pd.Timestamp(as_of)
    end = day + pd.Timedelta(days=1)
    accounts = pd.read_csv(d / "accounts.csv", dtype={"id": str}, parse_dates=["start_date", "renewal_date"])
    outcomes = pd.read_csv(d / "renewal_outcomes.csv", parse_dates=["renewal_date"])
    churned = set(outcomes[(outcomes.outcome == "churned") & (outcomes.renewal_date <= day)].account_id)
    acc = accounts[(accounts.start_date <= day) & ~accounts.id.isin(churned)].set_index("id")
    out = pd.DataFrame(index=acc.index)

    ev = pd.read_csv(d / "usage_events.csv", dtype={"account_id": str, "user_id": str})
    ev["ts"] = pd.to_datetime(ev.timestamp, utc=True, format="ISO8601").dt.tz_localize(None)
    ev = ev[ev.ts < end]
    has_usage = ev.groupby("account_id").size().reindex(out.index).notna()
    w = ev[ev.ts >= end - pd.Timedelta(days=28)]
    prev = ev[(ev.ts < end - pd.Timedelta(days=28)) & (ev.ts >= end - pd.Timedelta(days=56))]
    active = w.groupby("account_id").user_id.nunique().reindex(out.index).fillna(0)
    logins = w[w.feature == "login"].groupby("account_id").size().reindex(out.index).fillna(0)
    out["logins_per_user_week"] = np.where(active > 0, logins / active.where(active > 0, 1) / 4.0, 0.0)
    breadth = w[w.feature.isin(KEY_FEATURES)].groupby("account_id").feature.nunique().reindex(out.index).fillna(0) / 8
    out["feature_breadth"] = breadth
    w_days = w.assign(day=w.ts.dt.floor("D"))
    user_days = w_days.groupby("account_id")[["user_id", "day"]].apply(lambda g: len(g.drop_duplicates())).reindex(out.index).fillna(0)
    out["dau_mau"] = np.where(active > 0, user_days / (28 * active.where(active > 0, 1)), 0.0)
    seats = acc.seats
    out["seat_utilisation"] = np.where(seats.notna() & (seats > 0), active / seats, np.nan)
    last = ev.groupby("account_id").ts.max().reindex(out.index)
    out["days_since_last_activity"] = (day - last.dt.floor("D")).dt.days
    cur_n = w.groupby("account_id").size().reindex(out.index).fillna(0)
    prev_n = prev.groupby("account_id").size().reindex(out.index).fillna(0)
    change = np.where(prev_n > 0, (cur_n - prev_n) / prev_n.where(prev_n > 0, 1) * 100, np.where(cur_n > 0, np.nan, 0.0))
    out["usage_change_pct"] = change
    for c in ["logins_per_user_week", "feature_breadth", "dau_mau", "seat_utilisation", "days_since_last_activity", "usage_change_pct"]:
        out.loc[~has_usage, c] = np.nan

    t = pd.read_csv(d / "tickets.csv", parse_dates=["opened", "closed"])
    t = t[t.opened <= day]
    out["tickets_opened"] = t[t.opened >= day - pd.Timedelta(days=89)].groupby("account_id").size().reindex(out.index).fillna(0)
    open_high = t[(t.closed.isna() | (t.closed > day)) & t.priority.isin(["high", "urgent"])]
    out["open_high_priority_tickets"] = open_high.groupby("account_id").size().reindex(out.index).fillna(0)
    s = pd.read_csv(d / "surveys.csv", parse_dates=["date"])
    s = s[s.date <= day]
    nps = s[(s.kind == "nps") & (s.date >= day - pd.Timedelta(days=179))]
    g = nps.groupby("account_id").score
    out["nps"] = ((g.apply(lambda x: (x >= 9).sum()) - g.apply(lambda x: (x <= 6).sum())) / g.size() * 100).reindex(out.index)
    csat_from = day - pd.Timedelta(days=89)
    tc = t[t.closed.notna() & (t.closed <= day) & (t.closed >= csat_from) & t.csat.notna()][["account_id", "csat"]]
    sc = s[(s.kind == "csat") & (s.date >= csat_from)][["account_id", "score"]].rename(columns={"score": "csat"})
    out["avg_csat"] = pd.concat([tc, sc]).groupby("account_id").csat.mean().reindex(out.index)

    contacts = pd.read_csv(d / "contacts.csv")
    roles = pd.read_csv(d / "contact_roles.csv", parse_dates=["added", "removed"]).merge(
        contacts[["id", "account_id"]], left_on="contact_id", right_on="id"
    )
    held = roles[(roles.added <= day) & (roles.removed.isna() | (roles.removed > day))]
    for role, col in [("executive_sponsor", "exec_sponsor_present"), ("champion", "champion_present")]:
        out[col] = out.index.isin(held[held.role == role].account_id).astype(float)
    m = pd.read_csv(d / "meetings.csv", parse_dates=["date"])
    m = m[m.kind.isin(["ebr", "qbr"]) & (m.date <= day)]
    out["days_since_last_ebr"] = (day - m.groupby("account_id").date.max().reindex(out.index)).dt.days
    ms = pd.read_csv(d / "milestones.csv", parse_dates=["due", "achieved"])
    due = ms[ms.due <= day].assign(ok=lambda x: x.achieved.notna() & (x.achieved <= day))
    out["milestones_achieved_share"] = due.groupby("account_id").ok.mean().reindex(out.index)
    return out


@pytest.mark.parametrize("offset_days", [0, 90, 365])
def test_features_match_pandas(clean_dir, offset_days):
    book = csops.load_book(clean_dir)
    as_of = book.latest_date() - dt.timedelta(days=offset_days)
    frame = book.features_as_of(as_of)
    expected = pandas_features(clean_dir, as_of)
    assert list(frame.account_ids) == list(expected.index)
    checked = 0
    for col in expected.columns:
        got = frame.column(col)
        want = expected[col].to_numpy(dtype=float)
        for i, (g, w) in enumerate(zip(got, want)):
            if math.isnan(w):
                assert math.isnan(g), f"{col} of {frame.account_ids[i]}: csops {g}, pandas missing"
            else:
                assert g == pytest.approx(w, rel=1e-9, abs=1e-9), f"{col} of {frame.account_ids[i]} as of {as_of}"
            checked += 1
    assert checked > 1000
