"""Reference test vectors for csops-core's retention module, computed with pandas.

What it produces
----------------
``tests/vectors/retention.json``: the ARR bridge, gross / net / logo retention
(whole cohort and cut by account attributes and start-quarter cohort), monthly / quarterly /
yearly retention series and trailing-twelve-months retention of a generated book, computed
here independently of the Rust code from the definitions in the module doc of
``csops-core/src/retention.rs``. ``csops-core/tests/retention_vectors.rs`` generates the same
book in memory and asserts that the Rust module agrees: every amount exactly (as a decimal
value), every count exactly, every rate within 1e-12 relative.

Two books are computed from the one generated directory:

``clean``
    the generated book as written: every account has monthly ARR snapshots, so ARR on a day
    is the latest snapshot on or before it, or the first snapshot's ARR between the start date
    and the first snapshot.
``fallbacks``
    the same book transformed (identically here and in the Rust test) so that every branch of
    "ARR on a day" and every movement kind occurs: accounts whose number (``A-00020`` -> 20) is
    divisible by 5 lose their ARR snapshots (ARR reconstructed from renewal outcomes), those
    divisible by 10 also lose their renewal outcomes (ARR = the account's current ARR from its
    start date), and for those divisible by 4 every zero-ARR snapshot dated on or after
    2026-05-01 is replaced by 1000.00 of the account's currency (win-backs, i.e. reactivation).

Definitions implemented (from the module doc)
---------------------------------------------
* ARR on a day: the account's latest ARR snapshot on or before it (``merge_asof``,
  ``direction="backward"``); between its start date and its first snapshot, the first
  snapshot's ARR; before its start date none. Without snapshots, from its renewal outcomes
  (``arr_before`` of the first one from the start date, ``arr_after`` of each from its date);
  without those either, its current ARR from its start date. Amounts convert into the FX
  table's reporting currency as ``amount * rate`` (the reporting currency at rate 1), exactly.
* Bridge (start against end): new = no ARR at the start and never before, some at the end;
  reactivation = none at the start but some on an earlier day, some at the end; expansion /
  contraction = ARR at both ends, higher / lower; churn = ARR at the start, none at the end.
* Retention over the cohort with ARR at the start: GRR = sum(min(end, start)) / sum(start),
  NRR = sum(end) / sum(start), logo = cohort accounts with ARR at the end / cohort accounts.
* Series: every complete calendar period within [from, to], from the last day of the previous
  period to the last day of the period (``pandas.period_range``). TTM: from the same day a year
  earlier (``pandas.DateOffset(months=12)``).

Amounts are ``decimal.Decimal`` throughout (never floats), under a context that traps any
inexact operation; they are written as normalised decimal strings. Rates are
``float(Decimal ratio)`` (division at 40 significant digits) and the logo rate
``float(retained) / float(logos)``; an empty cohort has ``null`` rates.

Regenerate (from the repository root)
-------------------------------------
    cargo run --release -p csops-core --example generate_book -- \\
        --accounts 600 --seed 7 --out /tmp/retention-book
    /tmp/refvenv/bin/python scripts/reference/retention_pandas.py \\
        --book /tmp/retention-book --accounts 600 --seed 7 \\
        > tests/vectors/retention.json

(``--accounts``/``--seed`` only record the generator parameters in the JSON, where the Rust
test reads them to generate the same book; every other ``SynthConfig`` setting is its
default.) The output is deterministic: the generator is deterministic for a seed and nothing
here is random.

Library versions used for the committed vectors (also recorded under "generated_with"):
    python 3.11.7, pandas 2.3.3, numpy 2.4.6
"""

import argparse
import datetime as dt
import decimal
import json
import platform
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

# Exact decimal arithmetic: any rounding in a sum, product or difference raises.
decimal.setcontext(
    decimal.Context(
        prec=80,
        traps=[decimal.Inexact, decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
    )
)
RATIO = decimal.Context(prec=40)
ZERO = Decimal(0)

# The generator defaults (csops_core::synth::SynthConfig::default()), recorded for the test.
SYNTH_DEFAULTS = {
    "start": "2024-10-01",
    "quarters": 8,
    "missing_rate": 0.05,
    "events_per_account_week": 5.0,
    "usage_days": 540,
    "existing_share": 0.6,
}

PERIODS = [
    ("2025-09-30", "2026-09-30"),  # the last year of the window
    ("2026-06-30", "2026-09-30"),  # the last quarter
    ("2024-12-31", "2025-06-30"),  # an early half-year
    ("2024-06-30", "2025-06-30"),  # starts before the first snapshots (first-snapshot fallback)
    ("2025-02-14", "2025-11-14"),  # mid-month days, between snapshots
]
SERIES = [
    ("quarter", "2025-01-01", "2026-09-30"),
    ("month", "2026-01-01", "2026-09-30"),
    ("year", "2024-01-01", "2025-12-31"),
]
TTM = ["2026-09-30", "2026-03-31", "2025-12-31"]
CUTS = ["segment", "region", "owner_csm", "attr.source", "currency", "start_cohort"]

FILES = [
    "accounts",
    "contacts",
    "contact_roles",
    "usage_events",
    "usage_snapshots",
    "tickets",
    "surveys",
    "meetings",
    "milestones",
    "opportunities",
    "arr_snapshots",
    "renewal_outcomes",
]


def dec_str(d: Decimal) -> str:
    """A normalised plain decimal string (``1000``, ``12.5``, ``0``)."""
    return format(d.normalize(), "f")


def dsum(s: pd.Series) -> Decimal:
    return sum(s.tolist(), ZERO)


def read_csv(book: Path, name: str) -> pd.DataFrame:
    # Everything as text; only the empty string is missing (so region "NA" stays "NA").
    return pd.read_csv(book / f"{name}.csv", dtype=str, keep_default_na=False, na_values=[])


def as_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[ns]")


def ts(day: str) -> pd.Timestamp:
    return pd.Timestamp(day)


class Book:
    """The tables retention needs, amounts as Decimal in the reporting currency."""

    def __init__(self, accounts, snapshots, outcomes, fx):
        self.fx = fx
        self.reporting = fx["reporting"]
        rates = fx["rates"]
        conv = lambda amount, cur: (amount * rates[cur])  # noqa: E731  exact: traps Inexact

        a = accounts.copy()
        a["pos"] = np.arange(len(a))
        a["start_date"] = as_date(a["start_date"])
        a["arr"] = [conv(Decimal(x), c) for x, c in zip(a["arr"], a["currency"])]
        a["start_cohort"] = a["start_date"].dt.to_period("Q").map(lambda p: f"{p.year}-Q{p.quarter}")
        self.accounts = a.rename(columns={"id": "account_id"})

        s = snapshots.copy()
        s["date"] = as_date(s["date"])
        s["value"] = [conv(Decimal(x), c) for x, c in zip(s["arr"], s["currency"])]
        s["seq"] = np.arange(len(s))
        o = outcomes.copy()
        o["renewal_date"] = as_date(o["renewal_date"])
        o["before"] = [conv(Decimal(x), c) for x, c in zip(o["arr_before"], o["currency"])]
        o["after"] = [conv(Decimal(x), c) for x, c in zip(o["arr_after"], o["currency"])]
        o["seq"] = np.arange(len(o))
        self.steps = self._steps(s, o)

    def _steps(self, s: pd.DataFrame, o: pd.DataFrame) -> pd.DataFrame:
        """Every account's ARR step function: (account_id, date, value from that date)."""
        acc = self.accounts[["account_id", "start_date", "arr"]]
        # 1. Accounts with snapshots: the snapshots, plus the first one's ARR from the start date
        #    when the account started before it.
        snap = s.sort_values(["account_id", "date", "seq"], kind="stable")
        first = snap.groupby("account_id", sort=False).head(1).merge(acc, on="account_id")
        lead = first.loc[first["start_date"] < first["date"], ["account_id", "start_date", "value"]]
        lead = lead.rename(columns={"start_date": "date"}).assign(rank=0, seq=-1)
        snap_steps = snap[["account_id", "date", "value", "seq"]].assign(rank=1)
        with_snaps = set(snap["account_id"])
        # 2. Accounts without snapshots but with renewal outcomes.
        outs = o[~o["account_id"].isin(with_snaps)]
        outs = outs.sort_values(["account_id", "renewal_date", "seq"], kind="stable")
        first_o = outs.groupby("account_id", sort=False).head(1).merge(acc, on="account_id")
        open_o = first_o[["account_id", "start_date", "before"]].rename(
            columns={"start_date": "date", "before": "value"}
        )
        open_o = open_o.assign(rank=0, seq=-1)
        after_o = outs[["account_id", "renewal_date", "after", "seq"]].rename(
            columns={"renewal_date": "date", "after": "value"}
        )
        after_o = after_o.assign(rank=1)
        with_outs = set(outs["account_id"])
        # 3. Neither: the account's current ARR from its start date.
        bare = acc[~acc["account_id"].isin(with_snaps | with_outs)]
        bare = bare.rename(columns={"start_date": "date", "arr": "value"}).assign(rank=0, seq=-1)
        steps = pd.concat([lead, snap_steps, open_o, after_o, bare], ignore_index=True)
        steps = steps.sort_values(["account_id", "date", "rank", "seq"], kind="stable")
        # Several steps on one day: the last one holds from that day.
        steps = steps.drop_duplicates(["account_id", "date"], keep="last")
        self.branch = {
            "snapshots": len(with_snaps),
            "snapshots_with_lead_in": len(lead),
            "renewal_outcomes": len(with_outs),
            "account_arr": len(bare),
        }
        return steps[["account_id", "date", "value"]].sort_values("date", kind="stable")

    def arr_at(self, query: pd.DataFrame) -> pd.Series:
        """ARR at the end of `query.day` for each (account_id, day) row, in query order."""
        q = query.assign(_row=np.arange(len(query)), day=query["day"].astype("datetime64[ns]"))
        q = q.sort_values("day", kind="stable")
        q = q.merge(self.accounts[["account_id", "start_date"]], on="account_id", how="left")
        m = pd.merge_asof(
            q, self.steps, left_on="day", right_on="date", by="account_id", direction="backward"
        )
        value = m["value"].where(m["value"].notna() & (m["day"] >= m["start_date"]), ZERO)
        value.index = m["_row"].to_numpy()
        return value.sort_index().reset_index(drop=True)

    def arr_on(self, day: pd.Timestamp) -> pd.Series:
        """Every account's ARR at the end of `day`, in book order."""
        q = pd.DataFrame({"account_id": self.accounts["account_id"], "day": day})
        return self.arr_at(q)

    def had_arr_by(self, day: pd.Timestamp) -> pd.Series:
        """Whether each account had ARR on some day on or before `day` (book order): the step
        in force on its start date, or any later step up to `day`, is positive."""
        acc = self.accounts
        at_start = self.arr_at(pd.DataFrame({"account_id": acc["account_id"], "day": acc["start_date"]}))
        later = self.steps.merge(acc[["account_id", "start_date"]], on="account_id")
        later = later[(later["date"] > later["start_date"]) & (later["date"] <= day)]
        positive_later = set(later.loc[later["value"] > 0, "account_id"])
        ever = (at_start > 0).to_numpy() | acc["account_id"].isin(positive_later).to_numpy()
        return pd.Series(ever & (acc["start_date"] <= day).to_numpy())


def frame(book: Book, start: str, end: str) -> pd.DataFrame:
    f, t = ts(start), ts(end)
    df = book.accounts.copy()
    df["s"] = book.arr_on(f).to_numpy()
    df["e"] = book.arr_on(t).to_numpy()
    df["ever"] = book.had_arr_by(f).to_numpy()
    return df


def bridge(book: Book, start: str, end: str) -> dict:
    df = frame(book, start, end)
    s_pos = (df["s"] > 0).to_numpy(bool)
    e_pos = (df["e"] > 0).to_numpy(bool)
    gt = (df["e"] > df["s"]).to_numpy(bool)
    lt = (df["e"] < df["s"]).to_numpy(bool)
    ever = df["ever"].to_numpy(bool)
    df["kind"] = np.select(
        [~s_pos & ~e_pos, ~s_pos & ever, ~s_pos, ~e_pos, gt, lt],
        ["none", "reactivation", "new", "churn", "expansion", "contraction"],
        default="flat",
    )
    df["delta"] = [e - s for s, e in zip(df["s"], df["e"])]
    moved = df[df["kind"] != "none"]
    by = {k: g for k, g in moved.groupby("kind")}
    empty = moved.iloc[0:0]
    g = lambda k: by.get(k, empty)  # noqa: E731
    out = {
        "start": dsum(moved["s"]),
        "new": dsum(g("new")["e"]),
        "expansion": dsum(g("expansion")["delta"]),
        "contraction": dsum(g("contraction")["s"]) - dsum(g("contraction")["e"]),
        "churn": dsum(g("churn")["s"]),
        "reactivation": dsum(g("reactivation")["e"]),
        "end": dsum(moved["e"]),
    }
    recon = (
        out["start"] + out["new"] + out["expansion"] - out["contraction"] - out["churn"]
        + out["reactivation"]
    )
    assert recon == out["end"], (start, end, recon, out["end"])
    counts = moved["kind"].value_counts()
    res = {k: dec_str(v) for k, v in out.items()}
    res.update(
        logos_start=int(s_pos.sum()),
        logos_new=int(counts.get("new", 0)),
        logos_churned=int(counts.get("churn", 0)),
        logos_reactivated=int(counts.get("reactivation", 0)),
        logos_end=int(e_pos.sum()),
        accounts_listed=len(moved),
        movement_counts={
            k: int(counts.get(k, 0))
            for k in ["flat", "new", "expansion", "contraction", "churn", "reactivation"]
        },
    )
    return res


def ratio(a: Decimal, b: Decimal):
    return None if b == 0 else float(RATIO.divide(a, b))


def cohort_rates(df: pd.DataFrame, key) -> pd.DataFrame:
    """Retention per value of `key` (a column, or None for everyone), labels sorted."""
    df = df.copy()
    df["label"] = "all" if key is None else df[key]
    cohort = (df["s"] > 0).to_numpy(bool)
    e = df["e"].where(df["e"] > 0, ZERO)  # no negative ARR at the end
    df["c_logo"] = cohort.astype(int)
    df["c_kept"] = (cohort & (e > 0).to_numpy(bool)).astype(int)
    df["c_start"] = df["s"].where(cohort, ZERO)
    df["c_retained"] = e.where(e < df["s"], df["s"]).where(cohort, ZERO)
    df["c_end"] = e.where(cohort, ZERO)
    rows = []
    for label, g in df.groupby("label", sort=True):
        logos, kept = int(g["c_logo"].sum()), int(g["c_kept"].sum())
        start, kept_arr, end = dsum(g["c_start"]), dsum(g["c_retained"]), dsum(g["c_end"])
        rows.append(
            {
                "label": label,
                "logos": logos,
                "logos_retained": kept,
                "start_arr": dec_str(start),
                "retained_arr": dec_str(kept_arr),
                "end_arr": dec_str(end),
                "grr": ratio(kept_arr, start),
                "nrr": ratio(end, start),
                "logo_retention": None if logos == 0 else kept / logos,
            }
        )
    return rows


def cut_column(df: pd.DataFrame, cut: str) -> pd.Series:
    if cut == "start_cohort":
        return df["start_cohort"]
    return df[cut].where(df[cut] != "", "none")


def retention(book: Book, start: str, end: str, label="all") -> dict:
    r = cohort_rates(frame(book, start, end), None)[0]
    r["label"] = label
    return r


def retention_by(book: Book, start: str, end: str) -> dict:
    df = frame(book, start, end)
    out = {}
    for cut in CUTS:
        df["_cut"] = cut_column(df, cut)
        out[cut] = cohort_rates(df, "_cut")
    return out


FREQ = {"month": "M", "quarter": "Q", "year": "Y"}


def series(book: Book, period: str, start: str, end: str) -> list:
    f, t = ts(start), ts(end)
    rows = []
    for p in pd.period_range(f, t, freq=FREQ[period]):
        first, last = p.start_time.normalize(), p.end_time.normalize()
        if first < f or last > t:
            continue  # only complete periods within [from, to]
        label = {
            "month": f"{p.year}-{p.month:02d}",
            "quarter": f"{p.year}-Q{p.quarter}",
            "year": f"{p.year}",
        }[period]
        prev_end = first - pd.Timedelta(days=1)
        r = retention(book, prev_end.date().isoformat(), last.date().isoformat(), label)
        r["from"], r["to"] = prev_end.date().isoformat(), last.date().isoformat()
        rows.append(r)
    return rows


def ttm(book: Book, as_of: str) -> dict:
    start = (ts(as_of) - pd.DateOffset(months=12)).date().isoformat()
    r = retention(book, start, as_of, "ttm")
    r["from"], r["to"] = start, as_of
    return r


def compute(name, transform, accounts, snaps, outs, fx) -> dict:
    book = Book(accounts, snaps, outs, fx)
    return {
        "name": name,
        "transform": transform,
        "arr_on_day_branches": book.branch,
        "periods": [
            {
                "from": a,
                "to": b,
                "bridge": bridge(book, a, b),
                "retention": retention(book, a, b),
                "cuts": retention_by(book, a, b),
            }
            for a, b in PERIODS
        ],
        "series": [
            {"period": p, "from": a, "to": b, "rows": series(book, p, a, b)} for p, a, b in SERIES
        ],
        "ttm": [ttm(book, d) for d in TTM],
    }


def account_number(ids: pd.Series) -> pd.Series:
    return ids.str.removeprefix("A-").astype(int)


def fallbacks(accounts, snaps, outs):
    """The `fallbacks` transform (see the module docstring)."""
    n = account_number(snaps["account_id"])
    snaps = snaps.copy()
    win_back = (n % 4 == 0) & (as_date(snaps["date"]) >= ts("2026-05-01"))
    win_back &= snaps["arr"].map(Decimal) == 0
    snaps.loc[win_back, "arr"] = "1000.00"
    snaps = snaps[account_number(snaps["account_id"]) % 5 != 0]
    outs = outs[account_number(outs["account_id"]) % 10 != 0]
    return accounts, snaps, outs, int(win_back[n % 5 != 0].sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--book", required=True, type=Path, help="directory written by generate_book")
    ap.add_argument("--accounts", required=True, type=int, help="the generator's --accounts")
    ap.add_argument("--seed", required=True, type=int, help="the generator's --seed")
    args = ap.parse_args()

    tables = {f: read_csv(args.book, f) for f in FILES}
    fxt = read_csv(args.book, "fx_rates")
    reporting = sorted(set(fxt["reporting_currency"]))
    assert len(reporting) == 1, reporting
    rates = {reporting[0]: Decimal(1)}
    rates.update({c: Decimal(r) for c, r in zip(fxt["currency"], fxt["rate"])})
    fx = {"reporting": reporting[0], "rates": rates}
    assert len(tables["accounts"]) == args.accounts

    # The latest date of any record (Book::latest_date), to check the window.
    dates = [
        pd.to_datetime(tables["usage_events"]["timestamp"], utc=True).dt.tz_localize(None).dt.normalize(),
        as_date(tables["tickets"]["opened"]),
        as_date(tables["tickets"]["closed"][tables["tickets"]["closed"] != ""]),
        as_date(tables["surveys"]["date"]),
        as_date(tables["meetings"]["date"]),
        as_date(tables["usage_snapshots"]["period_end"]),
        as_date(tables["arr_snapshots"]["date"]),
        as_date(tables["renewal_outcomes"]["renewal_date"]),
    ]
    latest = max(d.max() for d in dates).date().isoformat()
    for _, b in PERIODS:
        assert b <= latest, (b, latest)

    accounts, snaps, outs = (
        tables["accounts"],
        tables["arr_snapshots"],
        tables["renewal_outcomes"],
    )
    fa, fs, fo, wins = fallbacks(accounts, snaps, outs)
    out = {
        "what": "ARR bridge and retention of a generated book, computed with pandas from the "
        "definitions in csops-core/src/retention.rs (scripts/reference/retention_pandas.py)",
        "generated_with": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "generator": {"accounts": args.accounts, "seed": args.seed, **SYNTH_DEFAULTS},
        "counts": {f: len(t) for f, t in tables.items()},
        "latest_date": latest,
        "reporting_currency": fx["reporting"],
        "fx_rates": {c: dec_str(r) for c, r in sorted(rates.items())},
        # Totals of the raw amounts per currency: the book read here is the book generated.
        "raw_totals": {
            name: {
                c: dec_str(dsum(g[col].map(Decimal)))
                for c, g in sorted(tables[table].groupby("currency"))
            }
            for name, table, col in [
                ("account_arr", "accounts", "arr"),
                ("arr_snapshots", "arr_snapshots", "arr"),
                ("renewal_arr_after", "renewal_outcomes", "arr_after"),
            ]
        },
        "books": [
            compute("clean", None, accounts, snaps, outs, fx),
            compute(
                "fallbacks",
                {
                    "drop_snapshots_if_account_number_divisible_by": 5,
                    "drop_renewal_outcomes_if_account_number_divisible_by": 10,
                    "win_back_if_account_number_divisible_by": 4,
                    "win_back_from": "2026-05-01",
                    "win_back_arr": "1000.00",
                    "win_back_snapshots_changed": wins,
                },
                fa,
                fs,
                fo,
                fx,
            ),
        ],
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
