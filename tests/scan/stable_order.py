#!/usr/bin/env python3
"""Same input, same output (issue 23): `cascade scan` lists files and findings in one order
whatever the thread count, so two runs over a tree can be compared with diff.

A tree of a few hundred small files is written here: names chosen so that bytewise order,
component order and readdir order disagree ("a", "a-b", "a.txt", "a/..."), files listed by a hash
feed, files two YARA rules both match (several findings of one severity, ordered by message),
and zips holding such files. It is scanned once with -j 1 and three times with -j 4 and -j 8,
in the four output forms (--json, --jsonl, --sarif, text), and each form must be byte for byte
the same in every run. Masked, because they are times by nature: `started` and `finished`
(JSON, JSON Lines) and `startTimeUtc`/`endTimeUtc` (SARIF). Nothing else is masked.

The order itself is checked too: files in walk order (each directory's entries by name, depth
first; a container's entries before it), findings most severe first, then by id and message.

usage: stable_order.py CASCADE
"""
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

FAILURES = []
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
TIME_FIELDS = re.compile(rb'"(started|finished|startTimeUtc|endTimeUtc)":\s*"[^"]*"')


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def make_tree(root):
    """Writes the tree; returns the SHA-256 digests the feed lists."""
    listed = []
    names = ["a", "a-b", "a.txt", "a_c", "B", "b", "z", "0", "~"]
    count = 0
    for top in names:
        for sub in ("", "a", "a.d", "m"):
            directory = os.path.join(root, top, sub) if sub else os.path.join(root, top)
            os.makedirs(directory, exist_ok=True)
            for i in (9, 10, 100, 2):
                count += 1
                data = f"file {count} in {top}/{sub}\n".encode()
                if count % 3 == 0:
                    data += b"cascade stable-order marker\n"  # both YARA rules match
                if count % 5 == 0:
                    listed.append(hashlib.sha256(data).hexdigest())
                with open(os.path.join(directory, f"f{i}"), "wb") as out:
                    out.write(data)
            if count % 4 == 0:
                inner = b"inner cascade stable-order marker " + str(count).encode()
                listed.append(hashlib.sha256(inner).hexdigest())
                with open(os.path.join(directory, "pack.zip"), "wb") as out:
                    out.write(zip_bytes([("z/last.txt", inner), ("a/first.txt", inner + b"!"),
                                         ("m.txt", b"plain")]))
    return listed


def masked(data):
    return TIME_FIELDS.sub(lambda m: b'"' + m.group(1) + b'":"<time>"', data)


def run(cascade, feed, rules, tree, threads, form, out_dir):
    sarif = os.path.join(out_dir, f"run-{form}-{threads}.sarif")
    args = [cascade, "scan", "-j", str(threads), "--host", "stable-order", "--ioc", feed,
            "--rules", rules, "--fail-on", "none", "--top", "100000", "--color", "never"]
    if form == "json":
        args.append("--json")
    elif form == "jsonl":
        args.append("--jsonl")
    elif form == "sarif":
        args += ["--sarif", sarif]
    args.append(tree)
    proc = subprocess.run(args, capture_output=True, cwd=out_dir)
    check(proc.returncode == 0, f"{form} -j {threads}: exit {proc.returncode} "
          f"{proc.stderr.decode(errors='replace')[:300]}")
    if form == "sarif":
        with open(sarif, "rb") as f:
            return masked(f.read())
    return masked(proc.stdout)


def walk_key(path):
    """Component-wise order; inside a container its entries (in the container's order) come
    before the container itself, which the stable sort below keeps."""
    return [part.encode() for part in path.split("!")[0].split("/")]


def check_order(document, what):
    paths = [f["path"] for f in document["files"]]
    tops = [p.split("!")[0] for p in paths]
    check(sorted(tops, key=walk_key) == tops, f"{what}: files in walk order")
    for f in document["files"]:
        found = f["findings"]
        keys = [(-SEVERITY_RANK[x["severity"]], x["id"], x["message"]) for x in found]
        if keys != sorted(keys):
            check(False, f"{what}: findings of {f['path']} not by severity, id, message")
            return
        if "!" in f["path"]:
            container = f["path"].rsplit("!", 1)[0]
            if paths.index(container) < paths.index(f["path"]):
                check(False, f"{what}: {container} listed before its entry {f['path']}")
                return
    check(True, f"{what}: findings by severity, id, message; entries before their container")


def main():
    cascade = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="cascade-stable-order-") as work:
        tree = os.path.join(work, "tree")
        listed = make_tree(tree)
        feed = os.path.join(work, "feed.txt")
        with open(feed, "w") as out:
            out.write("".join(f"{digest} known-bad\n" for digest in listed))
        rules = os.path.join(work, "rules.yar")
        with open(rules, "w") as out:
            out.write('rule marker_a { strings: $m = "stable-order marker" condition: $m }\n'
                      'rule marker_b { strings: $m = "cascade stable" condition: $m }\n')
        for form in ("json", "jsonl", "sarif", "text"):
            first = run(cascade, feed, rules, tree, 1, form, work)
            check(len(first) > 1000, f"{form}: output of {len(first)} bytes")
            for threads in (4, 4, 4, 8):
                again = run(cascade, feed, rules, tree, threads, form, work)
                check(again == first, f"{form}: -j {threads} gives the same bytes as -j 1")
            if form == "json":
                document = json.loads(first)
                files = document["files"]
                check(len(files) == 288, f"json: {len(files)} files (144 on disk, 36 zips of 3)")
                with_many = [f for f in files if len(f["findings"]) >= 3]
                check(len(with_many) > 10, f"json: {len(with_many)} files with three findings")
                nested = [f for f in files if "!" in f["path"]]
                check(len(nested) > 50, f"json: {len(nested)} files inside zips")
                check_order(document, "json")
            if form == "text":
                text = first.decode()
                check(text.count(" ioc.yara ") > 100, "text: every finding listed")
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
