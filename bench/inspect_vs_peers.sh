#!/usr/bin/env bash
# Wall-time comparison of cascade inspect against the peer tools, on the corpus written by
# scripts/fetch-corpus:
#   (a) cascade inspect --json over every wine PE file (MZ magic, x86_64-/i386-windows),
#       one invocation
#   (b) pefile over the same files: one Python process, pefile.PE(path) full load + get_imphash()
#   (c) osslsigncode verify, one process per signed EFI file, vs cascade inspect --json over the
#       same files in one invocation. shimx64.efi.signed is left out: osslsigncode rejects its
#       two-entry certificate table up front and so does none of the work being timed.
# Each measurement runs once, after a warm-up read of every file (so the page cache is hot).
# Usage: bench/inspect_vs_peers.sh BUILD_DIR CORPUS_DIR
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR CORPUS_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cascade=$1/cascade
corpus=$2
python=/usr/bin/python3  # Debian's, which has python3-pefile
[[ -x $cascade ]] || { echo "no cascade binary at $cascade" >&2; exit 2; }

wine=$corpus/libwine/usr/lib/x86_64-linux-gnu/wine
pe_files=()
for d in "$wine/x86_64-windows" "$wine/i386-windows"; do
  [[ -d $d ]] || continue
  while IFS= read -r -d '' f; do
    [[ $(head -c 2 "$f") == MZ ]] && pe_files+=("$f")
  done < <(find "$d" -type f -print0 | sort -z)
done
efi_files=()
while IFS= read -r -d '' f; do efi_files+=("$f"); done < <(
  find "$corpus/grub-efi-amd64-signed" "$corpus/fwupd-amd64-signed" -type f \
    -name '*.efi.signed' -print0 | sort -z)
[[ ${#pe_files[@]} -gt 0 && ${#efi_files[@]} -gt 0 ]] ||
  { echo "corpus incomplete under $corpus; run scripts/fetch-corpus" >&2; exit 2; }

cat "${pe_files[@]}" "${efi_files[@]}" >/dev/null

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

t0=$(now)
"$cascade" inspect --json --fail-on none "${pe_files[@]}" >/dev/null
t1=$(now)
printf '%s\n' "${pe_files[@]}" | "$python" "$here/pefile_imphash.py"
t2=$(now)
for f in "${efi_files[@]}"; do osslsigncode verify -in "$f" >/dev/null 2>&1 || true; done
t3=$(now)
"$cascade" inspect --json --fail-on none "${efi_files[@]}" >/dev/null
t4=$(now)

npe=${#pe_files[@]}
nefi=${#efi_files[@]}
a=$(elapsed "$t0" "$t1")
b=$(elapsed "$t1" "$t2")
c=$(elapsed "$t2" "$t3")
d=$(elapsed "$t3" "$t4")
row() { awk -v n="$1" -v k="$2" -v t="$3" 'BEGIN { printf "%-40s %6d %10.3f %12.3f\n", n, k, t, t * 1000 / k }'; }
ratio() { awk -v n="$1" -v x="$2" -v y="$3" 'BEGIN { printf "%-27s %.1fx\n", n, x / y }'; }
printf '%-40s %6s %10s %12s\n' "tool" "files" "total s" "per file ms"
row "cascade inspect --json (wine PE)" "$npe" "$a"
row "pefile full load + imphash (wine PE)" "$npe" "$b"
row "osslsigncode verify (signed EFI)" "$nefi" "$c"
row "cascade inspect --json (signed EFI)" "$nefi" "$d"
ratio "ratio pefile/cascade:" "$b" "$a"
ratio "ratio osslsigncode/cascade:" "$c" "$d"
