"""The Python binding's overhead: scoring 1M accounts with the 6-measure scorecard of
`benches/src/bin/health_scale.rs` through `csops.Scorecard.score`, from a pandas, a polars and a
pyarrow frame (and a dict of numpy arrays), against the Rust benchmark on the same data in the
same run. Not part of the test command.

It needs a **release** build of the extension, in a virtualenv of its own (the test command's
venv holds a debug build), and the Rust benchmark binary:

    python3 -m venv target/py-bench
    target/py-bench/bin/pip install "maturin>=1.9.4,<2" numpy pandas polars pyarrow
    VIRTUAL_ENV=$PWD/target/py-bench PATH=$PWD/target/py-bench/bin:$PATH \\
        MATURIN_PEP517_ARGS="--profile release" \\
        target/py-bench/bin/pip install --no-build-isolation --force-reinstall --no-deps ./csops-py
    cargo build --release -p csops-benches --bin health_scale
    target/py-bench/bin/python benches/peers/python_overhead.py [--accounts 1000000]

The script starts `health_scale --write-frame --serve` (the generated frame as CSV, then one
timed Rust run per command), reads the frame back (missing values as NaN: csops' convention),
builds the frames from it and checks that every path gives csops' own sum of scores. Then each
burst of Python runs (the best of 3) is paired with a burst of Rust runs just before it (`--runs`
pairs per path and kind), so that both sides see the same machine: a shared 2-core machine drifts
by a quarter within a minute. It prints the best of each side and the median of the pairs' ratios.
Compared:
- `card.score(frame)` (scores, bands, coverage and the six contribution columns) with Rust's
  `score_columns_into` (the same output, into a reused result: `score_frame`'s fresh result
  costs whatever the allocator's state makes it, see `health_scale.rs`);
- `card.score(frame, contributions=False)` with Rust's scores-only `score_columns_into` (into a
  reused result).
The binding keeps the memory of a dropped result for the next call (`csops-py/src/pool.rs`). Peak memory (RSS) of scoring from pandas is
measured in a fresh process against the input's size. `--check` exits 1 when the median ratio of
pandas or polars (the issue's two) is over 1.10 in either comparison.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# numpy's BLAS threads are not used here; keep them from taking the second core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

#: `csops_benches::bench_scorecard`, as data.
CARD = {
    "schema_version": 1,
    "name": "bench 6",
    "groups": [
        {
            "name": "usage",
            "weight": 2.0,
            "measures": [
                {"name": "logins", "feature": "logins", "weight": 3.0, "normaliser": {"kind": "linear", "worst": 0.0, "best": 3.0}},
                {"name": "breadth", "feature": "breadth", "weight": 2.0, "normaliser": {"kind": "linear", "worst": 0.0, "best": 1.0}},
                {
                    "name": "recency",
                    "feature": "recency",
                    "weight": 1.0,
                    "normaliser": {"kind": "linear", "worst": 30.0, "best": 0.0},
                    "missing": {"rule": "worst"},
                },
            ],
        },
        {
            "name": "relationship",
            "weight": 1.0,
            "measures": [
                {"name": "sponsor", "feature": "sponsor", "weight": 1.0, "normaliser": {"kind": "boolean"}},
                {
                    "name": "escalations",
                    "feature": "escalations",
                    "weight": 1.0,
                    "normaliser": {"kind": "steps", "thresholds": [1.0, 3.0], "points": [100.0, 50.0, 10.0]},
                },
                {
                    "name": "nps",
                    "feature": "nps",
                    "weight": 1.0,
                    "normaliser": {"kind": "linear", "worst": -100.0, "best": 100.0},
                    "missing": {"rule": "fixed", "score": 50.0},
                },
            ],
        },
    ],
}
FEATURES = ["logins", "breadth", "recency", "sponsor", "escalations", "nps"]


#: Runs per burst (the best of a burst is a warm run).
BURST = 3


def score_sum(result: Any) -> float:
    if isinstance(result, dict):
        return float(np.nansum(result["score"]))
    if type(result).__module__.startswith("polars"):
        return float(result["score"].fill_null(0.0).sum())
    if type(result).__module__.startswith("pyarrow"):
        import pyarrow.compute as pc

        return float(pc.sum(result.column("score")).as_py())
    return float(np.nansum(result["score"].to_numpy()))


MEMORY_CHILD = """
import gc, sys, numpy as np, pandas as pd, csops
def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
n = int(sys.argv[1])
rng = np.random.default_rng(7)
cols = {c: rng.uniform(0, 1, n) for c in %r}
for v in cols.values():
    v[rng.random(n) < 0.05] = np.nan
df = pd.DataFrame(cols, index=pd.Index([f"A{i}" for i in range(n)], name="account_id"))
card = csops.Scorecard.from_dict(%r)
card.score(df.head(10))  # warm up
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak RSS mark to the current RSS
before = status("VmRSS")
out = card.score(df, contributions=%s)
peak = status("VmHWM")
size = int(out.memory_usage(index=False).sum())
del out
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
again = status("VmRSS")
out = card.score(df, contributions=%s)
print(before, peak, size, again, status("VmHWM"))
"""


def peak_memory(n: int, contributions: bool) -> tuple[float, float, float, float, float]:
    """(input MiB, RSS before MiB, peak RSS growth of the first call MiB, result MiB, peak
    growth of a second call MiB), in a fresh process (Linux: the peak mark is reset through
    /proc/self/clear_refs just before each call)."""
    code = MEMORY_CHILD % (FEATURES, CARD, contributions, contributions)
    out = subprocess.run([sys.executable, "-c", code, str(n)], capture_output=True, text=True, check=True).stdout
    before, peak, result, again, peak_again = (int(x) for x in out.split())
    mib = 1024 * 1024
    return (
        n * len(FEATURES) * 8 / mib,
        before / mib,
        (peak - before) / mib,
        result / mib,
        (peak_again - again) / mib,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--csops", default="target/release/health_scale")
    ap.add_argument("--runs", type=int, default=15, help="bursts per path and kind")
    ap.add_argument("--check", action="store_true", help="exit 1 when pandas or polars is over 10%%")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurement")
    a = ap.parse_args()

    import pandas as pd
    import polars as pl
    import pyarrow as pa

    import csops

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "frame.csv"
        rust = subprocess.Popen(
            [a.csops, "--accounts", str(a.accounts), "--write-frame", str(csv), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert rust.stdout is not None and rust.stdin is not None
        assert rust.stdout.readline().strip() == "ready"
        raw = pd.read_csv(csv)

    def rust_run(command: str) -> list[float]:
        assert rust.stdout is not None and rust.stdin is not None
        rust.stdin.write(command + "\n")
        rust.stdin.flush()
        return [float(x) for x in rust.stdout.readline().split()]

    checksum = rust_run("full")[1]
    n = len(raw)

    arrays = {c: np.ascontiguousarray(raw[c].to_numpy(dtype=np.float64)) for c in FEATURES}
    ids = [f"A{i}" for i in range(n)]
    frames: dict[str, Any] = {
        "pandas": pd.DataFrame(arrays, index=pd.Index(ids, name="account_id")),
        "polars": pl.DataFrame({"account_id": ids, **arrays}),
        "pyarrow": pa.table({"account_id": ids, **arrays}),
        "dict of numpy": {"account_id": np.array(ids), **arrays},
    }
    # polars with nulls for missing values (what read_csv gives): read, then converted.
    frames["polars, nulls"] = frames["polars"].with_columns(pl.col(FEATURES).fill_nan(None))
    card = csops.Scorecard.from_dict(CARD)

    for name, data in frames.items():
        got = score_sum(card.score(data))
        assert abs(got - checksum) <= 1e-9 * abs(checksum) + 1e-6, f"{name}: {got} vs csops {checksum}"

    # Each burst of Python runs is paired with a burst of Rust runs just before it: the best of
    # each side, and the median of the pairs' ratios (both robust to the machine changing speed).
    times: dict[str, list[list[float]]] = {name: [[], []] for name in ["rust", *frames]}
    ratios: dict[str, list[list[float]]] = {name: [[], []] for name in frames}
    out: Any = None
    for _ in range(a.runs):
        for name, data in frames.items():
            for k, (command, contributions) in enumerate((("into", True), ("only", False))):
                rust_ms = rust_run(f"{command} {BURST}")[0]
                py_ms = float("inf")
                for _ in range(BURST):
                    out = None  # the previous result freed first, as the Rust benchmark does
                    t = time.perf_counter()
                    out = card.score(data, contributions=contributions)
                    py_ms = min(py_ms, (time.perf_counter() - t) * 1e3)
                times["rust"][k].append(rust_ms)
                times[name][k].append(py_ms)
                ratios[name][k].append(py_ms / rust_ms)
    rust.stdin.close()  # type: ignore[union-attr]
    rust.wait()

    def median(xs: list[float]) -> float:
        return float(np.median(xs))

    rust_ms, rust_only_ms = (min(t) for t in times["rust"])
    print(
        f"{n} accounts x 6 measures, one core; {a.runs} bursts of {BURST} runs of each path, each paired "
        f"with a burst of Rust runs just before it; every path gives the sum of scores {checksum:.4f}"
    )
    print(f"Rust score_columns_into (scores, bands, coverage, 6 contributions; reused result): best {rust_ms:6.2f} ms")
    print(f"Rust scores only (score_columns_into, reused result):        best {rust_only_ms:6.2f} ms")
    print(f"{'input':16} {'full':>9} {'best/best':>9} {'median':>7}   {'scores only':>11} {'best/best':>9} {'median':>7}")
    over = []
    for name in frames:
        (t_full, t_only), (r_full, r_only) = (min(t) for t in times[name]), (median(r) for r in ratios[name])
        print(
            f"{name:16} {t_full:7.2f}ms {t_full / rust_ms:8.3f}x {r_full:6.3f}x"
            f"   {t_only:9.2f}ms {t_only / rust_only_ms:8.3f}x {r_only:6.3f}x"
        )
        if name in ("pandas", "polars") and max(r_full, r_only) > 1.10:
            over.append(name)
    for contributions in () if a.no_memory else (False, True):
        inp, before, grew, result, again = peak_memory(n, contributions)
        print(
            f"pandas, contributions={contributions}: input columns {inp:.1f} MiB (process {before:.0f} MiB); "
            f"peak RSS grew {grew:.1f} MiB on the first call, {again:.1f} MiB on a second; "
            f"the result holds {result:.1f} MiB"
        )
    if a.check and over:
        sys.exit(f"over 10%: {', '.join(over)}")


if __name__ == "__main__":
    main()
