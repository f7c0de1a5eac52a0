#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser and entry point that takes outside text (cargo fuzz,
# libFuzzer, on the nightly toolchain): CSV books, JSON books, configurations (scorecards,
# model sets, tier rules, playbooks, feature settings, header and source maps) and the
# condition language.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
#
# Each target starts from fuzz/seeds/<target> (scripts/make_fuzz_seeds.py) plus the corpus of
# earlier runs (fuzz/corpus/<target>, not committed). A crash stops the script with its input
# under fuzz/artifacts/<target>/: fix it, then keep the input in fuzz/regressions/<target>/,
# which csops-core/tests/fuzz_regressions.rs replays on stable.
#
# Needs: a nightly toolchain (`rustup toolchain list`) and cargo-fuzz (installed from
# crates.io when missing).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(csv_book json_book configs condition)

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz.sh: no nightly toolchain; the kept inputs still replay in cargo test" >&2
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz from crates.io"
  if ! cargo install --quiet --locked cargo-fuzz; then
    echo "fuzz.sh: SKIPPED: cargo-fuzz could not be installed; the kept inputs still replay in cargo test" >&2
    exit 0
  fi
fi

for t in "${targets[@]}"; do
  cargo +nightly fuzz build -O "$t" >/dev/null
done
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "fuzz.sh: $t for ${seconds}s"
  cargo +nightly fuzz run -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=262144 -print_final_stats=1 2>&1 \
    | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|ERROR|panicked|SUMMARY" || true
  if compgen -G "fuzz/artifacts/$t/*" >/dev/null; then
    echo "fuzz.sh: $t found a fault: $(ls fuzz/artifacts/$t)" >&2
    exit 1
  fi
done
echo "fuzz.sh: no faults"
