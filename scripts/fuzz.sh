#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for SECONDS (default 60), one after the other.
# Not part of CI. Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain.
#
#   scripts/fuzz.sh 300                 # every target, 5 minutes each
#   scripts/fuzz.sh 60 markdown slug    # some targets
#
# A crash leaves its input in fuzz/artifacts/<target>/; reproduce it with
# `cargo +nightly fuzz run <target> <file>`, fix it, and add the input as a named test
# in tests/regression.rs (which runs the same properties under `cargo test`).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(sql_lexer sql_ddl markdown_escape markdown ansi slug)
fi
toolchain="${FUZZ_TOOLCHAIN:-nightly}"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t: ${seconds}s"
  if ! cargo "+$toolchain" fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
      -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1; then
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
