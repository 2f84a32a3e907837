#!/usr/bin/env python3
"""Validates `cascade inspect --json` output for every generated fixture (PE, ELF, Mach-O),
a few of the machine's own ELF files, an unreadable path and a file of no known format against
docs/schema/cascade.inspect-1.schema.json.

Usage: validate_output.py CASCADE_BIN FIXTURE_DIR SCHEMA_FILE   (Debian's /usr/bin/python3)
"""
import glob
import json
import os
import subprocess
import sys

import jsonschema


def main():
    cascade, fixtures, schema_path = sys.argv[1:4]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(glob.glob(os.path.join(fixtures, "*.exe")) + glob.glob(os.path.join(fixtures, "*.dll")))
    for sub in ("elf", "macho"):
        files += sorted(f for f in glob.glob(os.path.join(fixtures, sub, "*"))
                        if os.path.isfile(f) and not f.endswith((".json", ".tsv", ".txt")))
    files += [f for f in ("/usr/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6") if os.path.exists(f)]
    # A directory: named, but not a file to inspect, so its object is an error. (A path that does
    # not exist is a usage error, with no object at all.)
    files += [os.path.join(fixtures, "pki"), os.path.join(fixtures, "manifest.tsv")]
    # Catalogs, catalog signatures and the trust fixtures' chains (spoofed, restricted).
    trust = os.path.join(fixtures, "trust")
    if os.path.isdir(trust):
        files += sorted(glob.glob(os.path.join(trust, "cat", "*.cat")) + glob.glob(os.path.join(trust, "files", "*"))
                        + glob.glob(os.path.join(trust, "spoof", "*.exe")) + [os.path.join(trust, "changed", "hello.exe")])
    runs = [
        ["--fail-on", "none"],
        ["--fail-on", "none", "--hashes", "--no-system-trust", "--trust", os.path.join(fixtures, "pki/ca.pem")],
    ]
    if os.path.isdir(trust):
        runs.append(["--fail-on", "none", "--trust", os.path.join(fixtures, "pki/ca.pem"),
                     "--catalog", os.path.join(trust, "cat", "sha256.cat")])
    passed = failed = 0
    for extra in runs:
        out = subprocess.run([cascade, "inspect", "--json", *extra, *files], capture_output=True, check=False)
        doc = json.loads(out.stdout)
        errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path])
        for error in errors[:10]:
            print(f"{'/'.join(map(str, error.path))}: {error.message}")
        if errors or len(doc["files"]) != len(files):
            failed += 1
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
