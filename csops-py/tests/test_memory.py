"""Large inputs are not copied: scoring a 1M-row pandas frame grows the process's peak memory by
about the size of the result, not by the size of the input (its float64 columns are read in
place). Measured in a fresh process, with the kernel's peak-RSS mark reset just before scoring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHILD = """
import gc, sys
import numpy as np, pandas as pd, csops

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

n = 1_000_000
features = ["logins_per_user_week", "dau_mau", "feature_breadth", "seat_utilisation",
            "exec_sponsor_present", "champion_present", "days_since_last_ebr",
            "open_high_priority_tickets", "avg_csat", "nps"]
rng = np.random.default_rng(5)
df = pd.DataFrame({c: rng.uniform(0, 1, n) for c in features})
card = csops.Scorecard.default()
card.score(df.head(100), contributions=False)  # warm up
gc.collect()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak RSS mark (VmHWM) to the current RSS
base = status("VmRSS")
out = card.score(df, contributions=sys.argv[1] == "full")
peak = status("VmHWM")
result = int(out.memory_usage(index=False).sum())
print(n * len(features) * 8, peak - base, result)
"""


@pytest.mark.parametrize("detail", ["scores", "full"])
def test_scoring_a_million_rows_does_not_copy_the_input(detail: str) -> None:
    pytest.importorskip("pandas")
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("needs Linux's /proc/self/clear_refs to reset the peak RSS mark")
    out = subprocess.run([sys.executable, "-c", CHILD, detail], capture_output=True, text=True, timeout=300)
    if out.returncode != 0 and "clear_refs" in out.stderr:
        pytest.skip("cannot reset the peak RSS mark here")
    assert out.returncode == 0, out.stderr
    input_size, growth, result = (int(x) for x in out.stdout.split())
    # The result, plus less than half the input (a copy of the input would be all of it).
    assert growth < result + input_size // 2, (input_size, growth, result)
