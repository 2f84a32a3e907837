#!/usr/bin/env bash
# Precision on genuine software: what cascade scan says about real, correctly signed (or
# simply ordinary) binaries, where every finding above `low` is a false positive to explain
# and every signature should verify as trusted against the built-in stores (issue 21).
# Gathers the corpus into CORPUS_DIR (default BUILD_DIR/precision-corpus) once:
#   debs/*.deb, deb/<package>/   Debian's signed EFI binaries (shim-signed, shim-helpers-amd64-
#                                signed, grub-efi-amd64-signed, fwupd-amd64-signed), wine's PE
#                                DLLs (libwine) and separate debug ELF files (libc6-dbg),
#                                fetched with apt-get download and extracted with dpkg-deb -x
#   npm/*.tgz, npm/<package>/    npm packages carrying Windows and macOS binaries (Microsoft's
#                                MSAL runtime: Authenticode and Apple-signed; bun: Developer ID;
#                                esbuild: unsigned), npm pack at pinned versions, tar -x
# and scans the machine's own /usr/lib/x86_64-linux-gnu (ELF) in place, read-only. Debian 12's
# wine64 carries no PE files (only the ELF loader), so libwine is wine's PE set. The corpus is
# fetched at run time and never committed; CORPUS_DIR/.complete records what was fetched.
# For each set: cascade scan --json --fail-on none SET, then one table (bench/precision_table.py):
# files, signatures, signatures trusted, findings by severity; the anchor set of each signature;
# every finding above `low` with its count and one example per set.
# Then throughput on the wine set: cascade scan --threads 2 (text to /dev/null) under
# /usr/bin/time, RUNS alternating rounds against BASELINE if given, medians of wall seconds
# and maximum RSS; clamscan --no-summary -r as the peer when it is on PATH (with the system's
# signature database, or 100,000 generated SHA-256 signatures when there is none).
# Usage: bench/precision.sh BUILD_DIR [CORPUS_DIR]
# Environment: BIN=cascade binary (default BUILD_DIR/cascade); BASELINE=older cascade binary to
#   compare throughput with; RUNS=rounds (default 5); REPORT_DIR=keep the JSON reports there;
#   SYSTEM_LIB=the in-place ELF set (default /usr/lib/x86_64-linux-gnu); SKIP_THROUGHPUT=1.
set -euo pipefail
[[ $# -eq 1 || $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR [CORPUS_DIR]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
corpus=${2:-$build/precision-corpus}
cascade=${BIN:-$build/cascade}
baseline=${BASELINE:-}
runs=${RUNS:-5}
system_lib=${SYSTEM_LIB:-/usr/lib/x86_64-linux-gnu}
[[ -x $cascade ]] || { echo "need the cascade binary $cascade (or BIN=...)" >&2; exit 2; }
[[ -z $baseline || -x $baseline ]] || { echo "BASELINE=$baseline is not executable" >&2; exit 2; }

debs=(shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed fwupd-amd64-signed libwine
  libc6-dbg)
# Exact versions, so runs are repeatable (npm versions are immutable once published).
npms=(@azure/msal-node-runtime@0.20.7 @oven/bun-darwin-x64@1.4.5 @esbuild/darwin-x64@0.28.2
  @esbuild/win32-x64@0.28.2)

# ---- corpus (once) ------------------------------------------------------------------------
want="${debs[*]} ${npms[*]}"
marker="$corpus/.complete"
if [[ ! -f $marker || $(cat "$marker") != "$want" ]]; then
  mkdir -p "$corpus/debs" "$corpus/deb" "$corpus/npm"
  corpus=$(cd "$corpus" && pwd)
  have_deb() { compgen -G "$corpus/debs/${1}_*.deb" >/dev/null; }
  missing=()
  for pkg in "${debs[@]}"; do have_deb "$pkg" || missing+=("$pkg"); done
  if [[ ${#missing[@]} -gt 0 ]]; then
    # apt-get download writes into the current directory; no root needed.
    if ! (cd "$corpus/debs" && apt-get download -qq "${missing[@]}") >/dev/null 2>&1; then
      # Stale or absent package lists: refresh once (needs root) and retry.
      sudo=""
      [[ $(id -u) -eq 0 ]] || sudo="sudo"
      $sudo apt-get update -qq >/dev/null
      (cd "$corpus/debs" && apt-get download -qq "${missing[@]}") >/dev/null
    fi
  fi
  for pkg in "${debs[@]}"; do
    have_deb "$pkg" || { echo "precision: $pkg was not downloaded" >&2; exit 1; }
    found=("$corpus/debs/${pkg}"_*.deb)
    rm -rf "$corpus/deb/$pkg.tmp"
    dpkg-deb -x "${found[-1]}" "$corpus/deb/$pkg.tmp"
    rm -rf "${corpus:?}/deb/$pkg"
    mv "$corpus/deb/$pkg.tmp" "$corpus/deb/$pkg"
  done
  for spec in "${npms[@]}"; do
    # @scope/name@version -> scope-name-version.tgz, as npm pack names it.
    name=${spec#@}
    name=${name/\//-}
    name=${name%@*}
    ver=${spec##*@}
    tgz="$corpus/npm/$name-$ver.tgz"
    [[ -f $tgz ]] || (cd "$corpus/npm" && npm pack --silent "$spec" >/dev/null)
    [[ -f $tgz ]] || { echo "precision: npm pack $spec did not write $tgz" >&2; exit 1; }
    rm -rf "$corpus/npm/$name.tmp"
    mkdir -p "$corpus/npm/$name.tmp"
    tar -xzf "$tgz" -C "$corpus/npm/$name.tmp"
    rm -rf "${corpus:?}/npm/$name"
    mv "$corpus/npm/$name.tmp" "$corpus/npm/$name"
  done
  printf '%s' "$want" >"$marker"
fi
corpus=$(cd "$corpus" && pwd)

# ---- sets ---------------------------------------------------------------------------------
# name=directory; the tarballs stay outside the npm sets so nothing is counted twice.
wine="$corpus/deb/libwine/usr/lib/x86_64-linux-gnu/wine"
sets=()
for pkg in shim-signed shim-helpers-amd64-signed grub-efi-amd64-signed fwupd-amd64-signed; do
  sets+=("$pkg=$corpus/deb/$pkg")
done
sets+=("libwine=$wine" "libc6-dbg=$corpus/deb/libc6-dbg" "system-lib=$system_lib")
for spec in "${npms[@]}"; do
  name=${spec#@}
  name=${name/\//-}
  name=${name%@*}
  sets+=("npm:$name=$corpus/npm/$name")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reports=${REPORT_DIR:-$work}
mkdir -p "$reports"

echo "cascade: $cascade ($("$cascade" --version 2>/dev/null | head -1))"
echo -n "debs:"
for pkg in "${debs[@]}"; do
  found=("$corpus/debs/${pkg}"_*.deb)
  echo -n " $(dpkg-deb -f "${found[-1]}" Package)=$(dpkg-deb -f "${found[-1]}" Version)"
done
echo
echo "npm: ${npms[*]}"
echo

args=()
for set in "${sets[@]}"; do
  name=${set%%=*}
  dir=${set#*=}
  [[ -d $dir ]] || { echo "precision: set $name: no directory $dir" >&2; exit 1; }
  out="$reports/${name//[:\/]/_}.json"
  rc=0
  "$cascade" scan --json --fail-on none "$dir" >"$out" 2>"$work/stderr" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "precision: set $name: cascade scan exited $rc" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  args+=("$name=$out")
done
/usr/bin/python3 "$here/precision_table.py" "${args[@]}"
[[ -z ${REPORT_DIR:-} ]] || echo "reports kept in $REPORT_DIR"

[[ -z ${SKIP_THROUGHPUT:-} ]] || exit 0

# ---- throughput on the wine set -----------------------------------------------------------
files=$(find "$wine" -type f | wc -l)
bytes=$(find "$wine" -type f -print0 | xargs -0 cat | wc -c)  # also the warm-up read
clamscan=$(command -v clamscan || true)
clam_args=()
clam_db="system database"
if [[ -n $clamscan ]]; then
  if ! compgen -G "/var/lib/clamav/*.c[lv]d" >/dev/null; then
    # No signature database (freshclam has not run): 100,000 random SHA-256 signatures plus
    # one real file's, so clamscan hashes every file and has one hit, as scan_vs_peers' feed.
    /usr/bin/python3 -c '
import os, sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("%s:%d:Bench.Random.%d\n" % (os.urandom(32).hex(), 4096 + i, i))
' "$work/bench.hsb"
    first=$(find "$wine" -type f -name '*.dll' | sort | head -1)
    echo "$(sha256sum "$first" | cut -d' ' -f1):$(stat -c %s "$first"):Bench.Known.1" \
      >>"$work/bench.hsb"
    clam_args=(-d "$work/bench.hsb")
    clam_db="no system database: 100k generated SHA-256 signatures"
  fi
fi

# One timed run: appends "wall_s max_rss_kib" to the named file.
timed() {
  local into=$1
  shift
  /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/time" >>"$work/$into"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
for ((i = 0; i < runs; i++)); do
  timed new "$cascade" scan --threads 2 --fail-on none "$wine"
  [[ -z $baseline ]] || timed old "$baseline" scan --threads 2 --fail-on none "$wine"
  [[ -z $clamscan ]] || timed clam "$clamscan" --no-summary -r "${clam_args[@]}" "$wine"
done

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo
echo "throughput: $files files, $mb MiB under $wine; medians of $runs alternating runs"
printf '%-40s %8s %12s %8s\n' tool "wall s" "max RSS MiB" "MiB/s"
line() {
  local s kib
  s=$(col "$2" 1)
  kib=$(col "$2" 2)
  awk -v t="$1" -v s="$s" -v k="$kib" -v b="$bytes" \
    'BEGIN { printf "%-40s %8.2f %12.1f %8.0f\n", t, s, k / 1024, b / s / 1048576 }'
}
line "cascade scan --threads 2 (new)" new
[[ -z $baseline ]] || line "cascade scan --threads 2 (baseline)" old
[[ -z $clamscan ]] || line "clamscan --no-summary -r" clam
echo "new: $cascade"
[[ -z $baseline ]] || echo "baseline: $baseline"
[[ -z $clamscan ]] || echo "clamscan: $clamscan, $clam_db"
[[ -n $clamscan ]] || echo "clamscan: not installed (not in scripts/install-deps.d), no peer line"
if [[ -n $baseline ]]; then
  awk -v n="$(col new 1)" -v o="$(col old 1)" -v nm="$(col new 2)" -v om="$(col old 2)" 'BEGIN {
    printf "ratio new/baseline: wall %.2f, max RSS %.2f\n", n / o, nm / om }'
fi
if [[ -n $clamscan ]]; then
  awk -v n="$(col new 1)" -v c="$(col clam 1)" 'BEGIN { printf "ratio new/clamscan: wall %.2f\n", n / c }'
fi
