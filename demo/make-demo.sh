#!/usr/bin/env bash
# make-demo.sh OUTDIR: two signed releases of the benign "ExamplePhone" app
# re-enacting the shape of the 3CX supply-chain attack for `make demo`:
#   release-1.0/  ExamplePhone.exe, media.dll, d3dhelper.dll, all 1.0.0
#   release-1.1/  ExamplePhone.exe 1.1.0;
#                 media.dll rebuilt with a new export and new imports
#                 (LoadLibraryA, GetProcAddress) under the unchanged 1.0.0
#                 version resource, then signed normally;
#                 d3dhelper.dll = the signed 1.0 file with 8 KiB of marker and
#                 random bytes hidden in its certificate table (CVE-2013-3900),
#                 so its signature still verifies.
# Trust anchor for the demo: OUTDIR/pki/ca.pem. Safe to re-run.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
# shellcheck source-path=SCRIPTDIR source=../tests/fixtures/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tests/fixtures/lib.sh"

mkdir -p "$1"
OUT=$(cd "$1" && pwd)
PKI=$OUT/pki
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/src" && pwd)
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
export SIGN_DESC=ExamplePhone

# build_pe RELEASE FILE VERSION [gcc args...]: build BUILD/RELEASE/FILE with
# a version resource for VERSION (x.y.z).
build_pe() {
    local release=$1 file=$2 version=$3
    shift 3
    local dir=$BUILD/$release work=$BUILD/$release/${file%.*}
    mkdir -p "$work"
    local type=VFT_DLL desc="ExamplePhone ${file%.*} library"
    if [[ $file == *.exe ]]; then
        type=VFT_APP
        desc="ExamplePhone softphone"
    fi
    cat >"$work/version.h" <<EOF
#define VER_NUM  ${version//./,},0
#define VER_STR  "$version"
#define VER_DESC "$desc"
#define VER_NAME "$file"
#define VER_TYPE $type
EOF
    quiet "$MINGW64-windres" -I "$work" -O coff "$SRC/version.rc" "$work/version.o"
    quiet "$MINGW64-gcc" "${PE_CFLAGS[@]}" -o "$dir/$file" "$@" "$work/version.o"
}

# sign_release RELEASE UNIXTIME FILE...: sign into OUTDIR/RELEASE with a
# built-in-TSA timestamp shortly after the signing time.
sign_release() {
    local release=$1 time=$2
    shift 2
    local tsa file
    mapfile -t tsa < <(tsa_args "$PKI" $((time + 100)))
    mkdir -p "$OUT/$release"
    for file in "$@"; do
        sign_pe "$BUILD/$release/$file" "$OUT/$release/$file" "$PKI" signer sha256 "$time" \
            "${tsa[@]}"
    done
}

pki_standard "$PKI" "Example Phone Ltd"

# Release 1.0: everything clean.
build_pe release-1.0 media.dll 1.0.0 -shared "$SRC/media.c"
build_pe release-1.0 d3dhelper.dll 1.0.0 -shared "$SRC/d3dhelper.c"
build_pe release-1.0 ExamplePhone.exe 1.0.0 "$SRC/ExamplePhone.c" \
    "$BUILD/release-1.0/media.dll" "$BUILD/release-1.0/d3dhelper.dll"
sign_release release-1.0 1700000000 ExamplePhone.exe media.dll d3dhelper.dll

# Release 1.1: the vendor bumps the app; media.dll changes silently.
build_pe release-1.1 media.dll 1.0.0 -shared -DMEDIA_SILENT_CHANGE "$SRC/media.c"
build_pe release-1.1 ExamplePhone.exe 1.1.0 "$SRC/ExamplePhone.c" \
    "$BUILD/release-1.1/media.dll" "$BUILD/release-1.0/d3dhelper.dll"
sign_release release-1.1 1710000000 ExamplePhone.exe media.dll
quiet "${PETWEAK[@]}" pad-certtable "$OUT/release-1.0/d3dhelper.dll" \
    "$OUT/release-1.1/d3dhelper.dll" 8192 1011

# An independent rebuild of media.dll from the source 1.0 was cut from, unsigned, with the
# image base 1.0 recorded (GNU ld derives a DLL's default base from its output path).
base=$(/usr/bin/python3 -c 'import pefile, sys
print(hex(pefile.PE(sys.argv[1], fast_load=True).OPTIONAL_HEADER.ImageBase))' \
    "$BUILD/release-1.0/media.dll")
build_pe rebuild media.dll 1.0.0 -shared "-Wl,--image-base,$base" "$SRC/media.c"
mkdir -p "$OUT/rebuild"
cp "$BUILD/rebuild/media.dll" "$OUT/rebuild/media.dll"

# The demo's point is that the padded DLL still verifies; fail loudly if not.
for f in "$OUT"/release-1.0/* "$OUT"/release-1.1/*; do
    quiet osslsigncode verify -CAfile "$PKI/ca.pem" -TSA-CAfile "$PKI/ca.pem" -in "$f"
done

# A customer's PC after the 1.1 update: the release as downloaded (a zip) and as installed. The
# incident feed stands for the hash list a vendor or CERT publishes once the tampering is known.
PC=$OUT/customer-pc
rm -rf "$PC"
mkdir -p "$PC/Downloads" "$PC/Program Files/ExamplePhone" "$OUT/feeds"
cp "$OUT"/release-1.1/* "$PC/Program Files/ExamplePhone/"
/usr/bin/python3 - "$OUT/release-1.1" "$PC/Downloads/ExamplePhone-1.1.zip" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        z.write(os.path.join(src, name), "ExamplePhone-1.1/" + name)
PY
{
    echo "# ExamplePhone incident, published indicators (demo)"
    echo "$(sha256sum "$OUT/release-1.1/media.dll" | cut -d' ' -f1)  media.dll from ExamplePhone 1.1 (tampered)"
} >"$OUT/feeds/incident.txt"
