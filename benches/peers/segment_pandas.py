"""Peer comparison for segmentation: tier 1M accounts with the five ordered rules of
`benches/src/bin/segment_scale.rs` and work out coverage against the roster, csops against
pandas on the same data, timed in the same run, one core each.

    cargo build --release -p csops-benches --bin segment_scale
    target/release/segment_scale --accounts 1000000 --write /tmp/segment1m
    target/py-venv/bin/python benches/peers/segment_pandas.py --data /tmp/segment1m \
        [--csops target/release/segment_scale] [--runs 5] [--budget-s 30] \
        [--csops-output saved.txt]

Any Python with pandas and numpy will do. The script reads the CSV files `segment_scale
--write` wrote (untimed), runs the csops binary (which regenerates the same seeded table in
memory and times `TierRules::assign` and `coverage`; `--csops-output` reads a saved run
instead), computes the same answers in pandas, checks them against csops' and only then prints
times and ratios.

Rules (first match wins, else `digital`):

    strategic   segment == "strategic" or (arr >= 250000 and region in ["NA", "EMEA"])
    high_touch  arr >= 100000 or (arr >= 60000 and band == "red" and not (region == "LATAM"))
    mid_touch   arr >= 25000 and not (segment == "smb" and band == "green")
    mid_touch   arr >= 15000 and seats >= 100 and band != "green"
    tech_touch  arr >= 5000 or (logins_per_week >= 10 and days_to_renewal <= 90)

Missing values. csops follows SQL's three-valued logic: a comparison with a missing value is
unknown, `not unknown` is unknown, `false and unknown` is false, `true or unknown` is true, and
a rule matches only when it is true. pandas' own comparisons are two-valued: NaN compares False
for `== < <= > >=` and `isin`, but True for `!=`, and `~` turns False into True, so
`band != "green"` and `not (region == "LATAM")` would take in accounts with no band or no
region. Here every sub-condition is carried as two boolean masks, (definitely true, definitely
false), with unknown = neither: a leaf is `(r & known, ~r & known)` where `known = notna()`;
`and` is (all true, any false), `or` is (any true, all false), `not` swaps them; a rule matches
on its true mask, and `np.select` over the five true masks gives the tier. (The naive two-valued
version is also timed, and the number of accounts it tiers differently is printed.)

Coverage (csops-core/src/segment.rs `coverage`): customers are accounts with ARR > 0 (NaN is
not); per tier, customer count, ARR, roster FTE and CSMs needed (ceil(accounts / ratio) or
ceil(ARR / ratio), 0 for pooled); per CSM on the roster, owned customers, ARR, red-band
accounts, accounts of another tier, utilisation and status (over > 1, under < 0.8, else ok);
owners not on the roster with their counts; unowned customers in non-pooled tiers. pandas does
this with `groupby` on the owner name. The roster is the one csops derived with
`roster_from_owners` (the `roster.csv` written); the script also derives it itself (each owner's
majority tier, ties to the earlier tier; timed as "roster") and checks it against that file.

Text columns are timed twice: as `read_csv` gives them (pandas 3: the `str` dtype; object in
pandas 2), and converted to `category` beforehand (untimed; csops' table holds plain strings,
so this is a representation advantage csops does not have).

Single thread on both sides: csops is single-threaded; OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS and BLIS_NUM_THREADS are set to 1 before numpy is imported (pandas' comparisons
and groupby are single-threaded anyway). Peak memory is the process's VmHWM during the timed
work (reset just before it), with the input frame already held, like csops' figures with the
table held.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import operator as op  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

TIERS = ["strategic", "high_touch", "mid_touch", "tech_touch", "digital"]
# Tier -> (kind, ratio); must match `model()` in segment_scale.rs.
MODEL = {
    "strategic": ("accounts", 4.0),
    "high_touch": ("accounts", 12.0),
    "mid_touch": ("arr", 1_600_000.0),
    "tech_touch": ("accounts", 110.0),
    "digital": ("pooled", 0.0),
}
TEXT = ["id", "region", "segment", "owner_csm", "band"]
NUMBERS = ["arr", "score", "seats", "logins_per_week", "days_to_renewal"]


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --- three-valued logic: (true mask, false mask) --------------------------------------------


def leaf(s: pd.Series, r: pd.Series):
    known = s.notna().to_numpy()
    r = r.to_numpy(dtype=bool, na_value=False)
    return r & known, ~r & known


def cmp(s: pd.Series, f, v):
    return leaf(s, f(s, v))


def isin(s: pd.Series, values):
    return leaf(s, s.isin(values))


def and_(*xs):
    t, f = xs[0]
    for xt, xf in xs[1:]:
        t, f = t & xt, f | xf
    return t, f


def or_(*xs):
    t, f = xs[0]
    for xt, xf in xs[1:]:
        t, f = t | xt, f & xf
    return t, f


def not_(x):
    return x[1], x[0]


def tier_3vl(df: pd.DataFrame) -> np.ndarray:
    arr, seg, reg, band = df["arr"], df["segment"], df["region"], df["band"]
    r1 = or_(cmp(seg, op.eq, "strategic"), and_(cmp(arr, op.ge, 250000), isin(reg, ["NA", "EMEA"])))
    r2 = or_(
        cmp(arr, op.ge, 100000),
        and_(cmp(arr, op.ge, 60000), cmp(band, op.eq, "red"), not_(cmp(reg, op.eq, "LATAM"))),
    )
    r3 = and_(cmp(arr, op.ge, 25000), not_(and_(cmp(seg, op.eq, "smb"), cmp(band, op.eq, "green"))))
    r4 = and_(cmp(arr, op.ge, 15000), cmp(df["seats"], op.ge, 100), cmp(band, op.ne, "green"))
    r5 = or_(
        cmp(arr, op.ge, 5000),
        and_(cmp(df["logins_per_week"], op.ge, 10), cmp(df["days_to_renewal"], op.le, 90)),
    )
    return np.select([r1[0], r2[0], r3[0], r4[0], r5[0]], [0, 1, 2, 2, 3], default=4)


def tier_naive(df: pd.DataFrame) -> np.ndarray:
    """What one would write first: pandas' two-valued comparisons and `~`. Not csops' rules."""
    arr, seg, reg, band = df["arr"], df["segment"], df["region"], df["band"]
    r1 = (seg == "strategic") | ((arr >= 250000) & reg.isin(["NA", "EMEA"]))
    r2 = (arr >= 100000) | ((arr >= 60000) & (band == "red") & ~(reg == "LATAM"))
    r3 = (arr >= 25000) & ~((seg == "smb") & (band == "green"))
    r4 = (arr >= 15000) & (df["seats"] >= 100) & (band != "green")
    r5 = (arr >= 5000) | ((df["logins_per_week"] >= 10) & (df["days_to_renewal"] <= 90))
    masks = [m.to_numpy(dtype=bool, na_value=False) for m in (r1, r2, r3, r4, r5)]
    return np.select(masks, [0, 1, 2, 2, 3], default=4)


# --- roster and coverage --------------------------------------------------------------------


def roster_pandas(df: pd.DataFrame, tier: np.ndarray) -> pd.Series:
    """Owner -> tier index: the tier most of their accounts are in, ties to the earlier tier."""
    pairs = pd.DataFrame({"owner": df["owner_csm"], "tier": tier})
    # Owners sorted by name, tiers ascending (crosstab gives the same table, 2x slower).
    counts = pairs.groupby(["owner", "tier"], observed=True).size().unstack(fill_value=0)
    return counts.idxmax(axis=1)  # the first column at the maximum: the earlier tier


def coverage_pandas(df: pd.DataFrame, tier: np.ndarray, roster: pd.DataFrame) -> dict:
    kind = np.array([MODEL[t][0] for t in TIERS])
    ratio = np.array([MODEL[t][1] for t in TIERS])
    pooled = kind == "pooled"
    cust = (df["arr"] > 0).to_numpy()
    d = pd.DataFrame(
        {"tier": tier, "arr": df["arr"], "owner": df["owner_csm"], "red": df["band"] == "red"}
    )[cust]
    # Per tier.
    g = d.groupby("tier")["arr"].agg(["size", "sum"]).reindex(range(len(TIERS)), fill_value=0)
    csms = roster.groupby("tier")["fte"].sum().reindex(TIERS, fill_value=0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(
            kind == "accounts",
            np.ceil(g["size"].to_numpy() / ratio),
            np.where(kind == "arr", np.ceil(g["sum"].to_numpy() / ratio), 0.0),
        )
    tiers = pd.DataFrame(
        {"accounts": g["size"].to_numpy(), "arr": g["sum"].to_numpy(), "csms": csms, "needed": needed},
        index=TIERS,
    )
    # Per CSM.
    r = roster.set_index("name")
    r_tier = r["tier"].map(TIERS.index)
    owned = d[d["owner"].notna()]
    on = owned["owner"].isin(r.index)
    unknown = owned.loc[~on, "owner"].value_counts()
    unknown = unknown[unknown > 0]  # a category column also counts the unused categories
    k = owned[on]
    k = k.assign(off=(k["tier"].to_numpy() != k["owner"].map(r_tier).to_numpy()))
    per = (
        k.groupby("owner")
        .agg(accounts=("arr", "size"), arr=("arr", "sum"), red=("red", "sum"), off=("off", "sum"))
        .reindex(r.index, fill_value=0)
    )
    rt = r_tier.to_numpy()
    cap = ratio[rt] * r["fte"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(
            kind[rt] == "accounts",
            per["accounts"].to_numpy() / cap,
            np.where(kind[rt] == "arr", per["arr"].to_numpy() / cap, 0.0),
        )
    status = np.select([util > 1.0, util < 0.8], ["over", "under"], default="ok")
    unowned = int((d["owner"].isna().to_numpy() & ~pooled[d["tier"].to_numpy()]).sum())
    return {"tiers": tiers, "per": per, "util": util, "status": status, "unknown": unknown, "unowned": unowned}


# --- csops ----------------------------------------------------------------------------------


def run_csops(exe: str, n: int, runs: int, budget: float, saved: str | None) -> str:
    if saved:
        with open(saved) as f:
            return f.read()
    cmd = [exe, "--accounts", str(n), "--runs", str(runs), "--budget-s", str(budget), "--only", "coverage"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def parse_csops(text: str) -> dict:
    out: dict = {"time": {}, "coverage_tier": {}}
    for line in text.splitlines():
        w = line.split()
        if not w:
            continue
        if w[0] == "time":
            out["time"][w[1]] = {"ms": float(w[3]), "runs": int(w[5]), "peak_mib": float(w[9])}
        elif w[0] == "tiers":
            out["tiers"] = {k: int(v) for k, v in (x.split("=") for x in w[1:])}
        elif w[0] == "coverage_tier":
            out["coverage_tier"][w[1]] = dict(zip(w[2::2], map(float, w[3::2])))
        elif w[0] == "coverage":
            out["coverage"] = dict(zip(w[1::2], w[2::2]))
        elif w[0] == "roster":
            out["roster_owners"] = int(w[2])
        elif w[0] == "accounts":
            out["accounts"] = int(w[1])
    return out


def check(cov: dict, tier: np.ndarray, cs: dict) -> None:
    counts = np.bincount(tier, minlength=len(TIERS))
    want = [cs["tiers"][t] for t in TIERS]
    assert counts.tolist() == want, f"tier counts differ: {counts.tolist()} vs csops {want}"
    for t in TIERS:
        got, w = cov["tiers"].loc[t], cs["coverage_tier"][t]
        for key in ("accounts", "arr", "csms", "needed"):
            assert float(got[key]) == w[key], f"coverage of {t}: {key} {got[key]} vs csops {w[key]}"
    c, per = cs["coverage"], cov["per"]
    status = pd.Series(cov["status"]).value_counts()
    exact = {
        "csms": len(per),
        "over": int(status.get("over", 0)),
        "under": int(status.get("under", 0)),
        "ok": int(status.get("ok", 0)),
        "owned": int(per["accounts"].sum()),
        "owned_arr": float(per["arr"].sum()),
        "red": int(per["red"].sum()),
        "off_tier": int(per["off"].sum()),
        "unknown_owners": len(cov["unknown"]),
        "unknown_accounts": int(cov["unknown"].sum()),
        "unowned": cov["unowned"],
    }
    for key, v in exact.items():
        assert type(v)(c[key]) == v, f"coverage: {key} {v} vs csops {c[key]}"
    u, cu = float(np.sum(cov["util"])), float(c["utilisation_sum"])
    assert abs(u - cu) <= 1e-12 * abs(cu), f"utilisation sum {u!r} vs csops {cu!r}"


def best_of(f, runs: int):
    reset_peak()
    best, out = float("inf"), None
    for _ in range(runs):
        out = None
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best * 1e3, out, peak_mib()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/tmp/segment1m")
    ap.add_argument("--csops", default="target/release/segment_scale")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget-s", type=float, default=30.0, help="csops: stop a step's runs after this")
    ap.add_argument("--csops-output", help="read a saved `segment_scale` output instead of running it")
    a = ap.parse_args()

    t = time.perf_counter()
    df = pd.read_csv(
        os.path.join(a.data, "accounts.csv"),
        keep_default_na=False,  # "NA" is a region, not a missing value
        na_values=[""],
        dtype={c: "float64" for c in NUMBERS},
    )
    roster = pd.read_csv(os.path.join(a.data, "roster.csv"), keep_default_na=False)
    want_tiers = pd.read_csv(os.path.join(a.data, "tiers_csops.csv"), keep_default_na=False)["tier"]
    read_s = time.perf_counter() - t
    n = len(df)
    cs = parse_csops(run_csops(a.csops, n, a.runs, a.budget_s, a.csops_output))
    assert cs["accounts"] == n, f"csops ran {cs['accounts']} accounts, the files have {n}"
    base_mib = peak_mib()

    print(f"pandas {pd.__version__}, numpy {np.__version__}; one thread each; best of {a.runs}")
    print(
        f"{n} accounts (read in {read_s:.1f} s, untimed), roster of {len(roster)} CSMs; "
        f"5 rules over 7 columns; text columns {df['region'].dtype}"
    )
    cat = df.copy()
    for c in TEXT:
        cat[c] = cat[c].astype("category")

    results = {}
    for label, frame in (("str", df), ("category", cat)):
        t_tier, tier, m_tier = best_of(lambda: tier_3vl(frame), a.runs)
        # Row by row against the tier csops gave every account (written by --write).
        same = tier == want_tiers.map(TIERS.index).to_numpy()
        assert same.all(), f"[{label}] {int((~same).sum())} accounts tiered differently from csops"
        t_naive, naive, _ = best_of(lambda: tier_naive(frame), a.runs)
        t_roster, ros, _ = best_of(lambda: roster_pandas(frame, tier), a.runs)
        assert len(ros) == cs["roster_owners"], f"{len(ros)} owners vs csops {cs['roster_owners']}"
        mine = ros.reindex(roster["name"]).map(lambda i: TIERS[i])
        assert (mine.to_numpy() == roster["tier"].to_numpy()).all(), "roster tiers differ from csops'"
        t_cov, cov, m_cov = best_of(lambda: coverage_pandas(frame, tier, roster), a.runs)
        check(cov, tier, cs)
        results[label] = (t_tier, t_naive, int((naive != tier).sum()), t_roster, t_cov, max(m_tier, m_cov))

    counts = " ".join(f"{t}={cs['tiers'][t]}" for t in TIERS)
    print(f"agreement: every account's tier identical to csops' ({counts}); coverage identical")
    c = cs["coverage"]
    print(
        f"  coverage: {c['csms']} CSMs ({c['over']} over, {c['under']} under, {c['ok']} ok), "
        f"{c['unknown_owners']} owners off the roster ({c['unknown_accounts']} accounts), "
        f"{c['unowned']} unowned; utilisation sum {c['utilisation_sum']}"
    )
    ct = cs["time"]
    print(f"peak RSS with the frame held: pandas before timing {base_mib:.0f} MiB")
    rows = [
        ("tiering (5 rules, 3-valued)", "tier_assign", 0),
        ("roster from owners", "roster_from_owners", 3),
        ("coverage (roster of CSMs)", "coverage", 4),
    ]
    for name, key, i in rows:
        cms = ct[key]["ms"]
        parts = [f"csops {cms:9.1f} ms ({ct[key]['runs']} runs)"]
        for label, r in results.items():
            parts.append(f"pandas[{label}] {r[i]:8.1f} ms = {ratio(r[i], cms)}")
        print(f"{name:30} " + "; ".join(parts))
    for label, r in results.items():
        print(
            f"pandas[{label}]: naive two-valued tiering {r[1]:.1f} ms, tiers {r[2]} accounts "
            f"differently from csops; peak RSS during timing {r[5]:.0f} MiB"
        )
    print(
        f"csops peak RSS with the table held: tiering {ct['tier_assign']['peak_mib']:.0f} MiB, "
        f"coverage {ct['coverage']['peak_mib']:.0f} MiB"
    )


def ratio(peer_ms: float, csops_ms: float) -> str:
    x = peer_ms / csops_ms
    return f"{x:.1f}x csops' time" if x >= 1 else f"{1 / x:.1f}x faster than csops"


if __name__ == "__main__":
    main()
