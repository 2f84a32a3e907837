#!/usr/bin/python3
"""Peer test: rebuild-compare of Debian's signed shim binaries against the unsigned build.

Usage: rebuild_signed_vs_unsigned.py CASCADE_BIN CORPUS_DIR

CORPUS_DIR is the tree written by scripts/fetch-corpus. shim-signed's shimx64.efi.signed
(Microsoft's signatures) and shim-helpers-amd64-signed's mmx64.efi.signed and fbx64.efi.signed
(Debian's) are shim-unsigned's shimx64.efi, mmx64.efi and fbx64.efi with a certificate table
appended after alignment padding. These images end in real zero bytes (shimx64.efi and
mmx64.efi end with a NUL-terminated string and are not 8-aligned; fbx64.efi is 8-aligned), so
the padding cannot be told from the image by the signed file alone. A pair is compared when
the signed package's Built-Using names shim-unsigned's version and both images carry the same
.sbat section and shim "$Version"/"$Commit" strings (else it is reported and skipped; all
skipped exits 77); we check that:
  - `cascade rebuild-compare --json` says rebuild.identical, both ways round, and compares
    exactly the unsigned image's bytes;
  - it says rebuild.differs for an unsigned copy with one byte flipped in .text, with one byte
    appended, and with 8 zero bytes appended, and for a signed copy with a byte planted in the
    padding (or, with no padding, in the image's last zero byte).
Prints each failure, then "N passed, M failed"; exits 1 on any failure.
"""

import glob
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

UNSIGNED = "shim-unsigned"
PAIRS = [  # signed package, signed file, unsigned file (in shim-unsigned)
    ("shim-signed", "shimx64.efi.signed", "shimx64.efi"),
    ("shim-helpers-amd64-signed", "mmx64.efi.signed", "mmx64.efi"),
    ("shim-helpers-amd64-signed", "fbx64.efi.signed", "fbx64.efi"),
]
SKIP = 77


def one(corpus, pattern):
    found = sorted(glob.glob(os.path.join(corpus, pattern), recursive=True))
    return found[0] if len(found) == 1 else None


def deb_field(corpus, package, field):
    debs = sorted(glob.glob(os.path.join(corpus, "debs", f"{package}_*.deb")))
    if not debs:
        return None
    proc = subprocess.run(["dpkg-deb", "-f", debs[-1], field], stdout=subprocess.PIPE, text=True)
    return proc.stdout.strip()


def sections(data):
    """{name: (raw offset, virtual size)} from the PE section table."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    count = struct.unpack_from("<H", data, pe + 6)[0]
    optional_size = struct.unpack_from("<H", data, pe + 20)[0]
    out = {}
    for i in range(count):
        entry = pe + 24 + optional_size + 40 * i
        virtual_size, _, _, raw_offset = struct.unpack_from("<IIII", data, entry + 8)
        out.setdefault(data[entry:entry + 8].rstrip(b"\0"), (raw_offset, virtual_size))
    return out


def shim_version(data):
    """The .sbat section (shim.debian's line names the upstream version) and the $Version and
    $Commit strings shimx64.efi embeds."""
    sbat = sections(data).get(b".sbat")
    text = data[sbat[0]:sbat[0] + sbat[1]] if sbat else b""
    return (text, *(m.group(0) for m in re.finditer(rb"\$(Version|Commit): [^$]* \$", data)))


def security_directory(data):
    """(offset, size) of the certificate table from the PE data directory."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    magic = struct.unpack_from("<H", data, pe + 24)[0]
    directories = pe + 24 + (112 if magic == 0x20B else 96)
    return struct.unpack_from("<II", data, directories + 8 * 4)


def compare(cascade, a, b):
    proc = subprocess.run([cascade, "rebuild-compare", "--json", "--fail-on", "none", a, b],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        return None, f"exit {proc.returncode}: {proc.stderr.decode(errors='replace').strip()}"
    doc = json.loads(proc.stdout)
    return doc, doc["findings"][0]["id"]


def write(tmpdir, name, data):
    path = os.path.join(tmpdir, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def check_pair(cascade, signed_path, unsigned_path, tmpdir):
    problems = []
    with open(signed_path, "rb") as fh:
        signed = fh.read()
    with open(unsigned_path, "rb") as fh:
        unsigned = fh.read()
    for a, b in ((signed_path, unsigned_path), (unsigned_path, signed_path)):
        doc, verdict = compare(cascade, a, b)
        if verdict != "rebuild.identical":
            message = doc["findings"][0]["message"] if doc else verdict
            problems.append(f"{os.path.basename(a)} vs {os.path.basename(b)}: {message}")
        elif doc["compared"] != {"a": len(unsigned), "b": len(unsigned)}:
            problems.append(f"compared {doc['compared']}, want {len(unsigned)} bytes each")

    begin, _ = security_directory(signed)
    flipped = bytearray(unsigned)
    flipped[sections(unsigned)[b".text"][0] + 0x100] ^= 0xFF
    planted = bytearray(signed)
    # A byte in the padding before the table, or in the image's last byte when there is none.
    planted[len(unsigned) if begin > len(unsigned) else begin - 1] = 0x41
    tampered = [
        ("unsigned, a .text byte flipped", signed_path, write(tmpdir, "flipped", flipped)),
        ("unsigned, a byte appended", signed_path, write(tmpdir, "longer", unsigned + b"A")),
        ("unsigned, 8 zeros appended", signed_path, write(tmpdir, "zeros", unsigned + bytes(8))),
        ("signed, a byte planted before the table", write(tmpdir, "planted", planted),
         unsigned_path),
    ]
    for what, a, b in tampered:
        doc, verdict = compare(cascade, a, b)
        if verdict != "rebuild.differs":
            problems.append(f"{what}: {verdict}")
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cascade, corpus = sys.argv[1], sys.argv[2]
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        unsigned_version = deb_field(corpus, UNSIGNED, "Version")
        for package, signed_name, unsigned_name in PAIRS:
            signed = one(corpus, f"{package}/**/{signed_name}")
            unsigned = one(corpus, f"{UNSIGNED}/**/{unsigned_name}")
            built_using = deb_field(corpus, package, "Built-Using")
            if signed is None or unsigned is None or built_using is None or not unsigned_version:
                print(f"{package} or {UNSIGNED} missing under {corpus}; "
                      "run scripts/fetch-corpus first", file=sys.stderr)
                return 2
            with open(signed, "rb") as fh:
                signed_version = shim_version(fh.read())
            with open(unsigned, "rb") as fh:
                image_version = shim_version(fh.read())
            name = unsigned_name
            if built_using != f"shim (= {unsigned_version})":
                print(f"{name}: skipped, {package} is built from {built_using}, "
                      f"{UNSIGNED} is {unsigned_version}")
                skipped += 1
                continue
            if not signed_version[0] or signed_version != image_version:
                print(f"{name}: skipped, the images' versions differ: {signed_version} and "
                      f"{image_version}")
                skipped += 1
                continue
            problems = check_pair(cascade, signed, unsigned, tmpdir)
            for p in problems:
                print(f"{name}: {p}")
            failed += bool(problems)
            passed += not problems
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if failed:
        return 1
    return SKIP if passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
