#!/usr/bin/env bash
# Builds sites from synthetic RSSDs of 10k, 100k and 1M executions (100, 1,000 and
# 10,000 sessions of 100 executions, trees 4 deep, ~10% failures, outputs of ~300
# bytes, a few 1 MB outputs) and prints wall time, peak RSS, pages per second and
# bytes written for the full build, then for a rebuild of the unchanged RSSD.
#
# usage: scripts/bench.sh [SIZES...]     SIZES among 10k 100k 1m (default: 10k 100k)
# Needs GNU time (/usr/bin/time). Work files go to ${BENCH_DIR:-/tmp/osx-report-bench}.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$here/target/release/osx-report"
dir="${BENCH_DIR:-/tmp/osx-report-bench}"
mkdir -p "$dir"
[ -x "$bin" ] || (cd "$here" && cargo build --release --quiet)
sizes=("${@:-10k 100k}")
[ $# -gt 0 ] || sizes=(10k 100k)
printf '%-6s %-9s %9s %10s %10s %12s %14s\n' size build wall_s peak_MB pages/s files MB_written
for size in "${sizes[@]}"; do
  case "$size" in
    10k) sessions=100 ;; 100k) sessions=1000 ;; 1m) sessions=10000 ;;
    *) echo "unknown size $size" >&2; exit 2 ;;
  esac
  db="$dir/rssd-$size.sqlite.db"
  [ -f "$db" ] || "$bin" gen-rssd "$db" --sessions "$sessions" --huge-outputs 3
  out="$dir/site-$size"
  rm -rf "$out"
  for build in first rebuild; do
    /usr/bin/time -f '%e %M' -o "$dir/time.txt" "$bin" build "$db" --out "$out" --quiet
    read -r wall rss < "$dir/time.txt"
    pages=$(find "$out" -name '*.html' | wc -l)
    files=$(find "$out" -type f | wc -l)
    bytes=$(du -sb "$out" | cut -f1)
    printf '%-6s %-9s %9s %10d %10s %12s %14d\n' "$size" "$build" "$wall" $((rss / 1024)) \
      "$(awk -v p="$pages" -v w="$wall" 'BEGIN { printf "%d/s", (w > 0 ? p / w : 0) }')" "$files" $((bytes / 1000000))
  done
done
