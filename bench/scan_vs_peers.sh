#!/usr/bin/env bash
# Wall-time comparison of cascade scan against the tools a responder would otherwise combine,
# on wine's PE DLLs (the corpus of scripts/fetch-corpus), page cache hot, in one run:
#   (a) yara -r -p 2 RULES DIR                           (24 rules: strings, hex, pe module)
#   (b) find DIR -type f | xargs -P2 sha256sum
#   (c) cascade scan --threads 2 --rules RULES --ioc 100k.sha256 DIR (also inspects every PE)
#   (d) (c) without the rules: hashing, inspection and the feed alone
# Each runs three times, alternating; medians are reported.
# and OpenSSL's single-core SHA-256 throughput, for the throughput bound.
# Usage: bench/scan_vs_peers.sh BUILD_DIR CORPUS_DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR CORPUS_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cascade=$1/cascade
dir=$2/libwine/usr/lib/x86_64-linux-gnu/wine
[[ -x $cascade && -d $dir ]] || { echo "need $cascade and $dir (scripts/fetch-corpus)" >&2; exit 2; }
command -v yara >/dev/null || { echo "yara is not installed (scripts/install-deps)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$here/scan/make-rules.py" "$work/rules.yar"
# 100,000 random SHA-256 values plus one real file's, so the feed has a hit.
/usr/bin/python3 -c '
import os, sys
with open(sys.argv[1], "w") as f:
    for _ in range(100000):
        f.write(os.urandom(32).hex() + "\n")
' "$work/100k.sha256"
first=$(find "$dir" -type f -name '*.dll' | sort | head -1)
sha256sum "$first" | cut -d' ' -f1 >>"$work/100k.sha256"

files=$(find "$dir" -type f | wc -l)
bytes=$(find "$dir" -type f -print0 | xargs -0 cat | wc -c)  # also the warm-up read
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Three rounds, the tools alternating, so drift in the machine's speed hits all alike; the
# median of each is reported.
time_of() { local a b; a=$(now); "$@" >/dev/null 2>&1 || true; b=$(now); elapsed "$a" "$b"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
yara_runs=() sha_runs=() scan_runs=() hash_runs=()
for _ in 1 2 3; do
  yara_runs+=("$(time_of yara -r -p 2 "$work/rules.yar" "$dir")")
  sha_runs+=("$(time_of sh -c "find '$dir' -type f -print0 | xargs -0 -P2 -n 64 sha256sum")")
  scan_runs+=("$(time_of "$cascade" scan --threads 2 --rules "$work/rules.yar" \
    --ioc "$work/100k.sha256" --fail-on none "$dir")")
  hash_runs+=("$(time_of "$cascade" scan --threads 2 --ioc "$work/100k.sha256" --fail-on none "$dir")")
done
yara_s=$(median "${yara_runs[@]}"); sha_s=$(median "${sha_runs[@]}")
scan_s=$(median "${scan_runs[@]}"); hash_s=$(median "${hash_runs[@]}")
# The same scan once more, as JSON Lines, to check the feed hit.
"$cascade" scan --threads 2 --rules "$work/rules.yar" --ioc "$work/100k.sha256" --fail-on none \
  --jsonl "$dir" >"$work/scan.jsonl"
hits=$(grep -c '"ioc.hash"' "$work/scan.jsonl" || true)

# OpenSSL single-core SHA-256 on 16 KiB blocks, bytes per second.
openssl_bps=$(openssl speed -seconds 2 -bytes 16384 -evp sha256 2>/dev/null |
  awk '/^sha256|^SHA256/ { v = $NF; sub(/k$/, "", v); print v * 1000 }' | tail -1)

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "$files files, $mb MiB under $dir"
printf '%-50s %8s\n' tool "wall s"
printf '%-50s %8s\n' "yara -r -p 2 (24 rules)" "$yara_s"
printf '%-50s %8s\n' "find | xargs -P2 sha256sum" "$sha_s"
printf '%-50s %8s\n' "cascade scan --threads 2 --rules --ioc (100k)" "$scan_s"
printf '%-50s %8s\n' "cascade scan --threads 2 --ioc (100k), no rules" "$hash_s"
awk -v c="$scan_s" -v h="$hash_s" -v y="$yara_s" -v s="$sha_s" -v b="$bytes" -v o="$openssl_bps" 'BEGIN {
  printf "ratio cascade/yara:        %.2f (target <= 1.0)\n", c / y
  printf "ratio cascade/sha256sum:   %.2f (target <= 1.3)\n", c / s
  printf "ratio (no rules)/sha256sum: %.2f\n", h / s
  printf "cascade throughput:        %.0f MiB/s\n", b / c / 1048576
  if (o > 0) printf "openssl sha256 x 2 cores:  %.0f MiB/s (target: cascade within 2x)\n", 2 * o / 1048576
}'
echo "ioc.hash hits: $hits (expected >= 1)"
