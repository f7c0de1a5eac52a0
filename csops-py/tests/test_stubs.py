"""The type stubs (``csops/_csops.pyi``) match the compiled module: mypy's stubtest
compares every name, signature, parameter name and default against the runtime."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_stubtest(tmp_path: Path) -> None:
    pytest.importorskip(
        "mypy.stubtest", reason="mypy is not installed (scripts/test-python.sh installs it)"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "csops"],
        cwd=tmp_path,  # any cache mypy writes goes there, not into the repository
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
