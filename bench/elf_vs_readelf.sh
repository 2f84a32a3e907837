#!/usr/bin/env bash
# Wall-time comparison of cascade inspect against readelf on every ELF file (by magic; no
# symlinks) under /usr/lib/x86_64-linux-gnu:
#   (a) cascade inspect --json --fail-on none, one invocation over all files
#   (b) readelf -d -n --dyn-syms -W over the same files, one invocation
# readelf prints what cascade's ELF model holds (dynamic table, notes, dynamic symbols with
# versions); cascade also hashes every byte (SHA-256) and measures section entropy.
# One run each, after a warm-up read of every file (so the page cache is hot).
# Usage: bench/elf_vs_readelf.sh BUILD_DIR
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
cascade=$1/cascade
root=/usr/lib/x86_64-linux-gnu
[[ -x $cascade ]] || { echo "no cascade binary at $cascade" >&2; exit 2; }

files=()
while IFS= read -r -d '' f; do
  [[ -r $f && $(head -c 4 "$f" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] && files+=("$f")
done < <(find "$root" -type f -print0 | sort -z)
[[ ${#files[@]} -gt 0 ]] || { echo "no ELF files under $root" >&2; exit 2; }
bytes=$(cat "${files[@]}" | wc -c)  # also the warm-up read

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

t0=$(now)
"$cascade" inspect --json --fail-on none "${files[@]}" >/dev/null
t1=$(now)
LC_ALL=C readelf -d -n --dyn-syms -W "${files[@]}" >/dev/null 2>&1 || true
t2=$(now)

n=${#files[@]}
a=$(elapsed "$t0" "$t1")
b=$(elapsed "$t1" "$t2")
row() { awk -v n="$1" -v k="$2" -v t="$3" 'BEGIN { printf "%-40s %6d %10.3f %12.3f\n", n, k, t, t * 1000 / k }'; }
printf '%d ELF files, %.1f MB under %s\n' "$n" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$root"
printf '%-40s %6s %10s %12s\n' "tool" "files" "total s" "per file ms"
row "cascade inspect --json" "$n" "$a"
row "readelf -d -n --dyn-syms -W" "$n" "$b"
awk -v x="$b" -v y="$a" 'BEGIN { printf "%-27s %.1fx\n", "ratio readelf/cascade:", x / y }'
