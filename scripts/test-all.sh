#!/usr/bin/env bash
# Run every test of the workspace: Rust (with fmt and clippy gates), Python, Node.
# Works on a fresh machine: installs maturin, pytest and the napi CLI from the package registries.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# A clean CI build gains nothing from incremental state, which costs gigabytes of disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

echo "== rust: fmt, clippy, tests, docs =="
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
RUSTDOCFLAGS="-D warnings" cargo doc -p csops-core --no-deps --locked
python3 scripts/check-msrv.py
# The crate as it would be published: packaged and built from the package alone.
cargo package -p csops-core --locked --allow-dirty --quiet

echo "== rust: the README's snippet (examples/readme.rs) =="
cargo run --quiet --locked -p csops-core --example readme > /dev/null

# Each language: the test build (with panic injection) runs the panic tests; everything else
# runs against what users get, the release wheel and the npm tarball installed into fresh
# environments outside the repository, with the READMEs' snippets.
echo "== python =="
CSOPS_PY_PANICS_ONLY=1 bash scripts/test-python.sh
bash scripts/test-python-package.sh

echo "== the weekly report in a headless browser =="
bash scripts/test-report.sh

echo "== node =="
CSOPS_NODE_PANICS_ONLY=1 bash scripts/test-node.sh
bash scripts/test-node-package.sh

echo "== fuzz: a short run of every target =="
# 15 s each (the sustained runs are reported in the issue notes); skipped, saying so, without
# a nightly toolchain.
bash scripts/fuzz.sh 15

echo "== all tests passed =="
