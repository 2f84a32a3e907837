#!/usr/bin/env bash
# msi-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for msi_fuzzer in SEED_ROOT/msi/ (and a few for
# inspect_fuzzer, which reaches MSI through inspect_bytes; cabinets for cabinet_fuzzer in
# SEED_ROOT/cabinet/): the MSI fixtures, generated into
# FIXTURE_DIR/msi by tests/fixtures/msi/make-msi-fixtures.sh with the PE fixtures' PKI
# (scripts/run-fuzzers makes those first). The fuzz build has no ole-rewrite, so the rewritten
# copies are left out. Files above 64 KiB are left out (-max_len=65536).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$1
fixtures=$2/msi
if [[ ! -f $2/pki/ca.pem ]]; then
  bash "$root/tests/fixtures/make-fixtures.sh" "$2"
fi
bash "$root/tests/fixtures/msi/make-msi-fixtures.sh" "$fixtures" "$2/pki"
mkdir -p "$seeds/msi" "$seeds/inspect"
for f in "$fixtures"/*.msi; do
  (($(stat -c %s "$f") <= 65536)) && cp -f "$f" "$seeds/msi/"
done
cp -f "$fixtures/signed-dse.msi" "$fixtures/unsigned.msi" "$seeds/inspect/"
# MSIs whose File table and cabinet disagree (a cabinet file no row names, a compressed row the
# cabinet lacks), and cabinets for cabinet_fuzzer.
mkdir -p "$seeds/cabinet"
cabinets=$(cd "$seeds/cabinet" && pwd)
msi_seeds=$(cd "$seeds/msi" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/tests/fixtures/msi/src/app.wxs" "$root/tests/fixtures/msi/src/readme.txt" "$work/"
(
  cd "$work"
  printf 'MZ stand-in' >ffmpeg.dll && printf 'read me\n' >readme && printf 'MZ-MARKER' >extra.dll
  wixl -o app.msi app.wxs
  msiinfo extract app.msi app.cab >"$cabinets/app.cab"
  gcab -c -n extra.cab ffmpeg.dll readme extra.dll && cp extra.cab "$cabinets/"
  gcab -c -n -z short.cab ffmpeg.dll && cp short.cab "$cabinets/"
  cp app.msi extra.msi && msibuild extra.msi -a app.cab extra.cab
  cp app.msi missing.msi && msibuild missing.msi -a app.cab short.cab
  for f in extra.msi missing.msi; do
    (($(stat -c %s "$f") <= 65536)) && cp -f "$f" "$msi_seeds/"
  done
)
exit 0
