#!/usr/bin/env bash
# diff-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for diff_report_fuzzer in SEED_ROOT/diff_report/:
# small scan reports (JSON and JSON Lines) touching every field diff reads, a baseline policy
# and the shipped capability table. FIXTURE_DIR is not needed.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$1/diff_report
mkdir -p "$seeds"
cp -f "$root/data/capabilities.json" "$seeds/capabilities.json"
cat >"$seeds/baseline.json" <<'JSON'
{"schema": "cascade.baseline/1", "files": [
  {"path": "*.exe", "signer": "Example Corp", "expect": ["diff.silent-change"]},
  {"path": "ffmpeg.dll", "third_party": true, "sha256": "00", "expect": ["capability:network"]}]}
JSON
# A baseline and a capability table that repeat a key: refused.
printf '%s' '{"schema": "cascade.baseline/1", "files": [{"path": "*", "signer": "A", "signer": "B"}]}' \
  >"$seeds/dup-baseline.json"
printf '%s' '{"schema": "cascade.capabilities/1", "capabilities": [{"id": "x", "functions": ["a"], "functions": ["b"]}]}' \
  >"$seeds/dup-capabilities.json"
cat >"$seeds/small-scan.json" <<'JSON'
{"schema": "cascade.scan/1", "roots": ["rel"], "files": [
 {"path": "rel/a.dll", "size": 10, "format": "pe", "sha256": "aa",
  "pe": {"machine": "AMD64", "entry_point": 4096, "imports": [{"dll": "KERNEL32.dll",
   "functions": [{"name": "LoadLibraryA"}, {"ordinal": 5}]}],
   "exports": [{"ordinal": 1, "name": null}], "sections": [{"name": ".text", "raw_size": 512, "entropy": 7.5}],
   "version": {"strings": {"FileVersion": "1.0"}, "file_version": "1.0.0.0"}},
  "overlay": {"offset": 900, "size": 100, "entropy": 7.9},
  "certificate_table": {"entries": [{"padding": {"size": 8}}], "trailing": {"size": 4}},
  "signatures": [{"nested_depth": 0, "digest_ok": true, "signature_ok": true, "signer": "CN=x",
   "signer_certificate": {"issuer": "CN=y", "sha256": "bb"}, "digest_algorithm": "sha256",
   "signed_digest": "cc", "chain": {"trusted": true}}],
  "findings": [{"id": "signature.padding", "severity": "high", "message": "m"}]},
 {"path": "rel/Setup.msi!media1.cab!App/b.dylib", "format": "macho-fat", "sha256": "dd",
  "slices": [{"cpu": "arm64", "macho": {"imports": [{"name": "_dlopen", "library": "/usr/lib/libSystem.B.dylib"}]},
   "dylibs": [{"kind": "id", "current_version": "1.2.3"}],
   "codesign": {"status": "valid", "cd_hashes": ["ee"], "cms": {"signer": "CN=z"}}}]},
 {"path": "rel/c.so", "format": "elf", "sha256": "ff", "needed": ["libcurl.so.4"],
  "elf": {"imports": [{"name": "dlsym"}], "exports": [{"name": "f"}], "sections": []}}]}
JSON
{
  echo '{"schema": "cascade.scan-jsonl/1", "record": "scan", "roots": ["rel"]}'
  echo '{"record": "file", "path": "rel/x.exe", "format": "pe", "sha256": "11", "pe": {}}'
  echo '{"record": "summary"}'
} >"$seeds/small.jsonl"
