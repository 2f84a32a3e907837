#!/usr/bin/env bash
# msi-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for msi_fuzzer in SEED_ROOT/msi/ (and a few for
# inspect_fuzzer, which reaches MSI through inspect_bytes): the MSI fixtures, generated into
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
exit 0
