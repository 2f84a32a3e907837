#!/usr/bin/env python3
"""Validates `cascade inspect --json` output for every MSI fixture (signed, padded, tampered,
truncated, garbage, and a plain OLE file) against docs/schema/cascade.inspect-1.schema.json,
as tests/schema/validate_output.py does for the PE, ELF and Mach-O fixtures.

Usage: msi_schema.py CASCADE_BIN FIXTURE_DIR SCHEMA_FILE   (Debian's /usr/bin/python3)
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
    validator = jsonschema.Draft202012Validator(schema)
    files = sorted(glob.glob(os.path.join(fixtures, "msi", "*.msi")) +
                   glob.glob(os.path.join(fixtures, "msi", "*.doc")))
    if len(files) < 10:
        print(f"only {len(files)} MSI fixtures in {fixtures}/msi")
        sys.exit(1)
    failed = 0
    for extra in (["--fail-on", "none"],
                  ["--fail-on", "none", "--hashes", "--no-system-trust", "--trust",
                   os.path.join(fixtures, "pki/ca.pem")]):
        out = subprocess.run([cascade, "inspect", "--json", *extra, *files], capture_output=True,
                             check=False)
        doc = json.loads(out.stdout)
        errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path])
        for error in errors[:10]:
            print(f"{'/'.join(map(str, error.path))}: {error.message}")
        formats = {os.path.basename(f["path"]): f["format"] for f in doc["files"]}
        if formats.get("signed.msi") != "msi" or formats.get("plain.doc") != "unknown":
            print(f"unexpected formats: {formats}")
            failed += 1
        elif errors or len(doc["files"]) != len(files):
            failed += 1
    print(f"{len(files)} files, {'FAILED' if failed else 'valid'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
