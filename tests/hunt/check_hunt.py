#!/usr/bin/env python3
"""cascade hunt end to end: a small inventory ingested from hand-written documents (events and
CycloneDX SBOMs with digests and purls) and a real `cascade scan` report of a tree with installed
npm packages; feeds written here (hash lists, a signer list, OSV advisories in a directory laid
out as the OpenSSF malicious-packages repository is, with invented package names), the answers
written by hand from docs/hunt.md (digests; package versions listed, in a range, at the fixed
version, outside, in an ecosystem without an ordering; the hosts of a digest's other identity),
the exit codes, and the JSON against its schema.

usage: check_hunt.py CASCADE SCHEMA SCRATCH
"""
import json
import os
import shutil
import subprocess
import sys

import jsonschema

CASCADE, SCHEMA, SCRATCH = sys.argv[1:4]
FAILURES = []

A = "a1" * 32  # ran on ws01 twice, in release app@1.0, which went to pos-7
B = "b2" * 32  # ran on ws02
C = "c3" * 32  # in no document


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def write(name, text):
    path = os.path.join(SCRATCH, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(*args):
    return subprocess.run([CASCADE, *args], capture_output=True, text=True, check=False,
                          timeout=120)


def hunt_json(*feeds, extra=()):
    args = ["hunt", "--db", DB, "--json", *extra]
    for feed in feeds:
        args += ["--ioc", feed]
    p = run(*args)
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError:
        doc = None
    return p, doc


def advisory(id_, ecosystem, name, versions=(), ranges=()):
    return json.dumps({
        "modified": "2024-03-01T10:00:00Z", "published": "2024-03-01T10:00:00Z",
        "schema_version": "1.5.0", "id": id_, "summary": f"Malicious code in {name}",
        "details": "An invented package for a test.", "aliases": [],
        "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                      "versions": list(versions), "ranges": list(ranges),
                      "database_specific": {"source": "test"}}],
        "database_specific": {"malicious-packages-origins": []}}, indent=2)


shutil.rmtree(SCRATCH, ignore_errors=True)
os.makedirs(SCRATCH)
DB = os.path.join(SCRATCH, "inventory.db")
with open(SCHEMA) as f:
    VALIDATOR = jsonschema.Draft202012Validator(json.load(f))

events = write("events.jsonl", "\n".join(json.dumps(e) for e in [
    {"event": "ran-on", "artifact": "sha256:" + A, "host": "ws01", "time": "2024-05-02T09:00:00Z"},
    {"event": "ran-on", "artifact": "sha256:" + A, "host": "ws01", "time": "2024-05-05T09:00:00Z"},
    {"event": "ran-on", "artifact": "sha256:" + B, "host": "ws02", "time": "2024-05-03T09:00:00Z"},
    {"event": "deployed-on", "release": "app@1.0", "host": "pos-7", "time": "2024-05-04T00:00:00Z"},
    {"event": "access", "from": "ws01", "to": "build01", "time": "2024-05-01T00:00:00Z"},
]) + "\n")
sbom = write("sbom.json", json.dumps({
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "metadata": {"timestamp": "2024-05-03T00:00:00Z",
                 "component": {"type": "application", "bom-ref": "r", "name": "app",
                               "version": "1.0"}},
    "components": [{"type": "library", "bom-ref": "c1", "name": "lib", "version": "1",
                    "hashes": [{"alg": "SHA-256", "content": A}]}]}))
p = run("graph", "ingest", "--db", DB, events, sbom)
check(p.returncode == 0, f"the inventory is ingested ({p.stderr.strip()})")

# A hash list with one digest in the inventory and one not: exit 1, one match.
hashes = write("iocs.txt", f"# feed: test hashes\n{A.upper()} first one\n{C}\n")
p, doc = hunt_json(hashes)
check(p.returncode == 1, f"a match exits 1 (exit {p.returncode}, {p.stderr.strip()})")
check(doc is not None and not list(VALIDATOR.iter_errors(doc)),
      "the JSON validates against cascade.hunt-1.schema.json")
matches = doc["matches"] if doc else []
check([m["node"] for m in matches] == ["sha256:" + A], "only the digest the inventory holds matches")
if matches:
    m = matches[0]
    check(m["indicator"] == A and m["feed"] == "test hashes" and m["label"] == "first one" and
          m["reason"] == "SHA-256" and m["source"] == hashes and m["line"] == 2,
          "the indicator is named: feed, value, label, file and line")
    check(m["hosts"] == [
        {"host": "host:pos-7", "via": "deployed-on", "first": "2024-05-04T00:00:00Z",
         "last": "2024-05-04T00:00:00Z"},
        {"host": "host:ws01", "via": "ran-on", "first": "2024-05-02T09:00:00Z",
         "last": "2024-05-05T09:00:00Z"}], f"hosts with first and last times: {m['hosts']}")
    check(m["releases"] == ["release:app@1.0"], "the release that contains it")
check(doc is not None and doc["trace"] is None, "no trace without --trace")

# Nothing matching: exit 0.
p, doc = hunt_json(write("clean.txt", C + "\n"))
check(p.returncode == 0 and doc is not None and doc["matches"] == [], "no match exits 0")

# --trace: one search from every match; the matched nodes are not listed as affected.
p, doc = hunt_json(hashes, write("b.csv", f"sha256,name\n{B},second\n"), extra=["--trace"])
check(p.returncode == 1 and doc is not None and not list(VALIDATOR.iter_errors(doc)),
      "--trace: exit 1 and a valid document")
if doc and doc["trace"]:
    affected = {a["node"]: a["time"] for a in doc["trace"]["affected"]}
    check(affected == {"host:ws01": "2024-05-02T09:00:00Z", "host:ws02": "2024-05-03T09:00:00Z",
                       "host:build01": "2024-05-02T09:00:00Z", "release:app@1.0": None,
                       "host:pos-7": "2024-05-04T00:00:00Z"},
          f"the joint blast radius of both matches: {affected}")
else:
    check(False, "--trace writes the blast radius")
p = run("hunt", "--db", DB, "--ioc", hashes, "--ioc", write("b2.txt", B + "\n"), "--trace")
check(p.returncode == 1 and "Compromise of 2 nodes" in p.stdout, "the text names both seeds")

# What cannot be compared is said, never skipped silently.
signers = write("signers.txt", "# cascade signer-list\nthumbprint " + "ab" * 20 + " | pinned\n")
md5 = write("md5.txt", "d4" * 16 + "\n")
p, doc = hunt_json(signers, md5)
notes = " ".join(doc["notes"]) if doc else ""
check(p.returncode == 0 and "1 signer indicator(s) compared with no certificate" in notes and
      doc["summary"]["signer_indicators"] == 1 and doc["summary"]["certificates"] == 0,
      "signer indicators against an inventory without certificates: a note, not a silent skip")
p = run("hunt", "--db", DB, "--ioc", signers)
check("note: 1 signer indicator(s) compared with no certificate" in p.stdout,
      "the text prints the note too")

# OSV: a directory as the malicious-packages repository lays it out.
osv = os.path.join(SCRATCH, "malicious-packages", "osv", "malicious")
write("malicious-packages/osv/malicious/npm/left-padder-test/MAL-2024-0001.json",
      advisory("MAL-2024-0001", "npm", "left-padder-test", versions=["1.0.1"],
               ranges=[{"type": "SEMVER", "events": [{"introduced": "0"}]}]))
p, doc = hunt_json(osv)
check(p.returncode in (0, 1) and doc is not None and not list(VALIDATOR.iter_errors(doc)) and
      doc["feeds"][0]["format"] == "osv" and doc["summary"]["advisories"] == 1,
      f"a directory of advisories is one feed ({p.stderr.strip()})")

# Packages: an SBOM of release web@2.0 (deployed on pos-9) lists npm, PyPI and Debian packages;
# `cascade scan` of dev01's tree finds two of them installed there (node_modules).
packages = {
    "pkg:npm/left-padder-test@1.0.1": "listed",            # in the advisory's versions
    "pkg:npm/range-test@1.2.3": "in range",                # [1.2.0, 1.2.5)
    "pkg:npm/range-test@1.2.5": "fixed",                   # the fixed version: not affected
    "pkg:npm/other-test@2.0.0": "not in range",            # [0, 1.0.0]
    "pkg:pypi/py-range-test@2.0rc1": "in range",           # PEP 440: 2.0rc1 < 2.0
    "pkg:deb/debian/xz-test@5.6.1-1?arch=amd64": "in range",  # Debian: [5.6.0-0.1, 5.6.1+really5.4.5-1)
    "pkg:deb/debian/xz-test@5.6.1%2Breally5.4.5-1?arch=amd64": "fixed",
    "pkg:maven/org.example/maven-test@1.5": "not evaluated",  # no Maven ordering
}
write("packages-sbom.json", json.dumps({
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "metadata": {"timestamp": "2024-06-01T00:00:00Z",
                 "component": {"type": "application", "bom-ref": "w", "name": "web",
                               "version": "2.0"}},
    "components": [{"type": "library", "bom-ref": f"p{i}", "name": purl.split("/")[-1].split("@")[0],
                    "purl": purl} for i, purl in enumerate(packages)]}))
write("packages-events.jsonl", json.dumps(
    {"event": "deployed-on", "release": "web@2.0", "host": "pos-9", "time": "2024-06-02T00:00:00Z"}) + "\n")
tree = os.path.join(SCRATCH, "dev01-tree")
for name, version in (("left-padder-test", "1.0.1"), ("range-test", "1.2.5")):
    write(f"dev01-tree/node_modules/{name}/package.json",
          json.dumps({"name": name, "version": version}))
p = run("scan", "--json", "--host", "dev01", tree)
report = json.loads(p.stdout)
check(sorted(x["purl"] for x in report["packages"]) ==
      ["pkg:npm/left-padder-test@1.0.1", "pkg:npm/range-test@1.2.5"],
      "scan finds the two installed packages")
write("dev01-scan.json", p.stdout)
p = run("graph", "ingest", "--db", DB, os.path.join(SCRATCH, "packages-sbom.json"),
        os.path.join(SCRATCH, "packages-events.jsonl"), os.path.join(SCRATCH, "dev01-scan.json"))
check(p.returncode == 0, f"the package documents are ingested ({p.stderr.strip()})")

npm_dir = os.path.join(SCRATCH, "pkg-advisories", "osv", "malicious")
write("pkg-advisories/osv/malicious/npm/left-padder-test/MAL-2024-0001.json",
      advisory("MAL-2024-0001", "npm", "left-padder-test", versions=["1.0.1"]))
write("pkg-advisories/osv/malicious/npm/range-test/MAL-2024-0002.json",
      advisory("MAL-2024-0002", "npm", "range-test", ranges=[{"type": "SEMVER", "events": [
          {"introduced": "1.2.0"}, {"fixed": "1.2.5"}]}]))
write("pkg-advisories/osv/malicious/npm/other-test/MAL-2024-0003.json",
      advisory("MAL-2024-0003", "npm", "other-test", ranges=[{"type": "ECOSYSTEM", "events": [
          {"introduced": "0"}, {"last_affected": "1.0.0"}]}]))
write("pkg-advisories/osv/malicious/pypi/py-range-test/MAL-2024-0004.json",
      advisory("MAL-2024-0004", "PyPI", "py_range_test", ranges=[{"type": "ECOSYSTEM", "events": [
          {"introduced": "0"}, {"fixed": "2.0"}]}]))
write("pkg-advisories/osv/debian/DSA-TEST-1.json",
      advisory("DSA-TEST-1", "Debian:12", "xz-test", ranges=[{"type": "ECOSYSTEM", "events": [
          {"introduced": "5.6.0-0.1"}, {"fixed": "5.6.1+really5.4.5-1"}]}]))
write("pkg-advisories/osv/maven/MAL-2024-0005.json",
      advisory("MAL-2024-0005", "Maven", "org.example:maven-test", ranges=[
          {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "2.0"}]}]))
p, doc = hunt_json(os.path.join(SCRATCH, "pkg-advisories"))
check(p.returncode == 1 and doc is not None and not list(VALIDATOR.iter_errors(doc)),
      f"package matches exit 1 with a valid document ({p.stderr.strip()})")
found = {m["node"]: m for m in (doc["matches"] if doc else [])}
expected = {purl for purl, verdict in packages.items() if verdict in ("listed", "in range")}
check(set(found) == expected, f"listed and in-range versions match, fixed and out-of-range ones "
      f"do not: {sorted(found)}")
m = found.get("pkg:npm/left-padder-test@1.0.1")
check(m is not None and m["indicator"] == "MAL-2024-0001" and m["kind"] == "package" and
      m["reason"] == "listed version 1.0.1" and m["source"].endswith("MAL-2024-0001.json") and
      m["line"] is None, "an advisory match names the advisory, its file and why")
check(m is not None and m["releases"] == ["release:web@2.0"] and m["hosts"] == [
    {"host": "host:dev01", "via": "installed-on", "first": report["started"],
     "last": report["started"]},
    {"host": "host:pos-9", "via": "deployed-on", "first": "2024-06-02T00:00:00Z",
     "last": "2024-06-02T00:00:00Z"}] if m else False,
      f"a package's hosts: installed-on from the scan, deployed-on through the release: "
      f"{m['hosts'] if m else None}")
m = found.get("pkg:npm/range-test@1.2.3")
check(m is not None and m["reason"] == "SEMVER range [introduced 1.2.0, fixed 1.2.5]",
      "the range that holds the version is named")
notes = " ".join(doc["notes"]) if doc else ""
check("1 package version(s) not evaluated" in notes and "MAL-2024-0005" in notes and
      "no version ordering for Maven" in notes, f"the Maven range is not evaluated, visibly: {notes}")

# A digest of a package's file: the SBOM states the purl and the SHA-256 together, so they are
# one thing (same-as), and the digest's match has the package's hosts.
D = "d4" * 32
write("tarball-sbom.json", json.dumps({
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "metadata": {"timestamp": "2024-06-01T00:00:00Z",
                 "component": {"type": "application", "bom-ref": "w", "name": "web",
                               "version": "2.0"}},
    "components": [{"type": "library", "bom-ref": "t", "name": "left-padder-test",
                    "purl": "pkg:npm/left-padder-test@1.0.1",
                    "hashes": [{"alg": "SHA-256", "content": D}]}]}))
p = run("graph", "ingest", "--db", DB, os.path.join(SCRATCH, "tarball-sbom.json"))
p, doc = hunt_json(write("tarball.txt", D + "\n"))
m = doc["matches"][0] if doc and doc["matches"] else None
check(m is not None and m["node"] == "sha256:" + D and
      [h["host"] for h in m["hosts"]] == ["host:dev01", "host:pos-9"],
      f"a digest's match has the hosts of its other identities: {m['hosts'] if m else None}")

# Errors exit 2: an unreadable feed, a missing store (not created).
p = run("hunt", "--db", DB, "--ioc", os.path.join(SCRATCH, "nope.txt"))
check(p.returncode == 2 and "nope.txt" in p.stderr, "a missing feed exits 2, naming it")
p = run("hunt", "--db", DB, "--ioc", write("bad.json", '{"id": "X", "affected": 3, "modified": ""}'))
check(p.returncode == 2 and "'affected' is not a list" in p.stderr,
      "an advisory whose affected is not a list is refused, not read as affecting nothing")
missing = os.path.join(SCRATCH, "missing.db")
p = run("hunt", "--db", missing, "--ioc", hashes)
check(p.returncode == 2 and not os.path.exists(missing), "a missing store exits 2, not created")
p = run("hunt", "--db", DB)
check(p.returncode == 2, "--ioc is required")

print(f"{len(FAILURES)} failure(s)")
sys.exit(1 if FAILURES else 0)
