#!/usr/bin/env bash
# Builds sites from synthetic RSSDs of 10k, 100k and 1M executions (100, 1,000 and
# 10,000 sessions of 100 executions, trees 4 deep, ~10% failures, outputs of ~300
# bytes, a few 1 MB outputs) and prints, for the full build (HTML, Markdown, search
# index, schema docs, CI files), then for a rebuild of the unchanged RSSD, then for a
# rebuild after one execution changed: wall time, CPU time, peak RSS, pages per second,
# files, and megabytes written.
#
# usage: scripts/bench.sh [SIZES...]     SIZES among 10k 100k 1m (default: 10k 100k)
# The full build runs ${RUNS:-3} times into an emptied folder; the row is the run of
# median wall time (the first runs after deleting a large site pay for the file
# system's reclaiming it).
# Needs GNU time (/usr/bin/time); python3 for the "changed" row (skipped without it).
# Work files go to ${BENCH_DIR:-/tmp/osx-report-bench}. Creating files costs the file
# system time that counts as system time: compare runs on the same file system
# (BENCH_DIR=/dev/shm/... for tmpfs).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$here/target/release/osx-report"
dir="${BENCH_DIR:-/tmp/osx-report-bench}"
mkdir -p "$dir"
(cd "$here" && cargo build --release --quiet)
sizes=("$@")
[ $# -gt 0 ] || sizes=(10k 100k)
printf '%-6s %-9s %8s %8s %8s %10s %9s %8s %10s\n' size build wall_s user_s sys_s peak_MB pages/s files MB_written
run() { # size label db out
  /usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" "$bin" build "$3" --out "$4" --quiet || true
  read -r wall user sys rss < "$dir/time.txt"
  local pages files bytes
  pages=$(find "$4" -name '*.html' | wc -l)
  files=$(find "$4" -type f | wc -l)
  bytes=$(du -sb "$4" | cut -f1)
  printf '%-6s %-9s %8s %8s %8s %10d %9s %8s %10d\n' "$1" "$2" "$wall" "$user" "$sys" $((rss / 1024)) \
    "$(awk -v p="$pages" -v w="$wall" 'BEGIN { printf "%d", (w > 0 ? p / w : 0) }')" "$files" $((bytes / 1000000))
}
for size in "${sizes[@]}"; do
  case "$size" in
    10k) sessions=100 ;; 100k) sessions=1000 ;; 1m) sessions=10000 ;;
    *) echo "unknown size $size" >&2; exit 2 ;;
  esac
  db="$dir/rssd-$size.sqlite.db"
  [ -f "$db" ] || "$bin" gen-rssd "$db" --sessions "$sessions" --huge-outputs 3
  out="$dir/site-$size"
  rows=()
  for _ in $(seq "${RUNS:-3}"); do
    rm -rf "$out"
    rows+=("$(run "$size" first "$db" "$out")")
  done
  printf '%s\n' "${rows[@]}" | sort -k3,3n | sed -n "$(( (${#rows[@]} + 1) / 2 ))p"
  run "$size" rebuild "$db" "$out"
  if command -v python3 >/dev/null; then
    changed="$dir/rssd-$size.changed.sqlite.db"
    cp "$db" "$changed"
    python3 - "$changed" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE orchestration_session_exec SET output_text = 'changed for the benchmark' "
          "WHERE rowid = (SELECT max(rowid) FROM orchestration_session_exec)")
c.commit()
PY
    # the site was built from $db: point a copy of it at the changed file
    cp "$changed" "$db.tmp" && mv "$db" "$db.orig" && mv "$db.tmp" "$db"
    run "$size" changed "$db" "$out"
    mv "$db.orig" "$db"
    rm -f "$changed"
  fi
done
