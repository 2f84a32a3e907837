#!/usr/bin/python3
"""Peer test: cascade's PE import/export parsing against pefile.

Usage: pe_vs_pefile.py CASCADE_BIN CORPUS_DIR

CORPUS_DIR is the tree written by scripts/fetch-corpus. Every PE file (MZ magic, whatever the
extension) under libwine's x86_64-windows and i386-windows directories is inspected once by
cascade (batched, --json) and once by pefile (2 worker processes), and per file we compare:
  - imphash (exact)
  - imports: [(dll, name-or-ordinal, hint)] in order
  - delay imports: same
  - exports: set of (ordinal, name, forwarder, rva)
  - cascade reports no file-level "error"
Prints the first 20 mismatches, then "N passed, M failed"; exits 1 on any mismatch.
Run with Debian's /usr/bin/python3 (python3-pefile).
"""

import json
import multiprocessing
import os
import subprocess
import sys

import pefile

WINE_DIRS = [
    "libwine/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
    "libwine/usr/lib/x86_64-linux-gnu/wine/i386-windows",
]
BATCH = 200
MAX_SHOWN = 20

# Deliberate, understood differences where pefile is wrong, keyed by
# (file basename, field) -> reason. A mismatch in a listed field of a listed file is ignored.
# Empty: no such case found in the corpus so far. Only add entries after looking at the bytes.
ALLOWED_DIFFERENCES = {}

_DIRS = [
    pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
    pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"],
    pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"],
]


def text(b):
    if b is None:
        return None
    return b.decode("utf-8", "backslashreplace") if isinstance(b, bytes) else b


def pefile_imports(entries):
    out = []
    for entry in entries:
        funcs = []
        for imp in entry.imports:
            if imp.name:
                funcs.append(("name", text(imp.name), imp.hint))
            else:
                funcs.append(("ordinal", imp.ordinal, None))
        out.append((text(entry.dll), funcs))
    return out


def pefile_facts(path):
    try:
        pe = pefile.PE(path, fast_load=True)
        pe.parse_data_directories(directories=_DIRS)
        exports = set()
        if hasattr(pe, "DIRECTORY_ENTRY_EXPORT"):
            for s in pe.DIRECTORY_ENTRY_EXPORT.symbols:
                exports.add((s.ordinal, text(s.name), text(s.forwarder), s.address))
        facts = {
            "imphash": pe.get_imphash(),
            "imports": pefile_imports(getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])),
            "delay_imports": pefile_imports(getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])),
            "exports": exports,
        }
        pe.close()
        return path, facts
    except Exception as e:  # pefile raising is itself a finding to report
        return path, {"error": f"pefile: {type(e).__name__}: {e}"}


def cascade_imports(items):
    out = []
    for dll in items:
        funcs = []
        for f in dll["functions"]:
            if "ordinal" in f:
                funcs.append(("ordinal", f["ordinal"], None))
            else:
                funcs.append(("name", f["name"], f["hint"]))
        out.append((dll["dll"], funcs))
    return out


def cascade_facts(cascade, paths):
    facts = {}
    for i in range(0, len(paths), BATCH):
        batch = paths[i : i + BATCH]
        proc = subprocess.run(
            [cascade, "inspect", "--json", "--fail-on", "none", *batch],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if proc.returncode != 0:
            err = f"cascade exited {proc.returncode}: {proc.stderr.decode(errors='replace')[:300]}"
            for p in batch:
                facts[p] = {"error": err}
            continue
        for f in json.loads(proc.stdout)["files"]:
            if "error" in f:
                facts[f["path"]] = {"error": f"cascade: {f['error']}"}
                continue
            if "pe" not in f:
                facts[f["path"]] = {"error": f"cascade: format {f.get('format')}, no pe"}
                continue
            pe = f["pe"]
            facts[f["path"]] = {
                "imphash": f["imphash"],
                "imports": cascade_imports(pe["imports"]),
                "delay_imports": cascade_imports(pe["delay_imports"]),
                "exports": {
                    (e["ordinal"], e["name"], e.get("forwarder"), e["rva"]) for e in pe["exports"]
                },
            }
    return facts


def flatten(imports):
    return [(dll, kind, value, hint) for dll, funcs in imports for kind, value, hint in funcs]


def describe(field, ours, theirs):
    if field in ("imports", "delay_imports"):
        a, b = flatten(ours), flatten(theirs)
        if [d for d, _ in ours] != [d for d, _ in theirs]:
            return f"dlls cascade={[d for d, _ in ours]} pefile={[d for d, _ in theirs]}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return f"entry {i}: cascade={x} pefile={y}"
        return f"length cascade={len(a)} pefile={len(b)}"
    if field == "exports":
        only_c = sorted(ours - theirs, key=repr)[:3]
        only_p = sorted(theirs - ours, key=repr)[:3]
        return (f"{len(ours - theirs)} only in cascade {only_c}, "
                f"{len(theirs - ours)} only in pefile {only_p}")
    return f"cascade={ours!r} pefile={theirs!r}"


def find_pe_files(corpus):
    found = []
    for d in WINE_DIRS:
        root = os.path.join(corpus, d)
        if not os.path.isdir(root):
            continue
        for dirpath, _, names in os.walk(root):
            for n in sorted(names):
                p = os.path.join(dirpath, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    with open(p, "rb") as fh:
                        if fh.read(2) == b"MZ":
                            found.append(p)
    return sorted(found)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    cascade, corpus = sys.argv[1], sys.argv[2]
    paths = find_pe_files(corpus)
    if not paths:
        print(f"no PE files under {corpus}; run scripts/fetch-corpus first", file=sys.stderr)
        return 2

    ours = cascade_facts(cascade, paths)
    with multiprocessing.Pool(2) as pool:
        theirs = dict(pool.imap_unordered(pefile_facts, paths, chunksize=8))

    mismatches, failed = [], 0
    for p in paths:
        a, b = ours.get(p, {"error": "cascade: file missing from output"}), theirs[p]
        problems = []
        for side in (a, b):
            if "error" in side:
                problems.append(side["error"])
        if not problems:
            for field in ("imphash", "imports", "delay_imports", "exports"):
                if a[field] != b[field]:
                    if (os.path.basename(p), field) in ALLOWED_DIFFERENCES:
                        continue
                    problems.append(f"{field}: {describe(field, a[field], b[field])}")
        if problems:
            failed += 1
            mismatches.extend(f"{os.path.relpath(p, corpus)}: {m}" for m in problems)

    for m in mismatches[:MAX_SHOWN]:
        print(m)
    if len(mismatches) > MAX_SHOWN:
        print(f"... and {len(mismatches) - MAX_SHOWN} more mismatches")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
