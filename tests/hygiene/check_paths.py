#!/usr/bin/python3
"""Paths stay lossless in JSON: names that differ only in bytes that are not UTF-8 never collide.

Usage: check_paths.py CASCADE SOURCE_DIR

A directory holds files named b"name\\xff.bin", b"name\\xfe.bin" and "name\\ufffdFF.bin" (a
valid name that looks like the escape of the first), plus two of those names again inside a
zip. scan --json and --jsonl, inspect --json and diff --json must name every one distinctly;
`path_base64` must give back the exact bytes, and `path` must map back to them by the rule
docs/json-schema.md states. The documents must validate against the published schemas.
graph ingest must keep the names apart too: two files with the same content under the two
invalid names are one artifact with two names.
"""
import base64
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import jsonschema

CASCADE = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(args, expect=(0,)):
    p = subprocess.run([CASCADE, *args], capture_output=True, timeout=300)
    check(p.returncode in expect, f"cascade {args}: exit {p.returncode}: {p.stderr[:400]!r}")
    return p


def from_lossless(text):
    """The documented rule: U+FFFD + two upper-case hex digits is that byte, U+FFFD + 'u' is
    U+FFFD itself; everything else is UTF-8 as it stands."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\ufffd":
            if text[i + 1] == "u":
                out += "\ufffd".encode()
                i += 2
            else:
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
        else:
            out += c.encode()
            i += 1
    return bytes(out)


def load_schema(name):
    with open(os.path.join(SOURCE, "docs", "schema", name)) as f:
        return json.load(f)


def validate(doc, schema_file):
    schema = load_schema(schema_file)
    # As tests/schema/validate_scan.py does: jsonschema 4.10 cannot join fragments onto urn:
    # ids, so the inspect definitions another schema refers to are merged into it.
    inspect = load_schema("cascade.inspect-1.schema.json")
    if schema["$id"] != inspect["$id"]:
        schema = json.loads(json.dumps(schema).replace(inspect["$id"] + "#/$defs/", "#/$defs/"))
        schema.setdefault("$defs", {}).update(
            {k: v for k, v in inspect["$defs"].items() if k not in schema["$defs"]})
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    check(not errors, f"{schema_file}: {[e.message[:200] for e in errors[:3]]}")


def exact(record):
    """The raw bytes a file object names, checking path against path_base64."""
    path = record["path"]
    raw = from_lossless(path)
    if "path_base64" in record:
        check(base64.b64decode(record["path_base64"]) == raw,
              f"path_base64 and path disagree: {record!r}")
    else:
        check(raw == path.encode(), f"path is not the name itself and has no path_base64: {path!r}")
    return raw


with tempfile.TemporaryDirectory() as tmp:
    top = tmp.encode()
    tree = os.path.join(top, b"tree")
    os.mkdir(tree)
    names = [b"name\xff.bin", b"name\xfe.bin", "name\ufffdFF.bin".encode()]
    for i, name in enumerate(names):
        with open(os.path.join(tree, name), "wb") as f:
            f.write(b"content %d " % i + os.urandom(8))
    # A zip holding two entries whose names differ only in an invalid byte (no UTF-8 flag): the
    # names are written as placeholders and patched (zip CRCs do not cover names).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("entry-PLACEHOLDER-A.txt", b"entry 0")
        z.writestr("entry-PLACEHOLDER-B.txt", b"entry 1")
    archive = buffer.getvalue()
    archive = archive.replace(b"-PLACEHOLDER-A", b"-placeholder-\xff").replace(
        b"-PLACEHOLDER-B", b"-placeholder-\xfe")
    with open(os.path.join(tree, b"archive.zip"), "wb") as f:
        f.write(archive)
    expected = {os.path.join(tree, n) for n in names} | {os.path.join(tree, b"archive.zip")}

    p = run(["scan", "--json", tree.decode("utf-8", "surrogateescape")])
    doc = json.loads(p.stdout)
    validate(doc, "cascade.scan-1.schema.json")
    paths = [r["path"] for r in doc["files"]]
    check(len(set(paths)) == len(paths), f"scan --json: two files share a path: {paths!r}")
    raws = {exact(r) for r in doc["files"]}
    check(expected <= raws, f"scan --json: not every name is kept exactly: {sorted(raws)!r}")
    nested = {r for r in raws if b"!" in r}
    check(len(nested) == 2, f"scan --json: the two zip entries are not both named: {nested!r}")

    p = run(["scan", "--jsonl", tree.decode("utf-8", "surrogateescape")])
    records = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    raws_jsonl = {exact(r) for r in records if r.get("record") == "file"}
    check(raws_jsonl == raws, "scan --jsonl does not name the files as scan --json does")

    files = [os.path.join(tree, n) for n in names]
    p = run(["inspect", "--json", *[f.decode("utf-8", "surrogateescape") for f in files]])
    doc = json.loads(p.stdout)
    validate(doc, "cascade.inspect-1.schema.json")
    check([exact(r) for r in doc["files"]] == files,
          f"inspect --json: the names are not kept exactly: {[r['path'] for r in doc['files']]!r}")

    # diff: the names are added in the new release, each distinctly.
    old = os.path.join(top, b"old")
    os.mkdir(old)
    p = run(["diff", "--json", old.decode(), tree.decode()], expect=(0, 1))
    doc = json.loads(p.stdout)
    validate(doc, "cascade.diff-1.schema.json")
    diff_paths = [f["path"] for f in doc["files"]]
    check(len(set(diff_paths)) == len(diff_paths), f"diff --json: paths collide: {diff_paths!r}")
    check(len([p for p in diff_paths if p.startswith("name")]) == 3,
          f"diff --json: not every name is listed: {diff_paths!r}")

    # graph: one content under the two invalid names is one artifact with two names.
    same = os.path.join(top, b"same")
    os.mkdir(same)
    for name in names[:2]:
        with open(os.path.join(same, name), "wb") as f:
            f.write(b"one content")
    report = os.path.join(tmp, "same.json")
    p = run(["scan", "--json", same.decode()])
    with open(report, "wb") as f:
        f.write(p.stdout)
    p = run(["graph", "ingest", "--json", "--db", os.path.join(tmp, "inventory.db"), report])
    ingested = json.loads(p.stdout)["documents"][0]
    check(ingested["names"] == 2,
          f"graph ingest: the two names became {ingested['names']} name(s): {ingested!r}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok: paths are lossless in JSON and in the graph")
