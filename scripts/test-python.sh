#!/usr/bin/env bash
# Build the csops Python package (csops-py) and run its test suite.
#
#   bash scripts/test-python.sh [extra pytest args...]
#
# - Works from any directory: everything is relative to the repository root.
# - Uses (and reuses) a virtualenv at target/py-venv, made from $PYTHON
#   (default: python3, which must be 3.10 or newer).
# - Builds with the workspace's target dir, so cargo's cache is shared with
#   `cargo build`/`cargo test`; the build is a debug one (fast to compile).
#   Set CSOPS_PY_PROFILE=release for an optimised build.
# - Needs the network only for PyPI (maturin, pytest, numpy, pandas, polars, mypy, pyspark,
#   pyarrow, matplotlib, nbformat, nbclient, ipykernel) and crates.io (cargo's
#   dependencies), and only when they are not cached yet. Outside CI a test dependency that
#   cannot be installed only warns (its tests skip, saying why); with CI=true it is an error,
#   so CI never passes by skipping.
# - The csops.spark tests also need Java 17 or newer (`java` on PATH, or JAVA_HOME); they
#   skip, saying so, without it or without pyspark.
# - Exits non-zero if any step, or any test, fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="$ROOT/target/py-venv"
PROFILE="${CSOPS_PY_PROFILE:-dev}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

# 1. The virtualenv: reuse it if its interpreter still runs and is new enough
#    (a pyenv upgrade can leave a venv pointing at a vanished Python).
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    step "creating virtualenv $VENV with $PYTHON"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || { echo "error: $PYTHON is older than 3.10" >&2; exit 1; }
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
# Put the venv first on PATH, as `activate` would: maturin's PEP 517 backend
# runs the `maturin` executable it finds on PATH.
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
VPY="$VENV/bin/python"
"$VPY" --version

# 2. Build and test tools (must install), then the test dependencies: outside CI a failure
#    only warns (the tests needing them skip, saying why); in CI it stops the run.
step "installing maturin and pytest"
"$VPY" -m pip install --quiet "maturin>=1.9.4,<2" "pytest>=8"
optional() {
    local what="$1"
    shift
    if ! "$VPY" -m pip install --quiet "$@"; then
        if [ "${CI:-}" = "true" ]; then
            echo "error: $what could not be installed; in CI every test must run" >&2
            exit 1
        fi
        echo "warning: $what could not be installed; the tests needing it will skip" >&2
    fi
}
step "installing test dependencies (numpy, pandas, mypy, polars, pyspark, pyarrow, matplotlib, nbformat, nbclient, ipykernel)"
optional "numpy/pandas/mypy" "numpy>=1.26" "pandas>=2.1" "mypy>=1.10"
optional "polars" "polars>=1.0"
optional "pyspark/pyarrow" "pyspark>=4.0,<5" "pyarrow>=18"
optional "matplotlib/nbformat/nbclient/ipykernel" \
    "matplotlib>=3.8" "nbformat>=5.9" "nbclient>=0.9" "ipykernel>=6.25"

# 3. Build the wheel with maturin (PEP 517, the same path as `pip install
#    ./csops-py`) and install it into the venv. No build isolation: the venv's
#    maturin does the build, so nothing is downloaded per run.
#    maturin sets PYO3_BUILD_EXTENSION_MODULE itself (no libpython linking).
step "building and installing csops-py (cargo profile: $PROFILE)"
build_started=$SECONDS
# `panic-injection`: the test build lets tests make the core panic (test_panics.py).
MATURIN_PEP517_ARGS="--profile $PROFILE --features panic-injection" \
    "$VPY" -m pip install --quiet --no-build-isolation --force-reinstall --no-deps ./csops-py
echo "built and installed in $((SECONDS - build_started))s"

# 4. The tests, against the installed package (not the source tree). With
#    CSOPS_PY_PANICS_ONLY=1 (the test command, scripts/test-all.sh) only test_panics.py runs
#    here: the rest runs against the release wheel (scripts/test-python-package.sh).
step "running pytest"
# The build has the panic-injection feature: test_panics.py must run, not skip.
if [[ "${CSOPS_PY_PANICS_ONLY:-0}" == 1 ]]; then
    CSOPS_PANIC_INJECTION=1 "$VPY" -m pytest csops-py/tests/test_panics.py "$@"
else
    CSOPS_PANIC_INJECTION=1 "$VPY" -m pytest csops-py/tests "$@"
fi
echo "test-python.sh: done in $((SECONDS - started))s"
