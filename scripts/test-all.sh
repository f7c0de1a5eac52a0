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

echo "== python =="
bash scripts/test-python.sh

echo "== node =="
bash scripts/test-node.sh

echo "== fuzz: a short run of every target =="
# 15 s each (the sustained runs are reported in the issue notes); skipped, saying so, without
# a nightly toolchain.
bash scripts/fuzz.sh 15

echo "== all tests passed =="
