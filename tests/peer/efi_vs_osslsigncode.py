#!/usr/bin/python3
"""Peer test: cascade's Authenticode verification of signed EFI binaries against osslsigncode.

Usage: efi_vs_osslsigncode.py CASCADE_BIN CORPUS_DIR

CORPUS_DIR is the tree written by scripts/fetch-corpus. For shimx64.efi.signed, the grub
*.efi.signed files and fwupdx64.efi.signed we run `osslsigncode verify -in F` and
`cascade inspect --json` and check, per signature:
  - cascade's signed_digest == osslsigncode's "Current message digest"
  - cascade's computed_digest == osslsigncode's "Calculated message digest"
  - digest_ok and signature_ok are true
  - where osslsigncode reports a "Timestamp time", cascade reports a timestamp at the same second
    with no error, signature_ok and imprint_ok (and no timestamp where osslsigncode has none)
osslsigncode's chain verification fails (the Microsoft and Debian Secure Boot roots are not in
the system bundle); that is expected and ignored: only its digest and timestamp lines are used.
Prints the first 20 mismatches, then "N passed, M failed"; exits 1 on any mismatch.
"""

import datetime
import glob
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

PATTERNS = [
    "shim-signed/**/shimx64.efi.signed",
    "grub-efi-amd64-signed/**/*.efi.signed",
    "fwupd-amd64-signed/**/fwupdx64.efi.signed",
]
MAX_SHOWN = 20
EXPECTED_FILES = 6  # shim, 4 grub images, fwupd

# Known osslsigncode limitation: shimx64.efi.signed carries two WIN_CERTIFICATE entries in its
# attribute certificate table (Microsoft UEFI CA 2011 and 2023 signatures, appended side by
# side rather than nested). osslsigncode 2.9 only accepts a table holding exactly one entry and
# rejects the file with "Corrupted attribute certificate table". For such files we check that
# cascade reports SHIM_ENTRIES entries, all verifying, and compare each entry against
# osslsigncode run on a temporary copy whose table holds only that entry (the Authenticode
# digest excludes the certificate table and its data-directory slot, so it is unchanged).
CORRUPT_TABLE = "Corrupted attribute certificate table"
SHIM_ENTRIES = 2


def find_files(corpus):
    found = set()
    for pattern in PATTERNS:
        found.update(glob.glob(os.path.join(corpus, pattern), recursive=True))
    return sorted(found)


def osslsigncode(path):
    """Returns (signatures, output); signatures is a list of {current, calculated, timestamp}."""
    proc = subprocess.run(
        ["osslsigncode", "verify", "-in", path],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    out = proc.stdout
    sigs = []
    for block in re.split(r"^Signature Index: ", out, flags=re.M)[1:]:
        cur = re.search(r"^Current message digest\s*:\s*([0-9A-Fa-f]+)", block, re.M)
        calc = re.search(r"^Calculated message digest\s*:\s*([0-9A-Fa-f]+)", block, re.M)
        ts = re.search(r"^\s*Timestamp time:\s*(.+?)\s*$", block, re.M)
        sigs.append(
            {
                "current": cur.group(1).lower() if cur else None,
                "calculated": calc.group(1).lower() if calc else None,
                "timestamp": parse_openssl_time(ts.group(1)) if ts else None,
            }
        )
    return sigs, out


def parse_openssl_time(s):
    # "May 13 10:06:13 2026 GMT"
    t = datetime.datetime.strptime(" ".join(s.split()), "%b %d %H:%M:%S %Y GMT")
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def single_entry_copies(path, tmpdir):
    """Writes one copy of PE `path` per certificate-table entry, each holding only that entry."""
    with open(path, "rb") as fh:
        data = fh.read()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    magic = struct.unpack_from("<H", data, pe + 24)[0]
    slot = pe + 24 + (112 if magic == 0x20B else 96) + 4 * 8  # data directory 4: security
    offset, size = struct.unpack_from("<II", data, slot)
    copies, pos = [], offset
    while pos + 8 <= offset + size:
        length = struct.unpack_from("<I", data, pos)[0]
        if length < 8:
            break
        padded = (length + 7) & ~7
        copy = bytearray(data[:offset]) + data[pos : pos + padded]
        struct.pack_into("<II", copy, slot, offset, padded)
        name = os.path.join(tmpdir, f"{os.path.basename(path)}.entry{len(copies)}")
        with open(name, "wb") as fh:
            fh.write(copy)
        copies.append(name)
        pos += padded
    return copies


def compare_signature(label, ours, theirs):
    problems = []
    if ours["signed_digest"] != theirs["current"]:
        problems.append(
            f"{label}: signed_digest cascade={ours['signed_digest']} "
            f"osslsigncode={theirs['current']}"
        )
    if ours["computed_digest"] != theirs["calculated"]:
        problems.append(
            f"{label}: computed_digest cascade={ours['computed_digest']} "
            f"osslsigncode={theirs['calculated']}"
        )
    stamps = ours.get("timestamps", [])
    if theirs["timestamp"] is None:
        if stamps:
            problems.append(f"{label}: cascade reports {len(stamps)} timestamps, osslsigncode none")
    elif len(stamps) != 1:
        problems.append(
            f"{label}: osslsigncode timestamp {theirs['timestamp']}Z, cascade {len(stamps)} timestamps"
        )
    else:
        ts = stamps[0]
        if (ts.get("error") or not ts["signature_ok"] or not ts["imprint_ok"]
                or ts["time"][:19] != theirs["timestamp"]):
            problems.append(
                f"{label}: timestamp osslsigncode={theirs['timestamp']}Z cascade time="
                f"{ts['time']!r} signature_ok={ts['signature_ok']} imprint_ok={ts['imprint_ok']} "
                f"error={ts.get('error')!r}"
            )
    return problems


def check_file(path, report, tmpdir):
    problems = []
    if "error" in report:
        return [f"cascade error: {report['error']}"]
    sigs = report.get("signatures", [])
    if not sigs:
        return ["cascade reports no signatures"]
    for s in sigs:
        if not (s["digest_ok"] and s["signature_ok"]):
            problems.append(
                f"entry {s['entry']} depth {s['nested_depth']}: digest_ok={s['digest_ok']} "
                f"signature_ok={s['signature_ok']} {s.get('error', '')}{s.get('signature_error', '')}"
            )

    theirs, out = osslsigncode(path)
    if CORRUPT_TABLE in out:
        entries = (report.get("certificate_table") or {}).get("entries", [])
        if len(entries) != SHIM_ENTRIES:
            problems.append(f"cascade reports {len(entries)} certificate entries, want {SHIM_ENTRIES}")
        for i, copy in enumerate(single_entry_copies(path, tmpdir)):
            theirs, _ = osslsigncode(copy)
            ours = [s for s in sigs if s["entry"] == i]
            if len(ours) != len(theirs) or not theirs:
                problems.append(f"entry {i}: cascade {len(ours)} signatures, osslsigncode {len(theirs)}")
                continue
            for j, (a, b) in enumerate(zip(ours, theirs)):
                problems += compare_signature(f"entry {i} signature {j}", a, b)
        return problems

    if len(theirs) != len(sigs) or any(t["current"] is None for t in theirs):
        tail = out.strip().splitlines()[-1:] if out.strip() else ["no output"]
        return problems + [
            f"cascade {len(sigs)} signatures, osslsigncode {len(theirs)} ({tail[0]})"
        ]
    for j, (a, b) in enumerate(zip(sigs, theirs)):
        problems += compare_signature(f"signature {j}", a, b)
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cascade, corpus = sys.argv[1], sys.argv[2]
    files = find_files(corpus)
    if len(files) < EXPECTED_FILES:
        print(f"found {len(files)} signed EFI files under {corpus}, want {EXPECTED_FILES}; "
              "run scripts/fetch-corpus first", file=sys.stderr)
        return 2

    proc = subprocess.run(
        [cascade, "inspect", "--json", "--fail-on", "none", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if proc.returncode != 0:
        print(f"cascade exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
        print(f"0 passed, {len(files)} failed")
        return 1
    reports = {f["path"]: f for f in json.loads(proc.stdout)["files"]}

    mismatches, failed = [], 0
    with tempfile.TemporaryDirectory() as tmpdir:
        for path in files:
            report = reports.get(path, {"error": "file missing from output"})
            problems = check_file(path, report, tmpdir)
            if problems:
                failed += 1
                mismatches += [f"{os.path.relpath(path, corpus)}: {p}" for p in problems]

    for m in mismatches[:MAX_SHOWN]:
        print(m)
    if len(mismatches) > MAX_SHOWN:
        print(f"... and {len(mismatches) - MAX_SHOWN} more mismatches")
    print(f"{len(files) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
