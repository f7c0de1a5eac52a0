"""Peer comparison for the data layer: read accounts + usage events from CSV and derive the six
usage features, with csops (the release `data_layer_scale` binary) and with pandas, polars and
DuckDB, on the same files; every peer's answer is checked against csops' before anything is timed.

    target/py-venv/bin/python benches/peers/usage_features_peers.py --book /tmp/csops-book-100000 \
        [--csops target/release/data_layer_scale] [--rounds 2] [--peers pandas,polars,duckdb]

Needs pandas, polars, duckdb and pyarrow. First csops writes its features (`--features-out`);
each peer computes them in a child process and must agree with them, else the script stops
before timing, naming the first account and feature that differ: the same accounts, missing in
the same places, values equal within 1e-9 relative, the same as-of day. A feature missing from
csops' CSV stops it too.

The book directory is one written by `data_layer_scale` (or `generate_book`). Only
`accounts.csv` and `usage_events.csv` are used: they are linked into `BOOK/usage-only/`, so every
side reads the same bytes. With no other feed in that directory the as-of day csops uses
(`Book::latest_date`) is the UTC day of the last usage event; each peer finds it the same way,
and the check compares it too.

Definitions (csops-core/src/features, default `FeatureConfig`). W = 28 days; the usage window is
[as_of - 27, as_of] by UTC day (timestamps are RFC 3339, Z or an offset, read as instants); the
previous window is the 28 days before it. A user is a user id within one account. The DAU/MAU
window is also 28 days, so MAU = the active users (users with an event) of the usage window.
Rows: every account whose start_date <= as_of, whether it has events or not, and no other
(churned accounts are dropped too, but without renewal_outcomes.csv none are known). Per row:

    logins_per_user_week      `login` events in the window / active users / (W/7); 0 if none active
    dau_mau                   distinct (user, day) in the window / (W * active users); 0 if none
    feature_breadth           distinct key features (KEY below) used in the window / 8
    seat_utilisation          active users / seats; missing if seats is empty or 0
    days_since_last_activity  as_of - UTC day of the last event (whole days)
    usage_change_pct          (cur - prev) / prev * 100 over event counts; 0 if both are 0,
                              missing if prev = 0 < cur

Every feature is missing (an empty cell in csops' CSV) for an account with no usage event at all;
otherwise only seat_utilisation and usage_change_pct can be missing, as above. Nothing is
validated beyond what this needs (csops' load reports 0 problems on generated books).

Each run is its own process: csops at --threads 1 and 2 (seconds = its load + validate and
features phases, peak = the larger of the two phase peaks it prints, since it resets the kernel's
high-water mark per phase), pandas (one thread), polars at POLARS_MAX_THREADS=1 and 2, DuckDB at
`SET threads` 1 and 2 (seconds = reading both files through the features, after imports; peak =
the child's ru_maxrss, interpreter and imports included). `cpu s` is the child's user + system
CPU time, whole process. The ratio is of times, against csops at the same thread count (pandas
against csops at 1). Timings on a shared 2-core machine are noisy: use --rounds, compare rounds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEY = ["reports", "dashboards", "integrations", "automation", "api", "alerts", "exports", "sharing"]
W = 28
FEATURES = ["logins_per_user_week", "dau_mau", "feature_breadth", "seat_utilisation",
            "days_since_last_activity", "usage_change_pct"]
THREADS = {"csops": [1, 2], "pandas": [1], "polars": [1, 2], "duckdb": [1, 2]}


def pandas_features(d: Path, threads: int):
    import pandas as pd

    t0 = time.perf_counter()
    acc = pd.read_csv(d / "accounts.csv", usecols=["id", "seats", "start_date"],
                      dtype={"id": "string", "seats": "float64"}, parse_dates=["start_date"])
    ev = pd.read_csv(d / "usage_events.csv", dtype={
        "account_id": "category", "user_id": "category", "feature": "category"})
    day = pd.to_datetime(ev.pop("timestamp"), utc=True, format="ISO8601").dt.floor("D")
    ev["day"] = day.dt.tz_localize(None)
    as_of = ev.day.max()
    start, prev_start = as_of - pd.Timedelta(days=W - 1), as_of - pd.Timedelta(days=2 * W - 1)
    cur = ev[ev.day >= start]
    by = cur.groupby("account_id", observed=True)
    agg = pd.DataFrame({
        "last": ev.groupby("account_id", observed=True).day.max(),
        "cur": by.size(),
        "prev": ev[(ev.day >= prev_start) & (ev.day < start)].groupby(
            "account_id", observed=True).size(),
        "active": by.user_id.nunique(),
        "logins": (cur.feature == "login").groupby(cur.account_id, observed=True).sum(),
        "keys": cur.feature.where(cur.feature.isin(KEY)).groupby(
            cur.account_id, observed=True).nunique(),
        "user_days": cur.drop_duplicates(["account_id", "user_id", "day"]).groupby(
            "account_id", observed=True).size(),
    })
    agg.index = agg.index.astype("string")
    acc = acc[acc.start_date <= as_of].set_index("id")
    a = agg.reindex(acc.index)
    has = a["last"].notna()
    n = a.drop(columns="last").fillna(0).where(has)  # counts: 0 with events, NaN without
    out = pd.DataFrame({
        "logins_per_user_week": (n.logins / n.active / (W / 7)).where(n.active > 0, 0.0),
        "dau_mau": (n.user_days / (W * n.active)).where(n.active > 0, 0.0),
        "feature_breadth": n["keys"] / len(KEY),
        "seat_utilisation": n.active / acc.seats.where(acc.seats > 0),
        "days_since_last_activity": (as_of - a["last"]).dt.days,
        "usage_change_pct": ((n.cur - n.prev) / n.prev * 100).where(n.prev > 0)
        .mask((n.prev == 0) & (n.cur == 0), 0.0),
    }).where(has).rename_axis("account_id").reset_index()
    return time.perf_counter() - t0, as_of.date(), out


def polars_features(d: Path, threads: int):
    import polars as pl

    t0 = time.perf_counter()
    ev = pl.read_csv(d / "usage_events.csv", infer_schema=False,  # all String
                     columns=["account_id", "user_id", "feature", "timestamp"]).select(
        "account_id", "user_id", "feature",
        day=pl.col("timestamp").str.to_datetime("%+", time_zone="UTC").dt.date(),
    )
    as_of = ev["day"].max()
    start, prev_start = as_of - dt.timedelta(W - 1), as_of - dt.timedelta(2 * W - 1)
    in_cur = pl.col("day") >= start
    agg = ev.lazy().group_by("account_id").agg(
        last=pl.col("day").max(),
        cur=in_cur.sum().cast(pl.Int64),
        prev=((pl.col("day") >= prev_start) & ~in_cur).sum().cast(pl.Int64),
        active=pl.col("user_id").filter(in_cur).n_unique(),
        logins=(in_cur & (pl.col("feature") == "login")).sum(),
        keys=pl.col("feature").filter(in_cur & pl.col("feature").is_in(KEY)).n_unique(),
        user_days=pl.struct("user_id", "day").filter(in_cur).n_unique(),
    )
    acc = pl.scan_csv(d / "accounts.csv", infer_schema=False).select(
        account_id="id", seats=pl.col("seats").cast(pl.Int64),
        start_date=pl.col("start_date").str.to_date("%Y-%m-%d"),
    ).filter(pl.col("start_date") <= as_of)
    c = pl.col
    has = c("last").is_not_null()
    out = acc.join(agg, on="account_id", how="left", maintain_order="left").select(
        "account_id",
        logins_per_user_week=pl.when(c("active") > 0)
        .then(c("logins") / c("active") / (W / 7)).when(has).then(0.0),
        dau_mau=pl.when(c("active") > 0).then(c("user_days") / (W * c("active")))
        .when(has).then(0.0),
        feature_breadth=c("keys") / len(KEY),
        seat_utilisation=pl.when(c("seats") > 0).then(c("active") / c("seats")),
        days_since_last_activity=(pl.lit(as_of) - c("last")).dt.total_days().cast(pl.Float64),
        usage_change_pct=pl.when(c("prev") > 0).then((c("cur") - c("prev")) / c("prev") * 100)
        .when(c("cur") == 0).then(0.0),
    ).collect()
    return time.perf_counter() - t0, as_of, out


def duckdb_features(d: Path, threads: int):
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    keys = ", ".join(f"'{k}'" for k in KEY)
    rel = con.sql(f"""
        WITH ev AS (
            -- not `timestamp::DATE`: DuckDB 2.0.1 pushes that cast into the CSV reader, which
            -- then reads the text's local date and drops the offset
            SELECT account_id, user_id, feature, (timestamp AT TIME ZONE 'UTC')::DATE AS day
            FROM read_csv('{d / "usage_events.csv"}', header = true, types = {{
                'account_id': 'VARCHAR', 'user_id': 'VARCHAR', 'feature': 'VARCHAR',
                'timestamp': 'TIMESTAMPTZ'}})),
        b AS (SELECT max(day) AS as_of FROM ev),
        agg AS (
            SELECT account_id, max(day) AS last,
                count(*) FILTER (day > as_of - {W}) AS cur,
                count(*) FILTER (day <= as_of - {W} AND day > as_of - {2 * W}) AS prev,
                count(DISTINCT user_id) FILTER (day > as_of - {W}) AS active,
                count(*) FILTER (day > as_of - {W} AND feature = 'login') AS logins,
                count(DISTINCT feature) FILTER (day > as_of - {W} AND feature IN ({keys})) AS keys,
                count(DISTINCT (user_id, day)) FILTER (day > as_of - {W}) AS user_days
            FROM ev, b GROUP BY account_id),
        acc AS (
            SELECT id AS account_id, seats::BIGINT AS seats, start_date::DATE AS start_date
            FROM read_csv('{d / "accounts.csv"}', header = true, all_varchar = true))
        SELECT acc.account_id, b.as_of,
            CASE WHEN active > 0 THEN logins / active / ({W} / 7)
                 WHEN last IS NOT NULL THEN 0.0 END AS logins_per_user_week,
            CASE WHEN active > 0 THEN user_days / ({W} * active)
                 WHEN last IS NOT NULL THEN 0.0 END AS dau_mau,
            keys / {len(KEY)} AS feature_breadth,
            CASE WHEN seats > 0 THEN active / seats END AS seat_utilisation,
            (b.as_of - last)::DOUBLE AS days_since_last_activity,
            CASE WHEN prev > 0 THEN (cur - prev) / prev * 100
                 WHEN cur = 0 THEN 0.0 END AS usage_change_pct
        FROM acc CROSS JOIN b LEFT JOIN agg USING (account_id)
        WHERE acc.start_date <= b.as_of""")
    out = rel.to_arrow_table()
    as_of = out.column("as_of")[0].as_py() if out.num_rows else None
    return time.perf_counter() - t0, as_of, out.drop_columns(["as_of"])


PEERS = {"pandas": pandas_features, "polars": polars_features, "duckdb": duckdb_features}


def read_csops_csv(path: Path) -> tuple[list[str], dict[str, list[float | None]]]:
    """csops' --features-out: the feature columns it has, and per account its values."""
    with path.open(newline="") as f:
        rows = csv.reader(f)
        header = next(rows)[1:]
        return header, {r[0]: [float(v) if v else None for v in r[1:]] for r in rows}


def check(result, as_of: dt.date, csops_csv: Path, csops_as_of: str) -> str | None:
    """The first disagreement between a peer's result and csops', or None."""
    import pyarrow as pa

    if str(as_of) != csops_as_of:
        return f"as-of day {as_of}, csops {csops_as_of}"
    cols, want = read_csops_csv(csops_csv)
    got = pa.table(result).to_pydict()
    ids = got["account_id"]
    extra = set(ids) - want.keys()
    if len(set(ids)) != len(ids) or extra:
        return f"account {min(extra) if extra else '?'}: not in csops' frame (or twice)"
    index = {a: i for i, a in enumerate(ids)}
    for account, values in want.items():
        if account not in index:
            return f"account {account}: in csops' frame, not in the peer's"
        for name, w in zip(cols, values, strict=True):
            g = got[name][index[account]]
            g = None if g is None or math.isnan(g) else float(g)
            if (g is None) != (w is None) or (g is not None and not math.isclose(
                    g, w, rel_tol=1e-9, abs_tol=0.0)):
                return f"account {account}, {name}: peer {g}, csops {w}"
    return None


def worker(a: argparse.Namespace) -> None:
    secs, as_of, result = PEERS[a.worker](a.dir, a.threads)
    if a.check:
        bad = check(result, as_of, a.check, a.as_of)
        if bad:
            sys.exit(f"{a.worker} disagrees with csops: {bad}")
    print(f"seconds {secs:.6f} rows {len(result)}")


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run one child to its end: its stdout, its own peak RSS (MiB) and its CPU seconds."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    out = p.stdout.read() if p.stdout else ""
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{out}")
    return out, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def secs(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(s|ms|µs|ns)", text).groups()
    return float(value) / {"s": 1, "ms": 1e3, "µs": 1e6, "ns": 1e9}[unit]


def csops(binary: Path, d: Path, threads: int, out: Path | None = None):
    cmd = [str(binary), "--dir", str(d), "--threads", str(threads)]
    text, _, cpu = run(cmd + (["--features-out", str(out)] if out else []))
    load = re.search(r"load \+ validate: (\S+), peak (\d+) MiB;.* (\d+) problems", text)
    feats = re.search(r"features as of ([\d-]+): (\S+), peak (\d+) MiB", text)
    if not (load and feats):
        sys.exit(f"unexpected output from {binary}:\n{text}")
    if load.group(3) != "0":
        sys.exit(f"csops reported {load.group(3)} load problems; the peers do not validate")
    total = secs(load.group(1)) + secs(feats.group(2))
    return total, max(int(load.group(2)), int(feats.group(3))), cpu, feats.group(1)


def peer(name: str, d: Path, threads: int, check_against: tuple[Path, str] | None = None):
    env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--worker", name, "--dir", str(d), "--threads", str(threads)]
    if check_against:
        cmd += ["--check", str(check_against[0]), "--as-of", check_against[1]]
    text, peak, cpu = run(cmd, env)
    return float(re.search(r"seconds (\S+)", text).group(1)), peak, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--book", type=Path)
    ap.add_argument("--csops", type=Path, default=Path("target/release/data_layer_scale"))
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--peers", default="pandas,polars,duckdb")
    ap.add_argument("--worker", choices=PEERS, help=argparse.SUPPRESS)
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--check", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--as-of", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker(a)
    if not a.book:
        ap.error("--book is required")
    peers = [p for p in a.peers.split(",") if p]
    sub = a.book / "usage-only"
    sub.mkdir(exist_ok=True)
    for f in ["accounts.csv", "usage_events.csv"]:
        if not (sub / f).exists():
            os.symlink((a.book / f).resolve(), sub / f)
    size = sum((sub / f).stat().st_size for f in ["accounts.csv", "usage_events.csv"]) / 2**30

    tmp = tempfile.TemporaryDirectory()  # not in the book directory, which csops reads
    expected = Path(tmp.name) / "csops_features.csv"
    as_of = csops(a.csops, sub, 2, expected)[3]
    cols, want = read_csops_csv(expected)
    absent = [f for f in FEATURES if f not in cols]
    if absent:
        sys.exit(f"{expected} has no column {', '.join(absent)} (header: {', '.join(cols)}): "
                 "cannot check the peers against it, so not timing them")
    print(f"{size:.2f} GiB of CSV; as of {as_of}; {len(want)} accounts in csops' frame")
    for name in peers:
        peer(name, sub, THREADS[name][-1], (expected, as_of))
        print(f"check: {name} agrees with csops on every account and on {', '.join(cols)}")

    for r in range(1, a.rounds + 1):
        rows, base = [], {}
        for name in ["csops", *peers]:
            for t in THREADS[name]:
                run_one = csops(a.csops, sub, t) if name == "csops" else peer(name, sub, t)
                s, mib, cpu = run_one[:3]
                base.setdefault(t, s)
                rows.append((name, t, s, mib, cpu, s / base[t]))
        print(f"\nround {r}/{a.rounds}\n{'peer':8} {'threads':>7} {'seconds':>8} "
              f"{'peak MiB':>8} {'cpu s':>6}  time vs csops")
        for name, t, s, mib, cpu, ratio in rows:
            print(f"{name:8} {t:>7} {s:>8.2f} {mib:>8.0f} {cpu:>6.1f}  {ratio:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
