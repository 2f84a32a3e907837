#!/usr/bin/python3
"""Peer test: cascade's ELF parser against binutils' readelf, on every ELF file of the system.

Usage: elf_vs_readelf.py ELF_PROBE DIR...

Every regular file with the ELF magic under each DIR (recursively; symlinks are not followed,
unreadable files are skipped) is parsed once by ELF_PROBE (tests/unit/elf_probe.cc, batched:
one JSON line per file) and once by `readelf -d -n --dyn-syms -W` (batched, 2 processes; files
without a section header table get `-D -s` instead, the only way readelf shows their dynamic
symbols). Per file we compare:
  - needed: the DT_NEEDED names, in order
  - soname: DT_SONAME
  - build_id: the NT_GNU_BUILD_ID note, hex
  - exports: the set of defined, non-local dynamic symbol names (readelf's name@VERSION and
    name@@VERSION reduced to the bare name)
  - imports: the set of undefined, named dynamic symbol names
  - versioned_exports, versioned_imports: the same as name@VERSION (readelf's @@ read as @;
    just the name when unversioned), so symbol versions are checked too
  - the probe reports no error
Prints the first 20 mismatches, then "N passed, M failed"; exits 1 on any mismatch.
"""

import concurrent.futures
import json
import os
import re
import struct
import subprocess
import sys

BATCH = 200
MAX_SHOWN = 20
FIELDS = ("needed", "soname", "build_id", "exports", "imports", "versioned_exports",
          "versioned_imports")

# Deliberate, understood differences where readelf is wrong, keyed by (file basename, field)
# -> reason. A mismatch in a listed field of a listed file is ignored. Only add entries after
# looking at the bytes. Empty: over Debian 12's /usr/lib/x86_64-linux-gnu and /usr/bin (2598
# files), and over sstrip'd copies of every shared library there, nothing differs.
#
# readelf quirks handled in parsing rather than allowed:
#   - with ELFOSABI_NONE, readelf prints binding 10 (STB_GNU_UNIQUE, e.g. libstdc++'s
#     __digits objects) and type 10 (STT_GNU_IFUNC) as "<OS specific>: 10", two tokens;
#   - --dyn-syms prints nothing for a file without a section header table; -D -s does;
#   - the symbol GNU ld emits for a version definition itself ("VERS_1.0", ABS) is printed
#     without @VERSION (readelf drops it when st_name is the Verdaux name); cascade does the
#     same, so versioned comparisons line up;
#   - undefined symbols carry a " (N)" version index suffix, and defined ones @@ for the default
#     version: both reduced to name@VERSION.
ALLOWED_DIFFERENCES = {}

DYNAMIC = re.compile(r"^\s*0x[0-9a-f]+\s+\((\w+)\)\s+(.*)$")
# Type and binding are words, or "<OS specific>: 10" for values readelf has no name for.
_FIELD = r"(<[^>]+>: \d+|\S+)"
SYMBOL = re.compile(r"^\s*(\d+):\s+([0-9a-f]+)\s+(\S+)\s+" + _FIELD + r"\s+" + _FIELD +
                    r"\s+(\S+)(?:\s+\[[^\]]*\])?\s+(\S+)(?:\s+(.*))?$")
BUILD_ID = re.compile(r"\sBuild ID: ([0-9a-f]+)$")


def find_elf_files(roots):
    found = []
    for root in roots:
        for dirpath, dirnames, names in os.walk(root):
            dirnames.sort()
            for n in sorted(names):
                p = os.path.join(dirpath, n)
                try:
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    with open(p, "rb") as fh:
                        if fh.read(4) == b"\x7fELF":
                            found.append(p)
                except OSError:
                    continue
    return found


def has_section_headers(path):
    """True when e_shoff points into the file (e_shnum may be 0: extended numbering)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return True
    if len(head) < 52 or head[5] not in (1, 2):
        return True
    e = "<" if head[5] == 1 else ">"
    if head[4] == 2 and len(head) >= 64:
        shoff, = struct.unpack_from(e + "Q", head, 0x28)
    else:
        shoff, = struct.unpack_from(e + "I", head, 0x20)
    return shoff != 0 and shoff < os.path.getsize(path)


def bracketed(text):
    m = re.search(r"\[(.*)\]", text)
    return m.group(1) if m else text


def parse_readelf(text):
    facts = {"needed": [], "soname": None, "build_id": None, "exports": set(), "imports": set(),
             "versioned_exports": set(), "versioned_imports": set()}
    for line in text.splitlines():
        if m := DYNAMIC.match(line):
            tag, value = m.groups()
            if tag == "NEEDED":
                facts["needed"].append(bracketed(value))
            elif tag == "SONAME" and facts["soname"] is None:
                facts["soname"] = bracketed(value)
        elif m := BUILD_ID.search(line):
            if facts["build_id"] is None:
                facts["build_id"] = m.group(1)
        elif m := SYMBOL.match(line):
            bind, ndx, name = m.group(5), m.group(7), m.group(8) or ""
            name, _, version = re.sub(r" \(\d+\)$", "", name).partition("@")
            if not name:
                continue
            versioned = f"{name}@{version.lstrip('@')}" if version else name
            if ndx == "UND":
                facts["imports"].add(name)
                facts["versioned_imports"].add(versioned)
            elif bind != "LOCAL":
                facts["exports"].add(name)
                facts["versioned_exports"].add(versioned)
    return facts


def run_readelf(batch):
    """readelf over a batch of files; returns {path: facts}."""
    out = {}
    with_sections = [p for p in batch if has_section_headers(p)]
    without = [p for p in batch if p not in set(with_sections)]
    for paths, args in ((with_sections, ["-d", "-n", "--dyn-syms"]),
                        (without, ["-d", "-n", "-D", "-s"])):
        if not paths:
            continue
        proc = subprocess.run(["readelf", *args, "-W", *paths], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=dict(os.environ, LC_ALL="C"))
        text = proc.stdout.decode("utf-8", "backslashreplace")
        if len(paths) == 1:
            out[paths[0]] = parse_readelf(text)
            continue
        # With several files readelf starts each one with "File: PATH".
        chunks = re.split(r"^File: (.*)$", text, flags=re.M)
        for i in range(1, len(chunks) - 1, 2):
            out[chunks[i]] = parse_readelf(chunks[i + 1])
        for p in paths:
            out.setdefault(p, {"error": "readelf printed nothing for this file"})
    return out


def run_probe(probe, batch):
    out = {}
    proc = subprocess.run([probe, *batch], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = f"probe exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:300]}"
        return {p: {"error": err} for p in batch}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        j = json.loads(line)
        if "error" in j:
            out[j["path"]] = {"error": f"cascade: {j['error']}"}
            continue
        out[j["path"]] = {
            "needed": j["needed"],
            "soname": j["soname"],
            "build_id": j["build_id"],
            "exports": set(j["exports"]),
            "imports": set(j["imports"]),
            "versioned_exports": set(j["versioned_exports"]),
            "versioned_imports": set(j["versioned_imports"]),
            "anomalies": j["anomalies"],
        }
    return out


def describe(field, ours, theirs):
    if isinstance(ours, set):
        only_c = sorted(ours - theirs)[:3]
        only_r = sorted(theirs - ours)[:3]
        return (f"{len(ours - theirs)} only in cascade {only_c}, "
                f"{len(theirs - ours)} only in readelf {only_r}")
    return f"cascade={ours!r} readelf={theirs!r}"


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    probe, roots = sys.argv[1], sys.argv[2:]
    paths = find_elf_files(roots)
    if not paths:
        print(f"no ELF files under {roots}", file=sys.stderr)
        return 2
    batches = [paths[i:i + BATCH] for i in range(0, len(paths), BATCH)]
    ours, theirs = {}, {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for result in pool.map(lambda b: run_probe(probe, b), batches):
            ours.update(result)
        for result in pool.map(run_readelf, batches):
            theirs.update(result)

    mismatches, failed, allowed, anomalous = [], 0, 0, 0
    for p in paths:
        a = ours.get(p, {"error": "cascade: file missing from probe output"})
        b = theirs.get(p, {"error": "readelf: file missing from output"})
        problems = [side["error"] for side in (a, b) if "error" in side]
        if not problems:
            anomalous += bool(a["anomalies"])
            for field in FIELDS:
                if a[field] == b[field]:
                    continue
                if (os.path.basename(p), field) in ALLOWED_DIFFERENCES:
                    allowed += 1
                    continue
                problems.append(f"{field}: {describe(field, a[field], b[field])}")
        if problems:
            failed += 1
            mismatches.extend(f"{p}: {m}" for m in problems)

    for m in mismatches[:MAX_SHOWN]:
        print(m)
    if len(mismatches) > MAX_SHOWN:
        print(f"... and {len(mismatches) - MAX_SHOWN} more mismatches")
    print(f"({len(paths)} ELF files; {anomalous} with anomalies; "
          f"{allowed} allow-listed differences)")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
