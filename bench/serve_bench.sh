#!/usr/bin/env bash
# cascade serve under load (issue 26), in one run:
#   1. graph_bench generate: the synthetic enterprise (scale 1: 20 million edges) into a fresh
#      SQLite file; a copy of it for the local ingest below;
#   2. serve_bench reports: DOCS cascade.scan/1 reports of FILES files each, all distinct;
#   3. `cascade graph ingest` of those reports into the copy (the local rate), then `cascade
#      serve` on the original, on a loopback port: its load time and memory;
#   4. trace latency, first page of LIMIT nodes, p50 and p99 over REQUESTS requests round robin
#      over a few seeds, idle and then while POSTERS clients keep posting fresh reports;
#   5. the same reports posted by CLIENTS concurrent clients (the HTTP rate, against the local
#      one), and the server's peak memory (VmHWM) after it;
#   6. ingest of the enterprise into a throwaway PostgreSQL 15 (COPY) and into SQLite (durable),
#      each beside the no-store ceiling (`graph_bench generate --durability discard`), alternating.
# Usage: bench/serve_bench.sh BUILD_DIR [SCALE]   (SCALE: 1 by default; 0.01 for a quick check)
# BUILD_DIR must be configured with -DCASCADE_BENCH=ON. Environment (defaults): DOCS (500),
# FILES (1000), CLIENTS (100), REQUESTS (20), POSTERS (2), LIMIT (1000), PORT (18480),
# SERVE_THREADS (8), SKIP_PG (unset).
set -euo pipefail
[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 BUILD_DIR [SCALE]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
scale=${2:-1}
docs=${DOCS:-500}
files=${FILES:-1000}
clients=${CLIENTS:-100}
requests=${REQUESTS:-20}
posters=${POSTERS:-2}
limit=${LIMIT:-1000}
port=${PORT:-18480}
serve_threads=${SERVE_THREADS:-8}

ninja -C "$build" cascade graph_bench serve_bench >/dev/null
cascade=$build/cascade
graph_bench=$build/bench/graph_bench
serve_bench=$build/bench/serve_bench
pg_server=$here/../tests/graph/pg-server

work=$(mktemp -d /tmp/cascade-serve-bench.XXXXXX)
pg_dir=""
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" || true; fi
  if [[ -n $pg_dir ]]; then "$pg_server" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT
export SQLITE_TMPDIR=$work

metric() { awk -v key="$1" '$1 == "metric" && $2 == key { print $3 }' "$2"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
vm() { awk -v key="$1:" '$1 == key { printf "%d", $2 / 1024 }' "/proc/$server_pid/status"; }
say() { echo "serve_bench: $*" >&2; }

say "generating the enterprise at scale $scale"
"$graph_bench" generate --db "$work/inventory.db" --scale "$scale" >"$work/generate.out" 2>/dev/null
seed=$(awk '$1 == "seed" { print $2 }' "$work/generate.out")
edges=$(metric edges_stored "$work/generate.out")
cp "$work/inventory.db" "$work/local.db"

say "writing $docs scan reports of $files files"
"$serve_bench" reports --out "$work/docs" --count "$docs" --files "$files" --scale "$scale" >/dev/null
reports_mb=$(du -sm "$work/docs" | cut -f1)

say "cascade graph ingest of the reports into a copy of the inventory"
start=$(now)
"$cascade" graph ingest --db "$work/local.db" "$work/docs"/*.json >/dev/null
local_s=$(elapsed "$start" "$(now)")
local_rate=$(awk -v n="$docs" -v s="$local_s" 'BEGIN { printf "%.1f", n / s }')
rm -f "$work/local.db"*

"$cascade" serve token create --db "$work/inventory.db" --scope admin --name bench \
  >"$work/token" 2>/dev/null
say "starting cascade serve"
start=$(now)
"$cascade" serve --db "$work/inventory.db" --listen "127.0.0.1:$port" --rate-limit 0 \
  --threads "$serve_threads" >"$work/serve.log" 2>&1 &
server_pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.2
done
load_s=$(elapsed "$start" "$(now)")
rss_loaded=$(vm VmRSS)
hwm_loaded=$(vm VmHWM)

# Seeds: the compromised library and, for ordinary questions, a build, a CI runner and a host.
hubs=$(awk -v s="$scale" 'BEGIN { h = int(1e6 * s + 0.5); if (h < 200) h = 200;
                                  h = int(h / 10000); if (h < 2) h = 2; print h }')
seeds=(--seed "$seed" --seed build:ci-17 --seed "host:h$hubs.corp" --seed host:h4242.corp)
url=http://127.0.0.1:$port
say "trace latency, idle"
"$serve_bench" trace --url "$url" --token-file "$work/token" "${seeds[@]}" \
  --requests "$requests" --limit "$limit" >"$work/idle.out"
say "trace latency while $posters clients post"
"$serve_bench" trace --url "$url" --token-file "$work/token" "${seeds[@]}" \
  --requests "$requests" --limit "$limit" --posters "$posters" --scale "$scale" \
  --files "$files" --first 1000000 >"$work/busy.out"
hwm_traced=$(vm VmHWM)

say "posting the $docs reports from $clients clients"
"$serve_bench" post --url "$url" --token-file "$work/token" --dir "$work/docs" \
  --clients "$clients" >"$work/post.out"
http_rate=$(metric post_documents_per_s "$work/post.out")
rss_after=$(vm VmRSS)
hwm_after=$(vm VmHWM)
kill "$server_pid"
wait "$server_pid" || true
server_pid=""

pg_s="" sqlite_s="" discard_s=()
if [[ -z ${SKIP_PG:-} ]]; then
  pg_dir=$(mktemp -d /tmp/cascade-serve-pg.XXXXXX)
  "$pg_server" start "$pg_dir" >/dev/null
  pg_uri=$(cat "$pg_dir/uri")
  # Alternating, so the two ceilings bracket the stores' runs on this shared machine.
  for step in discard postgres discard sqlite; do
    say "graph_bench generate: $step"
    case $step in
      discard) "$graph_bench" generate --db "$work/none.db" --scale "$scale" \
                 --durability discard >"$work/$step.out" 2>/dev/null
               discard_s+=("$(metric ingest_s "$work/$step.out")") ;;
      postgres) "$graph_bench" generate --db "$pg_uri" --scale "$scale" --durability durable \
                  >"$work/$step.out" 2>/dev/null
                pg_s=$(metric ingest_s "$work/$step.out") ;;
      sqlite) "$graph_bench" generate --db "$work/durable.db" --scale "$scale" \
                --durability durable >"$work/$step.out" 2>/dev/null
              sqlite_s=$(metric ingest_s "$work/$step.out") ;;
    esac
  done
fi

echo "# cascade serve at scale $scale: $edges edges, $docs reports of $files files ($reports_mb MB)"
printf '%-58s %s\n' "server start (load both graph directions)" "$load_s s"
printf '%-58s %s\n' "server memory after load: RSS / peak (VmHWM)" "$rss_loaded / $hwm_loaded MB"
for phase in idle busy; do
  out=$work/$phase.out
  label="trace first page ($limit), idle"
  [[ $phase == busy ]] && label="trace first page ($limit), $posters posting meanwhile"
  printf '%-58s %s\n' "$label: p50 / p99" \
    "$(metric trace_p50_s "$out") / $(metric trace_p99_s "$out") s (target p50 < 1 s)"
  awk '$1 == "seed" { printf "    %-54s %s nodes, p50 %s s, max %s s\n", $2, $4, $6, $8 }' "$out"
done
printf '%-58s %s\n' "  documents stored meanwhile" \
  "$(metric posted_meanwhile "$work/busy.out") ($(metric posted_per_s "$work/busy.out")/s)"
printf '%-58s %s\n' "server peak memory after the traces (VmHWM)" "$hwm_traced MB"
printf '%-58s %s\n' "ingest, cascade graph ingest (local, one process)" \
  "$local_s s, $local_rate documents/s"
printf '%-58s %s\n' "ingest, HTTP, $clients clients" \
  "$(metric post_s "$work/post.out") s, $http_rate documents/s"
printf '%-58s %s\n' "  HTTP / local rate" "$(ratio "$http_rate" "$local_rate") (target >= 0.80)"
printf '%-58s %s\n' "server memory after the ingest: RSS / peak (VmHWM)" "$rss_after / $hwm_after MB"
if [[ -n $pg_s ]]; then
  ceiling=$(printf '%s\n' "${discard_s[@]}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')
  printf '%-58s %s\n' "enterprise ingest, no store (ceiling, mean of 2)" \
    "$ceiling s (${discard_s[*]})"
  printf '%-58s %s\n' "enterprise ingest, PostgreSQL 15 (COPY)" \
    "$pg_s s, $(ratio "$pg_s" "$ceiling")x the ceiling (target <= 1.5x)"
  printf '%-58s %s\n' "enterprise ingest, SQLite (durable)" \
    "$sqlite_s s, $(ratio "$sqlite_s" "$ceiling")x the ceiling"
fi
