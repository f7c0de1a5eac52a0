"""Peer comparison: load accounts + usage events from CSV and derive the usage features, with
csops (the release `data_layer_scale` binary) and with pandas, on the same files in the same run.

    python benches/peers/usage_features_pandas.py --book /tmp/csops-book-100000 [--csops target/release/data_layer_scale]

The book directory is one written by `data_layer_scale` (or `generate_book`). Only
`accounts.csv` and `usage_events.csv` are used: the script links them into a sub-directory so
both sides read exactly the same bytes and compute the same six usage features
(logins per user-week, DAU/MAU, breadth, seat utilisation, days since last activity, usage
change) as of the book's last event day. Prints wall time and peak RSS of each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

KEY = ["reports", "dashboards", "integrations", "automation", "api", "alerts", "exports", "sharing"]


def pandas_run(d: Path) -> tuple[float, int]:
    import numpy as np
    import pandas as pd

    t = time.perf_counter()
    acc = pd.read_csv(d / "accounts.csv", usecols=["id", "seats", "start_date"], dtype={"id": "string"})
    ev = pd.read_csv(d / "usage_events.csv", dtype={"account_id": "category", "user_id": "string", "feature": "category"})
    ts = pd.to_datetime(ev.timestamp, utc=True, format="ISO8601").dt.tz_localize(None)
    end = ts.max().floor("D") + pd.Timedelta(days=1)
    start, prev = end - pd.Timedelta(days=28), end - pd.Timedelta(days=56)
    w = ev[ts >= start].assign(day=ts[ts >= start].dt.floor("D"))
    active = w.groupby("account_id", observed=True).user_id.nunique()
    logins = w[w.feature == "login"].groupby("account_id", observed=True).size()
    breadth = w[w.feature.isin(KEY)].groupby("account_id", observed=True).feature.nunique() / len(KEY)
    user_days = w.drop_duplicates(["account_id", "user_id", "day"]).groupby("account_id", observed=True).size()
    last = ts.groupby(ev.account_id, observed=True).max()
    cur = w.groupby("account_id", observed=True).size()
    before = ev[(ts >= prev) & (ts < start)].groupby("account_id", observed=True).size()
    out = pd.DataFrame({"active": active, "logins": logins, "breadth": breadth, "user_days": user_days, "last": last, "cur": cur, "before": before})
    out["logins_per_user_week"] = (out.logins / out.active / 4).fillna(0)
    out["dau_mau"] = (out.user_days / (28 * out.active)).fillna(0)
    out = out.join(acc.set_index("id").seats)
    out["seat_utilisation"] = out.active / out.seats.where(out.seats > 0)
    out["days_since_last_activity"] = (end - pd.Timedelta(days=1) - out["last"].dt.floor("D")).dt.days
    out["usage_change_pct"] = np.where(out.before > 0, (out.cur.fillna(0) - out.before) / out.before * 100, np.nan)
    elapsed = time.perf_counter() - t
    assert len(out) > 0
    return elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def csops_run(binary: Path, d: Path) -> tuple[float, float, str]:
    res = subprocess.run([str(binary), "--dir", str(d)], capture_output=True, text=True, check=True)
    load = re.search(r"load \+ validate: ([\d.]+)(m?s)", res.stdout)
    feats = re.search(r"features as of [\d-]+: ([\d.]+)(m?s|µs)", res.stdout)

    def secs(m: re.Match[str]) -> float:
        return float(m.group(1)) / {"s": 1, "ms": 1e3, "µs": 1e6}[m.group(2)]

    return secs(load), secs(feats), res.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--book", type=Path, required=True)
    ap.add_argument("--csops", type=Path, default=Path("target/release/data_layer_scale"))
    a = ap.parse_args()
    sub = a.book / "usage-only"
    sub.mkdir(exist_ok=True)
    for f in ["accounts.csv", "usage_events.csv"]:
        link = sub / f
        if not link.exists():
            os.symlink((a.book / f).resolve(), link)
    size = sum((sub / f).stat().st_size for f in ["accounts.csv", "usage_events.csv"]) / 2**30
    c_load, c_feat, out = csops_run(a.csops, sub)
    peak = re.search(r"load \+ validate: .*?peak (\d+) MiB", out)
    print(out.strip())
    p_total, p_rss = pandas_run(sub)
    c_total = c_load + c_feat
    print(f"\n{size:.2f} GiB of CSV (accounts + usage events)")
    print(f"csops : load+validate {c_load:.2f}s + features {c_feat:.3f}s = {c_total:.2f}s, peak {peak.group(1) if peak else '?'} MiB")
    print(f"pandas: read_csv + the same features       = {p_total:.2f}s, peak {p_rss} MiB")
    print(f"ratio : csops is {p_total / c_total:.1f}x faster than pandas (pandas {pd_version()}, 1 core each)")


def pd_version() -> str:
    import pandas as pd

    return pd.__version__


if __name__ == "__main__":
    sys.exit(main())
