#!/usr/bin/env python3
"""Compares the MSI signature digests `cascade inspect --json` computes with the ones
`osslsigncode verify` calculates ("Calculated DigitalSignature"), fixture by fixture, and the
verdicts: a digest osslsigncode finds intact must be digest_ok in cascade, and the other way.

Usage: msi_vs_osslsigncode.py CASCADE_BIN FIXTURE_DIR   (Debian's /usr/bin/python3)
"""
import glob
import json
import os
import re
import subprocess
import sys


def osslsigncode_digest(path):
    out = subprocess.run(["osslsigncode", "verify", "-in", path], capture_output=True, text=True,
                         check=False)
    m = re.search(r"Calculated DigitalSignature\s*:\s*([0-9A-Fa-f]+)(.*)", out.stdout)
    if not m:
        return None, None
    return m.group(1).lower(), "MISMATCH" not in m.group(2)


def main():
    cascade, fixtures = sys.argv[1:3]
    files = sorted(glob.glob(os.path.join(fixtures, "msi", "*.msi")))
    doc = json.loads(subprocess.run([cascade, "inspect", "--json", "--fail-on", "none", *files],
                                    capture_output=True, check=False).stdout)
    compared = failed = 0
    for report in doc["files"]:
        name = os.path.basename(report["path"])
        peer, intact = osslsigncode_digest(report["path"])
        ours = report.get("signatures") or []
        if peer is None:
            if ours:
                print(f"{name}: cascade found a signature osslsigncode could not hash")
                failed += 1
            continue
        compared += 1
        if not ours or ours[0]["computed_digest"] != peer or ours[0]["digest_ok"] != intact:
            got = (ours[0]["computed_digest"], ours[0]["digest_ok"]) if ours else None
            print(f"{name}: osslsigncode {peer} (intact: {intact}), cascade {got}")
            failed += 1
    print(f"{compared} signed MSI files compared, {failed} differ")
    sys.exit(1 if failed or compared < 8 else 0)


if __name__ == "__main__":
    main()
