#!/usr/bin/python3
"""Peer test: cascade inspect on Debian's separate debug files (libc6-dbg).

Usage: elf_debug_files.py CASCADE_BIN CORPUS_DIR

CORPUS_DIR is the tree written by scripts/fetch-corpus. Every ELF file under
libc6-dbg/usr/lib/debug (the /usr/lib/debug/.build-id/NN/REST.debug files dh_strip makes with
`objcopy --only-keep-debug`: every allocated section but the notes SHT_NOBITS, PT_INTERP and
most segments emptied) goes through `cascade inspect --json`, and we check that:
  - the file really is a separate debug file (section headers: allocated sections all NOBITS
    or NOTE, code among the NOBITS ones), so the test covers what it claims;
  - there is no error and no elf.malformed finding;
  - the build-id cascade reads is the one the file is named by (NN + REST);
  - no interpreter, needed library or dynamic symbol is made up (the tables stayed with the
    stripped binary).
Then, on copies of the largest such file, that real damage still shows: a cut-short copy, a
.debug_info section pointing past the end, and a copy whose .text header claims its bytes are
in the file (no longer a debug file: its empty PT_INTERP is damage) each give elf.malformed.
Prints each failure, then "N passed, M failed"; exits 1 on any failure.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

ROOT = "libc6-dbg/usr/lib/debug"
MIN_FILES = 200  # bookworm's libc6-dbg holds about 270
BATCH = 100
SHF_ALLOC, SHF_EXECINSTR = 0x2, 0x4


def find_elf_files(root):
    found = []
    for dirpath, dirnames, names in os.walk(root):
        dirnames.sort()
        for n in sorted(names):
            p = os.path.join(dirpath, n)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as fh:
                    if fh.read(4) == b"\x7fELF":
                        found.append(p)
    return found


def section_headers(data):
    """[(name, type, flags, offset, size, header offset)] of a 64-bit little-endian file."""
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    raw = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) + (shoff + i * shentsize,)
           for i in range(shnum)]
    names_at = raw[shstrndx][4]
    out = []
    for name, kind, flags, _, offset, size, header in raw:
        end = data.index(b"\0", names_at + name)
        out.append((data[names_at + name:end].decode(), kind, flags, offset, size, header))
    return out


def is_debug_only(data):
    if data[4] != 2 or data[5] != 1:
        return False
    alloc = [s for s in section_headers(data) if s[2] & SHF_ALLOC and s[4]]
    return (all(s[1] in (7, 8) for s in alloc) and  # SHT_NOTE, SHT_NOBITS
            any(s[2] & SHF_EXECINSTR for s in alloc))


def inspect(cascade, paths):
    reports = {}
    for i in range(0, len(paths), BATCH):
        proc = subprocess.run([cascade, "inspect", "--json", "--fail-on", "none",
                               *paths[i:i + BATCH]], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise RuntimeError(f"cascade exited {proc.returncode}: "
                               f"{proc.stderr.decode(errors='replace')}")
        reports.update((f["path"], f) for f in json.loads(proc.stdout)["files"])
    return reports


def malformed(report):
    return [f["message"] for f in report.get("findings", []) if f["id"] == "elf.malformed"]


def check_file(path, data, report):
    problems = []
    if not is_debug_only(data):
        problems.append("not a separate debug file by its section headers")
    if "error" in report:
        problems.append(f"error: {report['error']}")
    problems += [f"elf.malformed: {m}" for m in malformed(report)]
    parts = path.split(os.sep)
    if ".build-id" in parts and path.endswith(".debug"):
        named = parts[-2] + parts[-1][:-len(".debug")]
        if report.get("build_id") != named:
            problems.append(f"build_id {report.get('build_id')}, named {named}")
    for field in ("interpreter", "soname"):
        if report.get(field) is not None:
            problems.append(f"{field} {report[field]!r}")
    lists = dict(report.get("elf", {}), needed=report.get("needed"))
    for field in ("needed", "imports", "exports"):
        if lists.get(field):
            problems.append(f"{field}: {len(lists[field])} entries")
    return problems


def damaged_copies(data):
    sections = {s[0]: s for s in section_headers(data)}
    cut = data[:len(data) // 2]
    outside = bytearray(data)
    struct.pack_into("<Q", outside, sections[".debug_info"][5] + 24, len(data) + 0x1000)
    code = bytearray(data)
    text = sections[".text"][5]
    struct.pack_into("<I", code, text + 4, 1)  # SHT_PROGBITS
    struct.pack_into("<QQ", code, text + 24, 0x40, 0x10)  # sh_offset, sh_size: in the file
    return [("cut in half", cut), (".debug_info past the end", outside),
            (".text claiming file bytes", code)]


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cascade, corpus = sys.argv[1], sys.argv[2]
    paths = find_elf_files(os.path.join(corpus, ROOT))
    if len(paths) < MIN_FILES:
        print(f"found {len(paths)} ELF files under {os.path.join(corpus, ROOT)}, want at least "
              f"{MIN_FILES}; run scripts/fetch-corpus first", file=sys.stderr)
        return 2
    reports = inspect(cascade, paths)
    failed = 0
    largest = max(paths, key=os.path.getsize)
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        problems = check_file(path, data, reports.get(path, {"error": "missing from output"}))
        for p in problems:
            print(f"{os.path.relpath(path, corpus)}: {p}")
        failed += bool(problems)

    with open(largest, "rb") as fh:
        data = fh.read()
    with tempfile.TemporaryDirectory() as tmpdir:
        copies = []
        for what, bytes_ in damaged_copies(data):
            copy = os.path.join(tmpdir, what.replace(" ", "-"))
            with open(copy, "wb") as fh:
                fh.write(bytes_)
            copies.append((what, copy))
        damaged = inspect(cascade, [c for _, c in copies])
        for what, copy in copies:
            if not malformed(damaged.get(copy, {})):
                print(f"{os.path.relpath(largest, corpus)}, {what}: no elf.malformed")
                failed += 1
    total = len(paths) + 3
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
