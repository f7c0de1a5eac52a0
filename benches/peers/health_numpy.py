"""Peer comparison for batch scoring: the 6-measure scorecard of
`benches/src/bin/health_scale.rs`, vectorised in numpy and written idiomatically in pandas,
on the same generated frame, timed in the same run as csops.

    cargo run --release -p csops-benches --bin health_scale -- --write-frame /tmp/frame1m.csv
    python benches/peers/health_numpy.py --frame /tmp/frame1m.csv [--csops target/release/health_scale] [--runs 10]

Both peers implement exactly the scorecard's rules (linear / boolean / steps normalisers,
redistribution within and across groups, worst and fixed imputation, coverage ≥ 0.5) and must
reproduce csops' scores (checked to 1e-9) before any time is reported.
"""

from __future__ import annotations

import argparse
import subprocess
import time

import numpy as np
import pandas as pd

# (name, group, weight, kind, params, missing)   groups: usage 2, relationship 1
MEASURES = [
    ("logins", 0, 3.0, "linear", (0.0, 3.0), "redistribute"),
    ("breadth", 0, 2.0, "linear", (0.0, 1.0), "redistribute"),
    ("recency", 0, 1.0, "linear", (30.0, 0.0), "worst"),
    ("sponsor", 1, 1.0, "boolean", None, "redistribute"),
    ("escalations", 1, 1.0, "steps", ([1.0, 3.0], [100.0, 50.0, 10.0]), "redistribute"),
    ("nps", 1, 1.0, "linear", (-100.0, 100.0), ("fixed", 50.0)),
]
GROUP_W = np.array([2.0, 1.0])


def score_numpy(cols: dict[str, np.ndarray]) -> np.ndarray:
    n = len(next(iter(cols.values())))
    k = len(MEASURES)
    s = np.empty((k, n))
    scored = np.empty((k, n), dtype=bool)
    present = np.empty((k, n), dtype=bool)
    for j, (name, _g, _w, kind, prm, missing) in enumerate(MEASURES):
        x = cols[name]
        p = np.isfinite(x)
        if kind == "linear":
            worst, best = prm
            v = np.clip((x - worst) * (100.0 / (best - worst)), 0.0, 100.0)
        elif kind == "boolean":
            v = np.where(x != 0.0, 100.0, 0.0)
        else:
            th, pts = prm
            v = np.asarray(pts)[np.searchsorted(th, x, side="right")]
        fill = 0.0 if missing == "worst" else (missing[1] if isinstance(missing, tuple) else np.nan)
        s[j] = np.where(p, v, fill)
        present[j] = p
        scored[j] = p | (missing != "redistribute")
    mw = np.array([m[2] for m in MEASURES])
    grp = np.array([m[1] for m in MEASURES])
    # nominal weights -> coverage
    gsum_nom = GROUP_W.sum()
    msum_nom = np.array([mw[grp == g].sum() for g in range(len(GROUP_W))])
    nominal = GROUP_W[grp] / gsum_nom * mw / msum_nom[grp]
    coverage = (nominal[:, None] * present).sum(axis=0)
    # redistributed weights
    wm = mw[:, None] * scored
    msum = np.stack([wm[grp == g].sum(axis=0) for g in range(len(GROUP_W))])
    gpresent = msum > 0
    gsum = (GROUP_W[:, None] * gpresent).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = GROUP_W[grp][:, None] / gsum * wm / msum[grp]
    w = np.where(scored, w, 0.0)
    contrib = np.where(scored, w * np.nan_to_num(s), 0.0)
    total = contrib.sum(axis=0)
    ok = (coverage >= 0.5) & (gsum > 0)
    return np.where(ok, np.clip(total, 0, 100), np.nan)


def score_pandas(df: pd.DataFrame) -> pd.Series:
    parts, present, scored = {}, {}, {}
    for name, _g, _w, kind, prm, missing in MEASURES:
        x = df[name]
        if kind == "linear":
            worst, best = prm
            v = ((x - worst) * (100.0 / (best - worst))).clip(0, 100)
        elif kind == "boolean":
            v = (x != 0).astype(float) * 100
        else:
            v = pd.cut(x, [-np.inf, 1.0, 3.0, np.inf], right=False, labels=[100.0, 50.0, 10.0]).astype(float)
        present[name] = x.notna()
        if missing == "worst":
            v = v.where(x.notna(), 0.0)
        elif isinstance(missing, tuple):
            v = v.where(x.notna(), missing[1])
        parts[name] = v
        scored[name] = x.notna() | (missing != "redistribute")
    S, P, Sc = pd.DataFrame(parts), pd.DataFrame(present), pd.DataFrame(scored)
    mw = pd.Series({m[0]: m[2] for m in MEASURES})
    grp = pd.Series({m[0]: m[1] for m in MEASURES})
    nominal = GROUP_W[grp.values] / GROUP_W.sum() * mw / mw.groupby(grp).transform("sum")
    coverage = (P * nominal).sum(axis=1)
    wm = Sc * mw
    msum = wm.T.groupby(grp).sum().T
    gsum = (msum > 0).mul(GROUP_W, axis=1).sum(axis=1)
    w = wm.div(msum[grp.values].set_axis(wm.columns, axis=1)).mul(GROUP_W[grp.values], axis=1).div(gsum, axis=0)
    total = (w.where(Sc, 0.0) * S.fillna(0.0)).sum(axis=1)
    return total.clip(0, 100).where((coverage >= 0.5) & (gsum > 0))


def best_of(f, runs=3):
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frame", default="/tmp/frame1m.csv")
    ap.add_argument("--csops", default="target/release/health_scale")
    ap.add_argument("--runs", type=int, default=10, help="paired bursts per peer")
    a = ap.parse_args()
    df = pd.read_csv(a.frame)
    n = len(df)
    # csops as a server (one burst of timed runs per command), so that each burst of a peer's
    # runs is paired with csops bursts just before it: a shared machine drifts by a quarter
    # within a minute, which comparing figures taken minutes apart would mistake for speed.
    rust = subprocess.Popen(
        [a.csops, "--accounts", str(n), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    assert rust.stdout is not None and rust.stdin is not None
    assert rust.stdout.readline().strip() == "ready"

    def csops_run(command: str) -> list[float]:
        rust.stdin.write(command + "\n")  # type: ignore[union-attr]
        rust.stdin.flush()  # type: ignore[union-attr]
        return [float(x) for x in rust.stdout.readline().split()]  # type: ignore[union-attr]

    checksum = csops_run("full 1")[1]
    cols = {c: df[c].to_numpy(dtype=float) for c in df.columns}
    peers = {"numpy": lambda: score_numpy(cols), "pandas": lambda: np.asarray(score_pandas(df), dtype=float)}
    for label, f in peers.items():
        got = float(np.nansum(f()))
        assert abs(got - checksum) <= 1e-9 * abs(checksum) + 1e-6, f"{label} disagrees with csops: {got} vs {checksum}"
    full: list[float] = []
    only: list[float] = []
    times: dict[str, list[float]] = {label: [] for label in peers}
    ratios: dict[str, list[list[float]]] = {label: [[], []] for label in peers}
    for _ in range(a.runs):
        for label, f in peers.items():
            c_full, c_only = csops_run("into 3")[0], csops_run("only 3")[0]
            t = best_of(f)[0] * 1e3
            full.append(c_full)
            only.append(c_only)
            times[label].append(t)
            ratios[label][0].append(t / c_full)
            ratios[label][1].append(t / c_only)
    rust.stdin.close()
    rust.wait()
    print(
        f"{n} accounts x 6 measures, one core each; {a.runs} bursts of 3 runs per peer, each paired with csops "
        f"bursts just before it; all three agree (sum of scores {checksum:.4f})"
    )
    print(f"csops, scores + bands + coverage + 6 contribution columns (reused result): best {min(full):6.1f} ms")
    print(f"csops, scores + bands + coverage (what the peers output): best {min(only):6.1f} ms")
    for label in peers:
        t = min(times[label])
        r_full, r_only = (float(np.median(r)) for r in ratios[label])
        print(
            f"{label:6}: best {t:6.1f} ms -> csops is {r_full:.1f}x faster with contributions, {r_only:.1f}x scores only "
            f"(medians of the paired ratios; best/best {t / min(full):.1f}x and {t / min(only):.1f}x)"
        )


if __name__ == "__main__":
    main()
