#!/usr/bin/env bash
# trust-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for trust_list_fuzzer in SEED_ROOT/trust_list/:
# catalogs of both layouts made with the PE fixtures' PKI by tests/fixtures/catalog/make-catalog.py,
# their bare CTL bodies, and the shipped root list (cut to 64 KiB by -max_len, still a seed).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$1/trust_list
pki=$2/pki
[[ -f $pki/ca.pem ]] || bash "$root/tests/fixtures/make-fixtures.sh" "$2"
mkdir -p "$seeds" "$1/inspect"
for hash in sha1 sha256; do
  /usr/bin/python3 "$root/tests/fixtures/catalog/make-catalog.py" --hash "$hash" \
    --cert "$pki/signer.pem" --key "$pki/signer.key" --chain "$pki/ca.pem" \
    --out "$seeds/$hash.cat" --ctl-out "$seeds/$hash.ctl" \
    --pe "$2/hello.exe" --pe "$2/exports.dll" --flat "$pki/ca.pem" >/dev/null
done
cp -f "$seeds/sha256.cat" "$1/inspect/"
cp -f "$root/data/trust/microsoft-authroot.stl" "$seeds/"
