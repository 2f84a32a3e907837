#!/usr/bin/env bash
# ioc-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for ioc_feed_fuzzer in SEED_ROOT/ioc_feed/: the
# shipped 3CX feeds (CSV, hash list, STIX bundle, signer list) and one small sample of each
# other form the readers accept. FIXTURE_DIR is not needed.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$1/ioc_feed
mkdir -p "$seeds"
cp -f "$root"/data/iocs/3cx-2023.csv "$root"/data/iocs/3cx-2023.txt \
  "$root"/data/iocs/3cx-2023.stix.json "$root"/data/iocs/3cx-2023-signers.txt "$seeds/"
md5=74bc2d0b6680faa1a5a76b27e5479cbc
sha1=bf939c9c261d27ee7bb92325cc588624fca75429
printf '# feed: quoted\n"SHA-256",hash,Description\r\n,"%s","a ""quoted""\nlabel"\r\n' "$sha1" \
  >"$seeds/quoted.csv"
printf 'Thumbprint,Serial Number,Issuer,Subject\n%s,00:85:38,"CN=CA, O=""X, Inc.""",s\n' "$sha1" \
  >"$seeds/signers.csv"
printf '%s\n' \
  '{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1", "name": "n",' \
  "\"pattern\": \"([file:hashes.MD5 = '$md5' OR file:hashes.'SHA-1' IN ('$sha1')]) OR [file:name = 'x']\"}," \
  '{"type": "indicator", "id": "indicator--2", "pattern_type": "yara", "pattern": "rule x {}"}]}' \
  >"$seeds/or.stix.json"
# An indicator that repeats its pattern: the feed is refused.
printf '%s\n' \
  '{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1",' \
  "\"pattern\": \"[file:hashes.MD5 = '$md5']\", \"pattern\": \"[file:name = 'x']\"}]}" \
  >"$seeds/dup-key.stix.json"
# OSV advisories (the fuzzer reaches them through the JSON branch of the feed detection).
printf '%s\n' \
  '[{"id": "MAL-0000-0001", "modified": "2024-01-01T00:00:00Z", "aliases": ["GHSA-x"],' \
  '"affected": [{"package": {"ecosystem": "npm", "name": "@scope/name"}, "versions": ["1.0.0"],' \
  '"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]},' \
  '{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}]}]}]' >"$seeds/array.osv.json"
printf '# cascade signer-list\nthumbprint %s | pinned\nserial 0x00:1b:66 /C=US/O=Example | x\n' \
  "$sha1" >"$seeds/signers.txt"
exit 0
