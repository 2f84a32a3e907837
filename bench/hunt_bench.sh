#!/usr/bin/env bash
# cascade hunt against the graph bench's enterprise: generates the inventory at SCALE (1: 20
# million edges, as bench/graph_vs_cte.sh does, into WORK once), a 100,000-SHA-256 feed of which
# 1,000 digests are artifacts of the inventory, plus 1,000 OSV advisories, and times the hunt
# after the feeds and the graph are loaded. BUILD_DIR must be configured with -DCASCADE_BENCH=ON.
# Usage: bench/hunt_bench.sh BUILD_DIR [SCALE] [WORK]
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BUILD_DIR [SCALE] [WORK]" >&2; exit 2; }
build=$1 scale=${2:-1} work=${3:-/tmp/cascade-hunt-bench-$scale}
ninja -C "$build" graph_bench hunt_bench >/dev/null
mkdir -p "$work"
if [[ ! -s $work/graph.db ]]; then
  echo "hunt_bench: generating scale $scale into $work/graph.db" >&2
  "$build/bench/graph_bench" generate --db "$work/graph.db" --scale "$scale" >"$work/generate.txt"
fi
if [[ ! -s $work/hashes.txt ]]; then
  "$build/bench/hunt_bench" feed --db "$work/graph.db" --out "$work" --hashes 100000 \
    --in-inventory 1000 --advisories 1000
fi
"$build/bench/hunt_bench" run --db "$work/graph.db" --ioc "$work/hashes.txt" \
  --ioc "$work/advisories.json" --runs "${RUNS:-5}"
