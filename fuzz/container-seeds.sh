#!/usr/bin/env bash
# container-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for container_fuzzer (SEED_ROOT/container/: a
# small tree in every archive format and filter the real tools write: zip, 7z, tar with each
# filter, cpio, iso9660, xar, ar, a .deb-like ar of tars, a cab, an rpm, bare compressed streams,
# an asar, and zips and asars whose two views disagree), asar_fuzzer (SEED_ROOT/asar/: whole asar
# files, and "0x00, u16le JSON length, JSON, data" inputs for its wrapped mode) and
# zip_views_fuzzer (SEED_ROOT/zip_views/: hostile and genuine zips). FIXTURE_DIR is unused: the
# seeds are made here.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1/container" "$1/asar" "$1/zip_views"
# Absolute: the seeds are written after changing to a scratch directory.
seeds=$(cd "$1/container" && pwd)
asar_seeds=$(cd "$1/asar" && pwd)
zip_seeds=$(cd "$1/zip_views" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

mkdir -p app/lib app/empty-dir
printf 'console.log("hi");\n' >app/main.js
printf 'module.exports = 1;\n' >app/lib/util.js
head -c 3000 /dev/urandom >app/lib/blob.bin
: >app/empty
ln -s main.js app/link.js

zip -q -r -y -X "$seeds/tree.zip" app
zip -q -0 -r -X "$seeds/stored.zip" app/main.js app/lib
7z a -bd -y "$seeds/tree.7z" app >/dev/null
for fmt in ustar pax gnutar cpio newc iso9660 xar; do
    bsdtar --format "$fmt" -cf "$seeds/tree.$fmt" app
done
bsdtar --format warc -cf "$seeds/files.warc" app/main.js app/lib/util.js
for filter in gzip bzip2 xz zstd lz4 lzip lzma compress; do
    bsdtar --format pax "--$filter" -cf "$seeds/tree.tar.$filter" app 2>/dev/null || true
done
(cd app && bsdtar --format arsvr4 -cf "$seeds/files.ar" main.js lib/util.js)
bsdtar --format ustar --gzip -cf control.tar.gz app/main.js
bsdtar --format pax --xz -cf data.tar.xz app
printf '2.0\n' >debian-binary
bsdtar --format arsvr4 -cf "$seeds/package.deb" debian-binary control.tar.gz data.tar.xz
gcab -c -z "$seeds/tree.cab" app/main.js app/lib/util.js app/lib/blob.bin
# An rpm: lead, empty signature and main headers (libarchive skips them), cpio.gz payload.
{
    printf '\xed\xab\xee\xdb\x03\x00\x00\x00'
    head -c 88 /dev/zero
    for _ in 1 2; do printf '\x8e\xad\xe8\x01'; head -c 12 /dev/zero; done
    bsdtar --format newc --gzip -cf - app
} >"$seeds/tree.rpm"
gzip -c app/main.js >"$seeds/main.js.gz"
xz -c app/lib/blob.bin >"$seeds/blob.bin.xz"
zstd -q -c app/main.js >"$seeds/main.js.zst"
bzip2 -c app/main.js >"$seeds/main.js.bz2"
# A zip inside a zip, as JARs in a WAR.
zip -q -X inner.jar app/main.js && zip -q -X "$seeds/outer.zip" inner.jar app/lib/util.js

# Zips whose central directory and local headers disagree (issue 22's hostile cases), and genuine
# zips that must agree: data descriptors (written to a pipe), zip64, a stub in front, a comment.
python3 "$here/../tests/fixtures/container/make-zip-views.py" "$zip_seeds"
cp "$zip_seeds"/*.zip "$seeds/"
zip -q -r -X - app >"$zip_seeds/streamed.zip"
zip -q -r -X -fz "$zip_seeds/zip64.zip" app
printf '#!/bin/sh\nexit 0\n' | cat - "$seeds/tree.zip" >"$zip_seeds/prefixed.zip"
cp "$zip_seeds/prefixed.zip" "$zip_seeds/adjusted.zip" && zip -q -A "$zip_seeds/adjusted.zip"
cp "$seeds/tree.zip" "$seeds/stored.zip" "$zip_seeds/"
echo 'comment' | zip -q -z "$zip_seeds/tree.zip"

rm app/link.js
node "$here/../tests/fixtures/container/make-asar.js" app app.asar lib/util.js
cp app.asar "$seeds/app.asar"
# Bytes after the last entry that no header entry covers (a hidden payload).
{ cat app.asar; printf 'MZ-MARKER-UNCOVERED'; } >"$seeds/uncovered.asar"
cp "$seeds/uncovered.asar" "$asar_seeds/uncovered.asar.whole"
cp app.asar "$asar_seeds/app.asar.whole"
# asar_fuzzer reads an odd first byte as "whole file follows".
{ printf '\x01'; cat app.asar; } >"$asar_seeds/app.asar.mode1"
wrapped() {  # wrapped NAME JSON DATA: the wrapped-mode input (byte 0 even)
    local json=$2 n=${#2}
    { printf '\x00'; printf "\\x$(printf %02x $((n & 255)))\\x$(printf %02x $((n >> 8)))";
      printf '%s%s' "$json" "$3"; } >"$asar_seeds/$1"
}
wrapped flat '{"files":{"a":{"size":3,"offset":"0"},"b":{"size":2,"offset":"3","executable":true}}}' 'abcde'
wrapped nested '{"files":{"d":{"files":{"e":{"files":{"f":{"size":1,"offset":"0"}}}}},"l":{"link":"d/e/f"},"u":{"size":9,"unpacked":true}}}' 'x'
wrapped gap '{"files":{"a":{"size":1,"offset":"0"},"b":{"size":1,"offset":"4"}}}' 'aHIDb'
wrapped integrity '{"files":{"a":{"size":1,"offset":"0","integrity":{"algorithm":"SHA256","hash":"00","blockSize":4194304,"blocks":["00"]}}}}' 'y'
exit 0
