#!/usr/bin/python3
"""Peer test: genuine signed software verifies as trusted; the same files tampered never pass.

Usage: genuine_and_tampered.py CASCADE_BIN DEB_CORPUS NPM_CORPUS

DEB_CORPUS is scripts/fetch-corpus's tree (shim-signed, grub-efi-amd64-signed,
fwupd-amd64-signed), NPM_CORPUS scripts/fetch-npm-corpus's (@azure/msal-node-runtime,
@oven/bun-darwin-x64). With the built-in trust stores only (no --trust):
  - every signature of every genuine file is trusted, by the set that should judge it (Secure
    Boot for Microsoft's shim, shim's vendor CA for Debian's GRUB and fwupd, the Microsoft root
    program for Microsoft's DLLs, Apple for the Mach-O files), and no finding is above low;
  - the bun binary is a Developer ID application of team 7FRXF46ZSN;
  - copies of real files tampered with tests/fixtures/petweak.py (a .text byte flipped; 4 KiB
    hidden in the certificate table, CVE-2013-3900; bytes appended) are flagged at high or above.
Prints each failure, then "N passed, M failed"; exits 1 on any failure.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

ABOVE_LOW = {"medium", "high", "critical"}
HIGH = {"high", "critical"}


def inspect(cascade, paths):
    out = subprocess.run([cascade, "inspect", "--json", "--fail-on", "none", *paths],
                         capture_output=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"cascade inspect exited {out.returncode}: {out.stderr.decode()[:500]}")
    return json.loads(out.stdout)["files"]


def signatures(report):
    """(where, chain, extra) for every embedded and Mach-O CMS signature of a file report."""
    for s in report.get("signatures", []):
        yield f"signature {s['entry'] + 1}", s["chain"], s
    slices = report.get("slices") or [report]
    for i, sl in enumerate(slices):
        cms = (sl.get("codesign") or {}).get("cms")
        if cms and cms.get("present"):
            yield f"slice {i} CMS", cms["chain"], cms


def main():
    cascade, deb, npm = sys.argv[1:4]
    petweak = os.path.join(os.path.dirname(__file__), "..", "fixtures", "petweak.py")
    expected_sets = {
        "shim-signed/usr/lib/shim/shimx64.efi.signed": "secure-boot",
        "grub-efi-amd64-signed/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed": "shim-vendor",
        "fwupd-amd64-signed/usr/libexec/fwupd/efi/fwupdx64.efi.signed": "shim-vendor",
        "azure-msal-node-runtime/package/dist/windows/x64/msalruntime.dll": "microsoft-root-program",
        "azure-msal-node-runtime/package/dist/windows/arm64/msalruntime_arm64.dll": "microsoft-root-program",
        "azure-msal-node-runtime/package/dist/windows/x86/msalruntime_x86.dll": "microsoft-root-program",
        "azure-msal-node-runtime/package/dist/macos/arm64/msal-node-runtime.node": "apple",
        "oven-bun-darwin-x64/package/bin/bun": "apple",
    }
    roots = {"shim": deb, "grub": deb, "fwup": deb, "azur": npm, "oven": npm}
    paths = [os.path.join(roots[rel[:4]], rel) for rel in expected_sets]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    for rel, report in zip(expected_sets, inspect(cascade, paths)):
        sigs = list(signatures(report))
        check(bool(sigs), f"{rel}: no signature read")
        for where, chain, extra in sigs:
            check(chain["trusted"], f"{rel} {where}: untrusted: {chain.get('error')}")
            check(chain["trust_set"] == expected_sets[rel],
                  f"{rel} {where}: judged by {chain['trust_set']}, expected {expected_sets[rel]}")
            if rel.endswith("/bin/bun"):
                check(extra.get("developer_id") is True and extra.get("signer_team_id") == "7FRXF46ZSN",
                      f"{rel}: Developer ID / team not recognised: {extra.get('apple_identity')}")
        loud = [f for f in report["findings"] if f["severity"] in ABOVE_LOW]
        check(not loud, f"{rel}: findings above low on genuine software: {loud}")

    # The same real files, tampered: never silent.
    with tempfile.TemporaryDirectory() as tmp:
        tampered = []
        # shim's table holds two entries, which pad-certtable does not grow.
        for rel, hows in (("shim-signed/usr/lib/shim/shimx64.efi.signed", ("flip", "append")),
                          ("grub-efi-amd64-signed/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed",
                           ("flip", "pad", "append")),
                          ("azure-msal-node-runtime/package/dist/windows/x64/msalruntime.dll",
                           ("flip", "pad", "append"))):
            src = os.path.join(roots[rel[:4]], rel)
            base = os.path.join(tmp, os.path.basename(rel))
            for how in hows:
                args = {"flip": ["flip-text"], "pad": ["pad-certtable"], "append": ["append"]}[how]
                dst = f"{base}.{how}"
                extra = {"flip": [], "pad": ["4096", "7"], "append": ["512", "7", "CASCADE-MARKER"]}[how]
                subprocess.run(["/usr/bin/python3", petweak, *args, src, dst, *extra], check=True,
                               capture_output=True)
                tampered.append((f"{rel} ({how})", dst))
        for (what, _), report in zip(tampered, inspect(cascade, [p for _, p in tampered])):
            ids = {f["id"] for f in report["findings"] if f["severity"] in HIGH}
            check(bool(ids), f"{what}: tampered, yet nothing at high or above: "
                             f"{[f['id'] for f in report['findings']]}")

    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
