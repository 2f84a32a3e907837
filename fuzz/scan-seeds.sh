#!/usr/bin/env bash
# Seeds for scan_cache_fuzzer: entry lists as the scan cache stores them (the entries as JSON with
# each one's facts size and the facts' SHA-256, a line break, the facts texts): a signed PE on
# disk, and a zip holding an npm manifest.
# Usage: scan-seeds.sh SEED_ROOT FIXTURE_DIR
set -euo pipefail
dir=$1/scan_cache
mkdir -p "$dir"
/usr/bin/python3 - "$dir" <<'PY'
import hashlib, json, sys

def row(entries):
    facts = "".join(e.pop("facts") for e in entries)
    for e, size in zip(entries, sizes):
        e["facts_size"] = size
    head = {"entries": entries, "facts_sha256": hashlib.sha256(facts.encode()).hexdigest()}
    return json.dumps(head, separators=(",", ":")) + "\n" + facts

def entry(path, depth, fmt, sha256, facts, **extra):
    e = {"certificates": [], "depth": depth, "error": "", "facts": facts, "findings": [],
         "format": fmt, "manifest": {"incomplete": [], "os_release": None, "packages": []},
         "md5": None, "path": path, "sha1": None, "sha256": sha256, "size": 1, "yara": [],
         "yara_variables": ""}
    e.update(extra)
    return e

cert = {"issuer": "O=Cascade Test,CN=Cascade Test Root CA", "not_after": "2045-12-31T23:59:59Z",
        "not_after_epoch": 2398377599, "not_before": "2020-01-01T00:00:00Z",
        "not_before_epoch": 1577836800, "serial": "1001", "sha1": "14" * 20, "sha256": "32" * 32,
        "subject": "O=Cascade Test,CN=Cascade Test Signer"}
pe_facts = json.dumps({"format": "pe", "imphash": "8a" * 16, "overlay": None,
                       "path": "tree/timestamped.exe"}, separators=(",", ":"))
entries = [entry("tree/timestamped.exe", 0, "pe", "0f" * 32, pe_facts, certificates=[cert])]
sizes = [len(pe_facts)]
open(sys.argv[1] + "/signed-pe", "w").write(row(entries))

inner = json.dumps({"format": "unknown", "path": "a.zip!package.json"}, separators=(",", ":"))
outer = json.dumps({"format": "zip", "path": "a.zip"}, separators=(",", ":"))
manifest = {"incomplete": [], "os_release": None, "packages": [
    {"ecosystem": "npm", "name": "ms", "version": "2.0.0", "purl": "pkg:npm/ms@2.0.0",
     "source": "a.zip!package.json"}]}
entries = [entry("a.zip!package.json", 1, "unknown", "ab" * 32, inner, manifest=manifest,
                 findings=[{"id": "pe.overlay", "severity": "info", "message": "m"}]),
           entry("a.zip", 0, "zip", "cd" * 32, outer)]
sizes = [len(inner), len(outer)]
open(sys.argv[1] + "/container", "w").write(row(entries))
PY
