"""The package imports, and reports the workspace's version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import csops

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 has no tomllib; its backport has the same API.
    tomllib = pytest.importorskip("tomli")

WORKSPACE_CARGO_TOML = Path(__file__).resolve().parents[2] / "Cargo.toml"


def workspace_version() -> str:
    with WORKSPACE_CARGO_TOML.open("rb") as f:
        manifest = tomllib.load(f)
    return manifest["workspace"]["package"]["version"]


def test_version_matches_workspace_cargo_toml() -> None:
    assert csops.__version__ == workspace_version()


def test_version_is_the_native_modules() -> None:
    from csops import _csops

    assert csops.__version__ == _csops.__version__


def test_distribution_metadata_version_matches() -> None:
    from importlib.metadata import version

    assert version("csops") == workspace_version()


def test_import_does_not_pull_in_pandas_or_numpy() -> None:
    # A fresh interpreter: this test process may have imported pandas already.
    code = (
        "import sys, csops; "
        "heavy = sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules); "
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert out == "", f"import csops imported {out}"
