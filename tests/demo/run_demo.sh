#!/usr/bin/env bash
# The whole `make demo` script against the built CLI, in a scratch folder of its own so that it
# neither needs nor overwrites BUILD/demo. The script stops at its first failed step (including
# the serve step's own checks: reports left in the spool, traces that differ from the local
# ones), so reaching its last line is the test. Usage: run_demo.sh SOURCE_DIR CASCADE_CLI SCRATCH
set -euo pipefail
source_dir=$1 cli=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
ln -s "$cli" "$scratch/cascade"
"$source_dir/scripts/run-demo" "$scratch" | tee "$scratch/demo.txt"
last=$(tail -1 "$scratch/demo.txt")
if [[ $last != "  server stopped; its inventory stays in $scratch/demo/serve/inventory.db" ]]; then
  echo "the demo did not reach its last step; its last line: $last" >&2
  exit 1
fi
