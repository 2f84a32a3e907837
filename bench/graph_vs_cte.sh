#!/usr/bin/env bash
# cascade's inventory graph against the same forward propagation written as a recursive CTE in
# SQLite and in PostgreSQL (issue 7), in one run:
#   1. graph_bench generate: a synthetic enterprise (scale 1: 1M hosts, 5M artifacts, 100k
#      builds, 20M edges) through graph::ingest_documents into a fresh SQLite file in the
#      store's bulk mode, then once more durable (as `cascade graph ingest` stores) for its
#      ingest rate, and once with the rows discarded (no store: what generating and converting
#      alone cost, the ceiling of any store's ingest rate on this machine);
#   2. graph_bench trace: load into memory, forward search (median of 5), full trace_forward;
#   3. bench/graph_cte_sqlite.sql with Debian's sqlite3 on the same file;
#   4. the same edges copied into a throwaway PostgreSQL 15 (tests/graph/pg-server), then
#      bench/graph_cte_postgres.sql with psql.
# Before any figure counts, the CTE answers (node set and earliest times) must equal
# graph_bench's exactly on a 0.01-scale enterprise; at the full scale they are compared again
# whenever a CTE finishes in time. A mismatch fails the run.
# Usage: bench/graph_vs_cte.sh BUILD_DIR [SCALE]   (SCALE: 1 by default; 0.01 for a quick check)
# Environment: GRAPH_CTE_TIMEOUT (seconds per CTE, default 900).
set -euo pipefail
[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 BUILD_DIR [SCALE]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
scale=${2:-1}
timeout_s=${GRAPH_CTE_TIMEOUT:-900}
check_scale=0.01
no_time=-9223372036854775807  # "from the start" for the CTEs' :since

ninja -C "$build" graph_bench >/dev/null
graph_bench=$build/bench/graph_bench
pg_server=$here/../tests/graph/pg-server

work=$(mktemp -d /tmp/cascade-graph-bench.XXXXXX)
pg_dir=""
cleanup() {
  if [[ -n $pg_dir ]]; then "$pg_server" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT
export SQLITE_TMPDIR=$work

metric() { awk -v key="$1" '$1 == "metric" && $2 == key { print $3 }' "$2"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# A throwaway server, started on first use. pg-server runs postgres as nobody, so its directory
# lives directly under /tmp rather than inside the (private) work directory.
pg_uri=""
start_postgres() {
  [[ -n $pg_uri ]] && return 0
  if [[ ! -x $pg_server ]]; then
    echo "graph_vs_cte: $pg_server is missing" >&2
    exit 2
  fi
  pg_dir=$(mktemp -d /tmp/cascade-graph-pg.XXXXXX)
  "$pg_server" start "$pg_dir" >&2
  pg_uri=$(cat "$pg_dir/uri")
}
pg() { psql -X -q -v ON_ERROR_STOP=1 "$pg_uri" "$@"; }

# run_sqlite_cte DB SEED SINCE OUT: prints the seconds taken, or ">N" on timeout.
run_sqlite_cte() {
  local db=$1 seed=$2 since=$3 out=$4 start rc=0
  start=$(now)
  timeout "$timeout_s" sqlite3 -batch -csv "$db" >"$out" 2>"$out.err" <<EOF || rc=$?
.output /dev/null
PRAGMA cache_size=-262144;
PRAGMA mmap_size=8589934592;
.output stdout
.parameter set :seed $seed
.parameter set :since $since
.read $here/graph_cte_sqlite.sql
EOF
  if [[ $rc -eq 124 ]]; then
    echo ">$timeout_s"
  elif [[ $rc -ne 0 ]]; then
    echo "graph_vs_cte: sqlite3 CTE failed:" >&2
    cat "$out.err" >&2
    exit 1
  else
    elapsed "$start" "$(now)"
  fi
}

# run_postgres_cte SEED SINCE OUT: the same, against the loaded server.
run_postgres_cte() {
  local seed=$1 since=$2 out=$3 start rc=0
  start=$(now)
  PGOPTIONS="-c statement_timeout=${timeout_s}s -c work_mem=256MB" \
    pg --csv -t -v seed="$seed" -v since="$since" -f "$here/graph_cte_postgres.sql" \
    >"$out" 2>"$out.err" || rc=$?
  if [[ $rc -ne 0 ]] && grep -q "statement timeout" "$out.err"; then
    echo ">$timeout_s"
  elif [[ $rc -ne 0 ]]; then
    echo "graph_vs_cte: psql CTE failed:" >&2
    cat "$out.err" >&2
    exit 1
  else
    elapsed "$start" "$(now)"
  fi
}

# index_sqlite DB: the indexes the CTE walks by (not counted against it); prints seconds.
index_sqlite() {
  local start
  start=$(now)
  sqlite3 -batch "$1" "CREATE INDEX IF NOT EXISTS edge_src ON edge (src);
                       CREATE INDEX IF NOT EXISTS edge_dst ON edge (dst); ANALYZE;"
  elapsed "$start" "$(now)"
}

# load_postgres DB: copies the edge table; prints "copy_seconds index_seconds".
load_postgres() {
  local db=$1 start copied
  pg -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS edge" -c "CREATE TABLE edge (src BIGINT NOT NULL, dst BIGINT NOT \
NULL, kind SMALLINT NOT NULL, t_from BIGINT, t_until BIGINT, doc BIGINT NOT NULL)"
  start=$(now)
  sqlite3 -batch -csv "$db" "SELECT src, dst, kind, t_from, t_until, doc FROM edge" |
    pg -c "\copy edge FROM STDIN CSV"
  copied=$(now)
  pg -c "CREATE INDEX edge_src ON edge (src)" -c "CREATE INDEX edge_dst ON edge (dst)" \
    -c "VACUUM ANALYZE edge"
  echo "$(elapsed "$start" "$copied") $(elapsed "$copied" "$(now)")"
}

# same_answer NAME CTE_OUT DUMP: the reached nodes and their earliest times, exactly.
same_answer() {
  local name=$1 cte=$2 dump=$3
  LC_ALL=C sort -o "$cte.sorted" "$cte"
  if ! cmp -s "$cte.sorted" "$dump"; then
    echo "graph_vs_cte: FAIL: the $name CTE and cascade disagree (node,time; < CTE, > cascade):" >&2
    diff "$cte.sorted" "$dump" | head -20 >&2
    echo "  CTE: $(wc -l <"$cte.sorted") nodes, cascade: $(wc -l <"$dump") nodes" >&2
    exit 1
  fi
  echo "graph_vs_cte: $name CTE answer == cascade's ($(wc -l <"$dump") nodes with times)" >&2
}

# generate SCALE DIR: the enterprise into DIR/graph.db; metrics in DIR/generate.txt.
generate() {
  mkdir -p "$2"
  echo "graph_vs_cte: generating scale $1 into $2/graph.db" >&2
  "$graph_bench" generate --db "$2/graph.db" --scale "$1" >"$2/generate.txt" 2>"$2/generate.log"
}
seed_of() { awk '$1 == "seed" { print $2 }' "$1/generate.txt"; }
# generate_durable SCALE DIR: the same enterprise as `cascade graph ingest` stores it (WAL, a
# committed transaction per document, synced at checkpoints), for its ingest rate only.
generate_durable() {
  echo "graph_vs_cte: generating scale $1 again, durable (as graph ingest stores)" >&2
  "$graph_bench" generate --db "$2/durable.db" --scale "$1" --durability durable \
    >"$2/generate-durable.txt" 2>"$2/generate-durable.log"
  rm -f "$2/durable.db" "$2/durable.db-wal" "$2/durable.db-shm"
}

# generate_discarded SCALE DIR: the same documents made and converted to rows, then dropped.
generate_discarded() {
  echo "graph_vs_cte: generating scale $1 again, rows discarded (no store)" >&2
  "$graph_bench" generate --db "$2/unused.db" --scale "$1" --durability discard \
    >"$2/generate-discard.txt" 2>"$2/generate-discard.log"
}

dump_answer() {
  "$graph_bench" dump --db "$1/graph.db" --seed "$(seed_of "$1")" | LC_ALL=C sort >"$1/cascade.csv"
}

# 1. Correctness first, on a small enterprise: the ratio means nothing unless the answers agree.
check=$work/check
generate "$check_scale" "$check"
dump_answer "$check"
check_seed_id=$(metric seed_id "$check/generate.txt")
index_sqlite "$check/graph.db" >/dev/null
check_sqlite_s=$(run_sqlite_cte "$check/graph.db" "$check_seed_id" "$no_time" "$check/sqlite.csv")
[[ $check_sqlite_s != ">"* ]] || { echo "graph_vs_cte: the check CTE timed out" >&2; exit 1; }
same_answer SQLite "$check/sqlite.csv" "$check/cascade.csv"
start_postgres
load_postgres "$check/graph.db" >/dev/null
check_pg_s=$(run_postgres_cte "$check_seed_id" "$no_time" "$check/postgres.csv")
[[ $check_pg_s != ">"* ]] || { echo "graph_vs_cte: the check CTE timed out" >&2; exit 1; }
same_answer PostgreSQL "$check/postgres.csv" "$check/cascade.csv"

# 2. The measured run (the check's enterprise again when SCALE is the check scale).
run=$check
if [[ $scale != "$check_scale" ]]; then
  run=$work/run
  rm -rf "$check"
  generate "$scale" "$run"
fi
generate_durable "$scale" "$run"
generate_discarded "$scale" "$run"
seed=$(seed_of "$run")
seed_id=$(metric seed_id "$run/generate.txt")
echo "graph_vs_cte: graph_bench trace --seed $seed" >&2
"$graph_bench" trace --db "$run/graph.db" --seed "$seed" >"$run/trace.txt"
[[ -s $run/cascade.csv ]] || dump_answer "$run"

echo "graph_vs_cte: SQLite recursive CTE (timeout $timeout_s s)" >&2
sqlite_index_s=$(index_sqlite "$run/graph.db")
sqlite_s=$(run_sqlite_cte "$run/graph.db" "$seed_id" "$no_time" "$run/sqlite.csv")
[[ $sqlite_s == ">"* ]] || same_answer SQLite "$run/sqlite.csv" "$run/cascade.csv"

echo "graph_vs_cte: PostgreSQL recursive CTE (timeout $timeout_s s)" >&2
load_postgres "$run/graph.db" >"$run/pg_load.txt"
read -r pg_copy_s pg_index_s <"$run/pg_load.txt"
pg_s=$(run_postgres_cte "$seed_id" "$no_time" "$run/postgres.csv")
[[ $pg_s == ">"* ]] || same_answer PostgreSQL "$run/postgres.csv" "$run/cascade.csv"

# 3. The table.
g=$run/generate.txt t=$run/trace.txt
search_s=$(metric search_s "$t")
ratio() {  # CTE seconds (or ">N") over cascade's
  awk -v c="$1" -v s="$2" 'BEGIN { lower = (c ~ /^>/); sub(/^>/, "", c);
    printf "%s%.0fx", lower ? ">" : "", c / s }'
}
target() {  # value op bound -> ok / MISSED
  awk -v v="$1" -v op="$2" -v b="$3" 'BEGIN { sub(/^>/, "", v);
    ok = (op == ">=") ? v + 0 >= b + 0 : v + 0 < b + 0; print ok ? "ok" : "MISSED" }'
}
row() { printf '%-44s %16s   %s\n' "$1" "$2" "${3:-}"; }
ingest_rate=$(metric ingest_edges_per_s "$g")
materialised_s=$(metric trace_materialised_s "$t")
peak_mb=$(metric peak_rss_mb "$t")
sqlite_ratio=$(ratio "$sqlite_s" "$search_s")
pg_ratio=$(ratio "$pg_s" "$search_s")
echo
echo "cascade graph vs recursive CTEs, scale $scale: $(metric nodes_stored "$g") nodes," \
  "$(metric edges_stored "$g") edges in $(metric documents "$g") documents"
echo "seed $seed reaches $(metric reached "$t") nodes ($(metric reached_host "$t") hosts," \
  "$(metric reached_build "$t") builds, $(metric reached_artifact "$t") artifacts," \
  "$(metric reached_release "$t") releases, $(metric reached_org "$t") orgs)"
row "measure" "value" "target"
durable_rate=$(metric ingest_edges_per_s "$run/generate-durable.txt")
row "ingest into SQLite, durable (edges/s)" "$(printf '%.0f' "$durable_rate")" \
  ">= 1000000 $(target "$durable_rate" ">=" 1000000)"
row "  ingest wall time (s)" "$(metric ingest_s "$run/generate-durable.txt")"
row "  with no store at all (edges/s)" \
  "$(printf '%.0f' "$(metric ingest_edges_per_s "$run/generate-discard.txt")")"
row "ingest into SQLite, bulk mode (edges/s)" "$(printf '%.0f' "$ingest_rate")" \
  ">= 1000000 $(target "$ingest_rate" ">=" 1000000)"
row "  ingest wall time (s)" "$(metric ingest_s "$g")"
row "  generate + ingest (edges/s)" "$(printf '%.0f' "$(metric generate_and_ingest_edges_per_s "$g")")"
row "load into memory (s)" "$(metric load_s "$t")"
row "  of which SQLite row scans alone (s)" "$(metric store_scan_s "$t")"
row "trace: forward search, median of 5 (s)" "$search_s" "< 1 $(target "$search_s" "<" 1)"
row "trace with materialisation (s)" "$materialised_s"
row "peak RSS of the trace process (MB)" "$peak_mb" "< 4096 $(target "$peak_mb" "<" 4096)"
row "  after load / after search (MB)" \
  "$(metric rss_after_load_mb "$t") / $(metric rss_after_search_mb "$t")"
row "SQLite recursive CTE (s)" "$sqlite_s"
row "  its indexes edge(src), edge(dst) (s)" "$sqlite_index_s"
row "PostgreSQL recursive CTE (s)" "$pg_s"
row "  copy in / indexes (s)" "$pg_copy_s / $pg_index_s"
row "SQLite CTE / cascade search" "$sqlite_ratio" ">= 20x $(target "${sqlite_ratio%x}" ">=" 20)"
row "PostgreSQL CTE / cascade search" "$pg_ratio" ">= 20x $(target "${pg_ratio%x}" ">=" 20)"
row "SQLite CTE / trace with materialisation" "$(ratio "$sqlite_s" "$materialised_s")"
row "PostgreSQL CTE / trace with materialisation" "$(ratio "$pg_s" "$materialised_s")"
row "answers equal (scale $check_scale, exact)" "yes"
if [[ $run != "$check" ]]; then
  row "answers equal (scale $scale)" \
    "$([[ $sqlite_s != ">"* ]] && echo "SQLite yes" || echo "SQLite n/a"), $([[ $pg_s != ">"* ]] &&
      echo "PG yes" || echo "PG n/a")"
fi
echo
sed -n 's/^metric /graph_bench /p' "$g" "$t"
