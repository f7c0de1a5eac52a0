#!/usr/bin/env bash
# Test the Python package as a user gets it: build the release wheel (`maturin build
# --release`), install it into a fresh virtualenv outside the repository with only its
# declared dependencies, run the README's Python snippets there, then add the test
# dependencies and run the whole suite (csops-py/tests) against that install.
#
#   bash scripts/test-python-package.sh [extra pytest args...]
#
# Uses the maturin of target/py-venv (scripts/test-python.sh makes it). Prints the wheel's
# size and the build and install times. The wheel has no panic-injection feature, so
# test_panics.py is left out here; scripts/test-python.sh runs it against the test build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
MATURIN="$ROOT/target/py-venv/bin/maturin"
[[ -x "$MATURIN" ]] || { echo "test-python-package.sh: run scripts/test-python.sh first (it installs maturin)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/csops-python-package.XXXXXX")"
trap 'rm -rf "$work"' EXIT
step() { printf '\n==> %s\n' "$*"; }

step "building the release wheel (maturin build --release)"
started=$SECONDS
"$MATURIN" build --release --quiet -m csops-py/Cargo.toml --out "$work/dist"
wheel="$(ls "$work"/dist/csops-*.whl)"
echo "built $(basename "$wheel") in $((SECONDS - started)) s: $(du -h "$wheel" | cut -f1)"

step "installing it into a fresh virtualenv (declared dependencies only)"
"$PYTHON" -m venv "$work/venv"
VPY="$work/venv/bin/python"
started=$SECONDS
"$VPY" -m pip install --quiet "$wheel[plot]"
echo "installed in $((SECONDS - started)) s: $("$VPY" -m pip list --format=freeze | tr '\n' ' ')"
# The README's snippets, run from the repository root (where their paths lead).
python3 scripts/snippets.py README.md python > "$work/readme.py"
python3 scripts/snippets.py csops-py/README.md python > "$work/package-readme.py"
for snippet in readme.py package-readme.py; do
    echo "running the ${snippet%.py} snippet"
    MPLBACKEND=Agg "$VPY" "$work/$snippet" > "$work/$snippet.out" \
        || { cat "$work/$snippet.out" >&2; echo "test-python-package.sh: the ${snippet%.py} snippet failed" >&2; exit 1; }
done

step "the suite against the installed wheel"
"$VPY" -m pip install --quiet "pytest>=8" "polars>=1.0" "mypy>=1.10" "pyspark>=4.0,<5" "pyarrow>=18" \
    "nbformat>=5.9" "nbclient>=0.9" "ipykernel>=6.25"
# conftest.py fails the run unless `import csops` is this install. test_panics.py needs the
# test build's panic injection and ran against it (scripts/test-python.sh): not here, where it
# could only skip (and a skip fails a CI run).
CSOPS_EXPECT_INSTALLED="$work/venv" "$VPY" -m pytest -p no:cacheprovider \
    --ignore=csops-py/tests/test_panics.py csops-py/tests "$@"
echo "test-python-package.sh: done"
