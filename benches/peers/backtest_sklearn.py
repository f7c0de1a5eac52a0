"""Peer comparison for the back-test statistics: ROC AUC over 1M labelled, tied risks and the
L2 logistic fit (C = 1) over 1M rows x 6 features, csops against scikit-learn on the same data,
timed in the same run, one core each.

    cargo build --release -p csops-benches --bin backtest_scale
    target/release/backtest_scale --rows 1000000 --write /tmp/backtest1m
    /tmp/refvenv/bin/python benches/peers/backtest_sklearn.py --data /tmp/backtest1m \
        [--csops target/release/backtest_scale] [--auc-runs 7] [--fit-runs 3]

Any Python with numpy and scikit-learn will do (`python -m venv /tmp/skvenv &&
/tmp/skvenv/bin/pip install numpy scikit-learn`). The script runs the csops binary itself (a
subprocess that regenerates the same seeded data and times `stats::roc_auc` and
`fit::logistic`), checks that both sides read identical data (bit-pattern fingerprints) and
agree before printing any time:

- AUC: `sklearn.metrics.roc_auc_score` to 1e-12 (csops also computes the DeLong and
  Hanley-McNeil standard errors, which scikit-learn does not);
- fit: intercept and coefficients to 1e-6 against `LogisticRegression(C=1.0,
  solver="newton-cholesky", tol=1e-10)`, the same objective (`C * sum(logloss) + ||beta||^2 / 2`,
  intercept unpenalised) solved to the precision csops' Newton iteration reaches. The
  default-tolerance fits (lbfgs and newton-cholesky, `tol=1e-4`) stop earlier; their distance
  from the converged answer is printed beside their time.

Single thread on both sides: csops is single-threaded; this script sets OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and BLIS_NUM_THREADS to 1 before numpy is imported (and
scikit-learn's logistic regression itself runs with n_threads=1). X is handed to scikit-learn
C-contiguous (converted before timing), since `LogisticRegression.fit` would otherwise copy it.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402


def best_of(f, runs):
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def fingerprint(a: np.ndarray) -> int:
    """Wrapping sum of the f64 bit patterns, as `backtest_scale` prints it."""
    return int(np.ascontiguousarray(a).view(np.uint64).sum(dtype=np.uint64))


def run_csops(exe: str, n: int, auc_runs: int, fit_runs: int) -> dict[str, list[str]]:
    cmd = [exe, "--rows", str(n), "--auc-runs", str(auc_runs), "--fit-runs", str(fit_runs)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.strip()}


def ratio(peer_ms: float, csops_ms: float) -> str:
    r = peer_ms / csops_ms
    return f"csops {r:.1f}x faster" if r >= 1 else f"csops {1 / r:.1f}x SLOWER"


def fields(words: list[str]) -> dict[str, str]:
    """`key value key value ...` after a line's first word."""
    return dict(zip(words[0::2], words[1::2]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/tmp/backtest1m")
    ap.add_argument("--csops", default="target/release/backtest_scale")
    ap.add_argument("--auc-runs", type=int, default=7)
    ap.add_argument("--fit-runs", type=int, default=3)
    a = ap.parse_args()

    risk = np.load(os.path.join(a.data, "risk.npy"))
    churned = np.load(os.path.join(a.data, "churned.npy"))
    X = np.ascontiguousarray(np.load(os.path.join(a.data, "X.npy")))
    y = np.load(os.path.join(a.data, "y.npy"))
    n = len(risk)

    cs = run_csops(a.csops, n, a.auc_runs, a.fit_runs)
    data = fields(cs["data"])
    # X.npy is column-major; csops fingerprints the columns one after another.
    mine = {
        "risk": fingerprint(risk),
        "churned": int(churned.sum()),
        "x": fingerprint(X.T),
        "y": int(y.sum()),
    }
    for key, value in mine.items():
        assert int(data[key]) == value, f"data differ: {key} {data[key]} (csops) vs {value} (files)"

    # --- ROC AUC -----------------------------------------------------------------------------
    cs_auc = float(cs["auc"][0])
    cs_auc_ms = float(cs["auc_ms"][0])
    t_auc, sk_auc = best_of(lambda: roc_auc_score(churned, risk), a.auc_runs)
    assert abs(sk_auc - cs_auc) <= 1e-12, f"AUC disagrees: csops {cs_auc!r}, scikit-learn {sk_auc!r}"

    # --- logistic fit ------------------------------------------------------------------------
    cs_theta = np.array([float(cs["fit_intercept"][0])] + [float(v) for v in cs["fit_coef"]])
    cs_fit_ms = float(cs["fit_ms"][0])

    def sk_fit(solver: str, tol: float):
        def run():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                m = LogisticRegression(C=1.0, solver=solver, tol=tol).fit(X, y)
            converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
            return np.concatenate([m.intercept_, m.coef_[0]]), int(m.n_iter_[0]), converged

        return run

    ref_theta, _, ref_ok = sk_fit("newton-cholesky", 1e-10)()
    assert ref_ok, "the reference newton-cholesky fit (tol=1e-10) did not converge"
    gap = float(np.max(np.abs(ref_theta - cs_theta)))
    assert gap <= 1e-6, f"fit disagrees by {gap:.3g}: csops {cs_theta}, scikit-learn {ref_theta}"

    fits = []
    for solver, tol in [("lbfgs", 1e-4), ("newton-cholesky", 1e-4), ("newton-cholesky", 1e-10)]:
        t, (theta, iters, ok) = best_of(sk_fit(solver, tol), a.fit_runs)
        fits.append((solver, tol, t, iters, ok, float(np.max(np.abs(theta - cs_theta)))))

    print(
        f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; one thread each "
        f"(OMP/OPENBLAS/MKL/BLIS_NUM_THREADS=1); best of {a.auc_runs} (AUC) and {a.fit_runs} (fit)"
    )
    print(
        f"ROC AUC, {n} labelled risks ({int(churned.sum())} positive, {len(np.unique(risk))} distinct "
        f"values): both {cs_auc:.15f} (|diff| {abs(sk_auc - cs_auc):.1e})"
    )
    print(f"  csops roc_auc (AUC + DeLong + Hanley-McNeil SE): {cs_auc_ms:9.1f} ms")
    print(
        f"  scikit-learn roc_auc_score:                    {t_auc * 1e3:9.1f} ms"
        f"  -> {ratio(t_auc * 1e3, cs_auc_ms)}"
    )
    print(
        f"L2 logistic fit (C=1), {n} rows x {X.shape[1]} features: csops agrees with newton-cholesky "
        f"tol=1e-10 to {gap:.1e} (max |diff| over intercept and coefficients)"
    )
    print(f"  csops fit::logistic ({cs['fit_iterations'][0]} Newton steps):        {cs_fit_ms:9.1f} ms")
    for solver, tol, t, iters, ok, diff in fits:
        note = "" if ok else ", NOT converged"
        print(
            f"  scikit-learn {solver:15} tol={tol:<6g} ({iters:2} it{note}): {t * 1e3:9.1f} ms"
            f"  -> {ratio(t * 1e3, cs_fit_ms)}; answer {diff:.1e} from csops'"
        )


if __name__ == "__main__":
    main()
