#!/usr/bin/env bash
# Times loading a plain SHA-256 feed of N lines (default 10 million, ~650 MB, generated into
# /tmp once) and 1M lookups in it. BUILD_DIR must be configured with -DCASCADE_BENCH=ON.
# Usage: bench/ioc_load.sh BUILD_DIR [N]
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BUILD_DIR [N]" >&2; exit 2; }
build=$1 n=${2:-10000000}
ninja -C "$build" ioc_load_bench >/dev/null
feed=/tmp/cascade-ioc-sha256-$n.txt
if [[ ! -s $feed ]]; then
  echo "ioc_load: generating $n SHA-256 lines into $feed"
  "$build/bench/ioc_load_bench" generate "$n" "$feed"
fi
"$build/bench/ioc_load_bench" load "$feed" 1000000
