#!/usr/bin/env bash
# Wall time of a whole `osx-report build` (process start to exit) for schema docs of a
# surveilr-sized database: 61 tables.
#
# usage: scripts/bench-schema.sh [RUNS]        (default 30 runs after 3 warm-ups)
#
# The database is built from ../shared/rssd/rssd-ddl.sql + rssd-ddl-lifecycle-extra.sql
# (the 52 + 9 tables of a real RSSD; TBLS=1 adds surveilr's tbls comments) when that folder is
# there (set SHARED to point elsewhere), else from a generated schema of the same size:
# 61 tables of 8 to 20 columns with foreign keys, indexes, CHECKs, triggers and views.
# The release binary is built first. hyperfine is used when installed; otherwise a loop
# timed with `date +%s%N`. Prints min and median in ms last. Not a test: run by hand.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-30}"
shared="${SHARED:-$root/../shared}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/osx-report"
db="$work/bench.sqlite.db"
extra=()

if [ -f "$shared/rssd/rssd-ddl.sql" ] && [ -f "$shared/rssd/rssd-ddl-lifecycle-extra.sql" ]; then
  echo "database: $shared/rssd/rssd-ddl.sql + rssd-ddl-lifecycle-extra.sql"
  python3 - "$db" "$shared/rssd/rssd-ddl.sql" "$shared/rssd/rssd-ddl-lifecycle-extra.sql" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for f in sys.argv[2:]:
    con.executescript(open(f).read())
con.close()
PY
  # With TBLS=1, surveilr's tbls file adds its comments (and its include list: 46 tables).
  if [ "${TBLS:-0}" = 1 ] && [ -f "$shared/rssd/surveilr-rssd.tbls.yml" ]; then
    extra=(--tbls "$shared/rssd/surveilr-rssd.tbls.yml")
  fi
else
  echo "database: generated (no $shared/rssd)"
  python3 - "$db" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
sql = []
for t in range(61):
    cols = ["id TEXT PRIMARY KEY NOT NULL"]
    if t > 0:
        cols.append(f"parent_id TEXT NOT NULL REFERENCES t{t - 1:02d} (id)")
    if t > 1:
        cols.append(f"other_id TEXT REFERENCES t{t // 2:02d} (id) ON DELETE CASCADE")
    for c in range(5 + t % 13):
        kind = ["TEXT", "INTEGER", "REAL", "BLOB"][c % 4]
        check = f" CHECK (json_valid(c{c}) OR c{c} IS NULL)" if c == 2 and kind == "REAL" else ""
        cols.append(f"c{c} {kind}{' NOT NULL' if c % 3 == 0 else ''}{check}")
    cols.append("created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP")
    cols.append("UNIQUE (id, c0)")
    sql.append(f"CREATE TABLE t{t:02d} (\n  " + ",\n  ".join(cols) + "\n);")
    sql.append(f"CREATE INDEX t{t:02d}_c1 ON t{t:02d} (c1, created_at);")
    if t % 5 == 0:
        sql.append(f"CREATE TRIGGER t{t:02d}_ai AFTER INSERT ON t{t:02d} BEGIN SELECT 1; END;")
for v in range(5):
    sql.append(f"CREATE VIEW v{v} AS SELECT a.id, b.c0 FROM t{v:02d} a JOIN t{v + 1:02d} b ON b.parent_id = a.id;")
con.executescript("\n".join(sql))
con.close()
PY
fi

n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select count(*) from sqlite_schema where type='table' and name not like 'sqlite_%'\").fetchone()[0])" "$db")
echo "tables: $n; runs: $runs; binary: $bin"
cmd=("$bin" build "$db" --out "$work/out" --quiet "${extra[@]}")
"${cmd[@]}"
ls "$work/out/schema" | wc -l | xargs echo "files in schema/:"

if command -v hyperfine >/dev/null; then
  # every run builds from scratch: an output folder left by the previous run would make
  # it a no-op rebuild (the site is up to date)
  hyperfine --warmup 3 --runs "$runs" --prepare "rm -rf $work/out" --export-json "$work/h.json" \
    -N "${cmd[*]}" >/dev/null
  python3 - "$work/h.json" <<'PY'
import json, statistics, sys
t = [x * 1000 for x in json.load(open(sys.argv[1]))["results"][0]["times"]]
print(f"hyperfine: min {min(t):.1f} ms, median {statistics.median(t):.1f} ms, max {max(t):.1f} ms")
PY
else
  for _ in 1 2 3; do rm -rf "$work/out"; "${cmd[@]}"; done
  times=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/out"
    s=$(date +%s%N)
    "${cmd[@]}"
    e=$(date +%s%N)
    times+=($(((e - s) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
    printf "date loop: min %.1f ms, median %.1f ms, max %.1f ms\n", a[1] / 1000, m / 1000, a[NR] / 1000 }'
fi
