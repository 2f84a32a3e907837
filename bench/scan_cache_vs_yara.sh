#!/usr/bin/env bash
# The performance table of the scan cache (docs/scan.md), on wine's PE DLLs as
# bench/scan_vs_peers.sh uses them, page cache hot, every row against `yara -r -p 2` in one run:
#   (a) first scan: cascade scan --threads 2 --rules RULES --ioc 100k.sha256 DIR against
#       yara -r -p 2 RULES DIR, for three rule sets (bench/scan/make-rules.py): plain (4 plain
#       strings), bench (the 24 rules of scan_vs_peers) and heavy (108 rules, pe/hash/math)
#   (b) re-scan of the unchanged tree with the same rules and feed, --cache=FILE
#   (c) re-scan after replacing the hash feed with another 100,000 values
#   (d) re-scan after changing 1% of the files (a copy of the tree; content rewritten in place,
#       same size), against the first scan's time plus the changed files' share
# Rows (b)-(d) use the bench rules. ROUNDS rounds (default 3), the runs alternating within each,
# medians reported. Without `--cache` in `cascade scan --help` only the (a) rows are run.
# Usage: bench/scan_cache_vs_yara.sh BUILD_DIR CORPUS_DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR CORPUS_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cascade=$1/cascade
dir=$2/libwine/usr/lib/x86_64-linux-gnu/wine
rounds=${ROUNDS:-3}
[[ -x $cascade && -d $dir ]] || { echo "need $cascade and $dir (scripts/fetch-corpus)" >&2; exit 2; }
command -v yara >/dev/null || { echo "yara is not installed (scripts/install-deps)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sets=(plain bench heavy)
for set in "${sets[@]}"; do /usr/bin/python3 "$here/scan/make-rules.py" "$work/$set.yar" "$set"; done
# Two feeds of 100,000 random SHA-256 values, each with one real file's added so it has a hit:
# the first file's in feed A, the last file's in feed B.
make_feed() {
  /usr/bin/python3 -c '
import os, sys
with open(sys.argv[1], "w") as f:
    for _ in range(100000):
        f.write(os.urandom(32).hex() + "\n")
' "$1"
  sha256sum "$2" | cut -d' ' -f1 >>"$1"
}
make_feed "$work/feed-a.sha256" "$(find "$dir" -type f -name '*.dll' | sort | head -1)"
make_feed "$work/feed-b.sha256" "$(find "$dir" -type f -name '*.dll' | sort | tail -1)"

files=$(find "$dir" -type f | wc -l)
bytes=$(find "$dir" -type f -print0 | xargs -0 cat | wc -c)  # also the warm-up read
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
time_of() { local a b; a=$(now); "$@" >/dev/null 2>&1 || true; b=$(now); elapsed "$a" "$b"; }
# Wall and CPU seconds (user + system, all threads) of one run, as "WALL:CPU". On a shared
# machine another session's load takes the second core from one run and not the next; the CPU
# time shows the work done whatever the scheduler gave.
cpu_of() {
  local TIMEFORMAT='%R %U %S' t
  t=$({ time "$@" >/dev/null 2>&1; } 2>&1) || true
  awk -v t="$t" 'BEGIN { split(t, v, " "); printf "%.3f:%.3f", v[1], v[2] + v[3] }'
}
walls() { printf '%s\n' "$@" | cut -d: -f1; }
cpus() { printf '%s\n' "$@" | cut -d: -f2; }
median_in() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
median() { printf '%s\n' "$@" | median_in; }
scan() { "$cascade" scan --threads 2 --fail-on none "$@"; }

has_cache=0
if "$cascade" scan --help 2>&1 | grep -q -- '--cache'; then has_cache=1; fi

# (d)'s tree: a copy; 1% of its files (rounded, at least one) chosen evenly over the sorted list.
copy=$work/tree
changed=()
changed_bytes=0
if ((has_cache)); then
  cp -a "$dir" "$copy"
  mapfile -t all < <(find "$copy" -type f | sort)
  count=$(((${#all[@]} + 50) / 100))
  ((count > 0)) || count=1
  for ((i = 0; i < count; ++i)); do changed+=("${all[i * ${#all[@]} / count]}"); done
  changed_bytes=$(cat "${changed[@]}" | wc -c)
fi
# Rewrites the middle 4 KiB of every chosen file in place with new bytes (same size), as an
# update or an attacker would, so each round's re-scan sees new content.
change_files() {
  /usr/bin/python3 -c '
import os, sys
for path in sys.argv[1:]:
    size = os.path.getsize(path)
    n = min(4096, size)
    with open(path, "r+b") as f:
        f.seek((size - n) // 2)
        f.write(os.urandom(n))
' "${changed[@]}"
}

declare -A yara_runs scan_runs
cold_runs=() same_runs=() feed_runs=() part_runs=()
if ((has_cache)); then
  # The copy's cache starts full, so every round measures only what the change costs.
  scan --rules "$work/bench.yar" --ioc "$work/feed-a.sha256" --cache="$work/copy.cache" \
    "$copy" >/dev/null 2>&1 || true
fi
for ((round = 0; round < rounds; ++round)); do
  for set in "${sets[@]}"; do
    yara_runs[$set]+=" $(cpu_of yara -r -p 2 "$work/$set.yar" "$dir")"
    scan_runs[$set]+=" $(cpu_of scan --rules "$work/$set.yar" --ioc "$work/feed-a.sha256" "$dir")"
  done
  ((has_cache)) || continue
  rm -f "$work/scan.cache"
  cold_runs+=("$(time_of scan --rules "$work/bench.yar" --ioc "$work/feed-a.sha256" \
    --cache="$work/scan.cache" "$dir")")
  same_runs+=("$(time_of scan --rules "$work/bench.yar" --ioc "$work/feed-a.sha256" \
    --cache="$work/scan.cache" "$dir")")
  feed_runs+=("$(time_of scan --rules "$work/bench.yar" --ioc "$work/feed-b.sha256" \
    --cache="$work/scan.cache" "$dir")")
  change_files
  part_runs+=("$(time_of scan --rules "$work/bench.yar" --ioc "$work/feed-a.sha256" \
    --cache="$work/copy.cache" "$copy")")
done

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "$files files, $mb MiB under $dir; medians of $rounds alternating rounds"
echo
echo "(a) first scan, cascade scan --threads 2 --rules RULES --ioc (100k SHA-256) vs yara -r -p 2,"
echo "    wall and CPU (user + system) seconds:"
printf '%-7s %5s | %8s %8s %6s | %8s %8s %6s\n' rules count "yara s" "cascade" ratio \
  "yara cpu" "cascade" ratio
for set in "${sets[@]}"; do
  read -ra ys <<<"${yara_runs[$set]}"
  read -ra cs <<<"${scan_runs[$set]}"
  y=$(walls "${ys[@]}" | median_in); c=$(walls "${cs[@]}" | median_in)
  yc=$(cpus "${ys[@]}" | median_in); cc=$(cpus "${cs[@]}" | median_in)
  count=$(grep -c '^rule ' "$work/$set.yar")
  awk -v s="$set" -v n="$count" -v y="$y" -v c="$c" -v yc="$yc" -v cc="$cc" 'BEGIN {
    printf "%-7s %5d | %8.3f %8.3f %5.2fx | %8.3f %8.3f %5.2fx\n", s, n, y, c, c / y, yc, cc, cc / yc
  }'
  eval "yara_$set=$y cascade_$set=$c"
done
echo "target: cascade within 1.25x of yara's wall time"
# The feed hit, from one more scan as JSON Lines: the feed is really matched.
hits=$(scan --rules "$work/bench.yar" --ioc "$work/feed-a.sha256" --jsonl "$dir" 2>/dev/null |
  grep -c '"ioc.hash"' || true)
echo "ioc.hash hits with feed A: $hits (expected 1)"
echo

if ((!has_cache)); then
  echo "(b)-(d) skipped: this cascade has no 'scan --cache' (cascade scan --help does not list it)"
  exit 0
fi
hits_b=$(scan --rules "$work/bench.yar" --ioc "$work/feed-b.sha256" --cache="$work/scan.cache" \
  --jsonl "$dir" 2>/dev/null | grep -c '"ioc.hash"' || true)
cold=$(median "${cold_runs[@]}"); same=$(median "${same_runs[@]}")
feed=$(median "${feed_runs[@]}"); part=$(median "${part_runs[@]}")
# shellcheck disable=SC2154  # set by the eval above
awk -v y="$yara_bench" -v first="$cascade_bench" -v cold="$cold" -v same="$same" -v feed="$feed" \
  -v part="$part" -v n="${#changed[@]}" -v cb="$changed_bytes" -v b="$bytes" 'BEGIN {
  share = cb / b
  printf "re-scans with --cache, bench rules (yara -r -p 2: %.3f s):\n", y
  printf "%-52s %8s %s\n", "run", "wall s", "against yara"
  printf "%-52s %8.3f %6.2fx of yara\n", "first scan, empty cache (writes it)", cold, cold / y
  printf "%-52s %8.3f %6.1fx faster (target >= 20)\n", "(b) unchanged tree, same rules and feed", same, y / same
  printf "%-52s %8.3f %6.1fx faster (target >= 20)\n", "(c) unchanged tree, another 100k feed", feed, y / feed
  printf "%-52s %8.3f %6.2fx of yara\n", "(d) " n " files changed (1%), same size", part, part / y
  printf "(d) the changed files hold %.2f%% of the bytes; target: <= (5%% + %.2f%%) of the first\n", \
    100 * share, 100 * share
  printf "    scan (%.3f s) = %.3f s; measured %.3f s = %.1f%% of it\n", first, \
    first * (0.05 + share), part, 100 * part / first
}'
echo "ioc.hash hits of the cached re-scan with feed B: $hits_b (expected 1)"
