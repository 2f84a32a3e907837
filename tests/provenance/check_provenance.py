#!/usr/bin/python3
"""End-to-end checks of `cascade key`, `attest` and `verify`.

Usage: check_provenance.py CASCADE FIXTURES/provenance SOURCE_DIR

FIXTURES/provenance is made by tests/fixtures/provenance/make-provenance-fixtures.sh. Envelopes
cascade writes must verify with the independent DSSE implementation tests/provenance/dsse_peer.py
and envelopes it signs must verify in cascade; a one-byte change to payload, payload type or
signature is rejected by both. A link made by Debian's in-toto-run is accepted as evidence with
its signature checked. On the generated release, with attestations for all but one file and one
file swapped after attestation, verify reports exactly those two with the right ids; the
untampered, fully attested release passes with exit 0. Every policy rule is exercised, the JSON
output validates against docs/schema/cascade.verify-1.schema.json, YAML and JSON policies agree.
"""
import base64
import datetime
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import jsonschema

CASCADE, FIXTURES, SOURCE = (os.path.abspath(a) for a in sys.argv[1:4])
PEER = os.path.join(SOURCE, "tests", "provenance", "dsse_peer.py")
PYTHON = "/usr/bin/python3"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(*args, expect=None):
    p = subprocess.run([CASCADE, *args], capture_output=True, text=True)
    if expect is not None:
        check(p.returncode == expect, f"cascade {' '.join(args)}: exit {p.returncode}, expected "
              f"{expect}; stdout: {p.stdout.strip()[-600:]} stderr: {p.stderr.strip()[:400]}")
    return p


def peer(*args):
    return subprocess.run([PYTHON, PEER, *args], capture_output=True, text=True)


expected = {}
with open(os.path.join(FIXTURES, "expected.txt")) as f:
    for line in f:
        if "=" in line and not line.startswith("#"):
            k, v = line.rstrip("\n").split("=", 1)
            expected[k] = v
RELEASE = os.path.join(FIXTURES, "release")
TAMPERED = os.path.join(FIXTURES, "tampered")
TARBALL = os.path.join(FIXTURES, "src", "ffmpeg-4.4-src.tar.gz")
RELEASE_FILES = sorted(k[len("sha256.release/"):] for k in expected if k.startswith("sha256.release/"))
BUILDER = "https://ci.example.com/release"
with open(os.path.join(SOURCE, "docs", "schema", "cascade.verify-1.schema.json")) as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)

work = tempfile.mkdtemp(prefix="cascade-provenance-")


def path(name):
    return os.path.join(work, name)


def write_policy(name, extra=None, keys=None):
    doc = {"schema": "cascade.policy/1",
           "keys": keys or [{"id": "release-ci", "public_key": "ci.pub",
                             "builders": ["https://ci.example.com/*"]}],
           "builders": ["https://ci.example.com/*"]}
    doc.update(extra or {})
    with open(path(name), "w") as f:
        json.dump(doc, f, indent=1)
    return path(name)


def verify(release, attestations, policy, *extra):
    p = run("verify", "--json", release, "--attestations", *attestations, "--policy", policy, *extra)
    check(p.returncode in (0, 1), f"verify {release}: exit {p.returncode}: {p.stderr[:400]}")
    if not p.stdout:
        return {"files": [], "attestations": []}, p.returncode
    doc = json.loads(p.stdout)
    errors = sorted(VALIDATOR.iter_errors(doc), key=str)
    check(not errors, f"verify JSON does not match the schema: {errors[:1]}")
    return doc, p.returncode


def findings(doc):
    return {(f["install_path"], x["id"]) for f in doc["files"] for x in f["findings"]}


# --- keys --------------------------------------------------------------------------------------
for name, kind in (("ci", "ed25519"), ("vendor", "ecdsa-p256")):
    p = run("key", "generate", "--type", kind, "-o", path(name), expect=0)
    check(oct(os.stat(path(name + ".key")).st_mode & 0o777) == "0o600", f"{name}.key is not 0600")
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", path(name + ".pub"), "-outform", "DER"],
                         capture_output=True).stdout
    openssl_id = subprocess.run(["sha256sum"], input=der, capture_output=True).stdout.split()[0].decode()
    shown = run("key", "id", path(name + ".pub"), expect=0).stdout.strip()
    check(shown == openssl_id, f"{name}: key id {shown} is not SHA-256 of the SPKI DER {openssl_id}")
    check(openssl_id in p.stdout, f"{name}: key generate does not print the key id")
    check(run("key", "id", path(name + ".key"), expect=0).stdout.strip() == openssl_id,
          f"{name}: the private key file gives another id")
run("key", "generate", "-o", path("ci"), expect=2)  # never overwrites a key silently

# --- cascade's envelopes verify in the peer, and changes are rejected by both ------------------
for name in ("ci", "vendor"):
    bundle = path(f"{name}.intoto.jsonl")
    run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/build/v1",
        "--materials", TARBALL, "--products", os.path.join(RELEASE, "notes.txt"),
        "--key", path(name + ".key"), "-o", bundle, expect=0)
    p = peer("verify", "--pub", path(name + ".pub"), bundle)
    check(p.returncode == 0, f"{name}: the DSSE peer rejects cascade's envelope: {p.stdout}{p.stderr}")
    with open(bundle) as f:
        envelope = json.loads(f.readline())
    payload = base64.b64decode(envelope["payload"])
    statement = json.loads(payload)
    check(statement["_type"] == "https://in-toto.io/Statement/v1", "statement _type")
    check(statement["predicateType"] == "https://slsa.dev/provenance/v1", "predicateType")
    check(statement["subject"] == [{"name": "notes.txt", "digest": {
        "sha256": expected["sha256.release/notes.txt"]}}], f"subjects: {statement['subject']}")
    deps = statement["predicate"]["buildDefinition"]["resolvedDependencies"]
    check(deps == [{"name": "ffmpeg-4.4-src.tar.gz", "digest": {
        "sha256": expected["sha256.src/ffmpeg-4.4-src.tar.gz"]}}], f"materials: {deps}")
    check(statement["predicate"]["runDetails"]["builder"]["id"] == BUILDER, "builder id")
    keys = [{"id": name, "public_key": path(name + ".pub")}]
    policy = write_policy(f"{name}-policy.json", {"ignore": ["*"]}, keys)
    doc, rc = verify(os.path.join(RELEASE, "notes.txt"), [bundle], policy)
    check([a["status"] for a in doc["attestations"]] == ["verified"], f"{name}: own envelope not verified")
    mutations = {
        "payload": lambda e: dict(e, payload=base64.b64encode(payload.replace(b"notes", b"Notes")).decode()),
        "payloadType": lambda e: dict(e, payloadType=e["payloadType"] + "x"),
        "sig": lambda e: dict(e, signatures=[dict(e["signatures"][0], sig=base64.b64encode(
            bytes([base64.b64decode(e["signatures"][0]["sig"])[0] ^ 1]) +
            base64.b64decode(e["signatures"][0]["sig"])[1:]).decode())]),
    }
    for what, mutate in mutations.items():
        changed = path(f"{name}-{what}.intoto.jsonl")
        changed_envelope = mutate(envelope)
        with open(changed, "w") as f:
            f.write(json.dumps(changed_envelope) + "\n")
        p = peer("verify", "--pub", path(name + ".pub"), changed)
        check(p.returncode != 0, f"{name}: the peer accepts a changed {what}")
        doc, rc = verify(os.path.join(RELEASE, "notes.txt"), [changed], policy)
        statuses = [a["status"] for a in doc["attestations"]]
        check(statuses == ["rejected"] and doc["attestations"][0]["finding"]["id"] ==
              "provenance.bad-signature", f"{name}: changed {what} gives {doc['attestations']}")

# The payload type is signed: an envelope signed by the peer under one type and relabelled as
# in-toto must fail in cascade.
with open(path("stmt.json"), "w") as f:
    f.write(peer("statement", "--subject", f"notes.txt={expected['sha256.release/notes.txt']}",
                 "--builder-id", BUILDER).stdout)
p = peer("sign", "--key", path("ci.key"), "--payload-file", path("stmt.json"),
         "--payload-type", "application/vnd.other+json", "-o", path("other-type.intoto.jsonl"))
check(p.returncode == 0, f"peer sign failed: {p.stderr}")
with open(path("other-type.intoto.jsonl")) as f:
    relabelled = json.loads(f.readline())
relabelled["payloadType"] = "application/vnd.in-toto+json"
with open(path("relabelled.intoto.jsonl"), "w") as f:
    f.write(json.dumps(relabelled) + "\n")
doc, _ = verify(os.path.join(RELEASE, "notes.txt"), [path("relabelled.intoto.jsonl")],
                path("ci-policy.json"))
check(doc["attestations"][0].get("finding", {}).get("id") == "provenance.bad-signature",
      f"a relabelled payload type is not rejected: {doc['attestations']}")

# --- the peer's envelopes verify in cascade (Ed25519 and ECDSA, padded, URL-safe, unpadded) ----
for name, variant in (("ci", []), ("vendor", []), ("ci", ["--urlsafe"]), ("vendor", ["--nopad"])):
    bundle = path(f"peer-{name}{''.join(variant)}.intoto.jsonl")
    p = peer("sign", "--key", path(name + ".key"), "--payload-file", path("stmt.json"),
             *variant, "-o", bundle)
    check(p.returncode == 0, f"peer sign {name} {variant}: {p.stderr}")
    keys = [{"id": name, "public_key": path(name + ".pub")}]
    policy = write_policy(f"peer-{name}.json", None, keys)
    doc, rc = verify(os.path.join(RELEASE, "notes.txt"), [bundle], policy)
    check(rc == 0 and findings(doc) == set(), f"peer envelope {name} {variant}: {findings(doc)} "
          f"{doc['attestations']}")

# --- the generated release: all but helper.dll attested, then ffmpeg.dll swapped ----------------
products = [os.path.join(RELEASE, f) for f in RELEASE_FILES if f != "helper.dll"]
build = path("build.intoto.jsonl")
run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/msbuild/v1",
    "--materials", TARBALL, "git+https://example.com/examplephone.git@gitCommit:" + "0" * 40,
    "--products", *products, "--key", path("ci.key"), "--started", "2026-11-01T10:00:00Z",
    "--finished", "2026-11-01T10:20:00Z", "-o", build, expect=0)
# products given one by one are named by their base name; resources/app.asar is "app.asar"
policy = write_policy("release.json", {"files": [{"path": "ffmpeg.dll", "materials": [
    {"name": "ffmpeg-4.4-src.tar.gz", "sha256": expected["sha256.src/ffmpeg-4.4-src.tar.gz"]}]}]})
doc, rc = verify(RELEASE, [build], policy, "--at", "2026-11-02T00:00:00Z")
check(rc == 1 and findings(doc) == {("helper.dll", "provenance.unattested")},
      f"release: {findings(doc)}")
check({f["install_path"]: f["verdict"] for f in doc["files"]}.get("resources/app.asar!main.js") ==
      "covered", "files inside an attested asar are not covered")
doc, rc = verify(TAMPERED, [build], policy, "--at", "2026-11-02T00:00:00Z")
check(rc == 1 and findings(doc) == {("helper.dll", "provenance.unattested"),
                                    ("ffmpeg.dll", "provenance.subject-mismatch")},
      f"tampered: {findings(doc)}")
# helper.dll built too: the untampered release passes, exit 0, text says so.
run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/msbuild/v1",
    "--products", os.path.join(RELEASE, "helper.dll"), "--key", path("ci.key"),
    "--finished", "2026-11-01T10:21:00Z", "-o", build, "--append", expect=0)
doc, rc = verify(RELEASE, [build], policy, "--at", "2026-11-02T00:00:00Z")
check(rc == 0 and findings(doc) == set(), f"full release: exit {rc}, {findings(doc)}")
text = run("verify", RELEASE, "--attestations", build, "--policy", policy, expect=0).stdout
check("every file is accounted for" in text, f"text report: {text}")
doc, rc = verify(TAMPERED, [build], policy)
check(findings(doc) == {("ffmpeg.dll", "provenance.subject-mismatch")}, f"tampered: {findings(doc)}")

# --- names are bound to content ------------------------------------------------------------------
# A copy of the release with two attested files' contents swapped and the EXE copied under a new
# name and into another directory: every digest is still attested, so only the names can tell.
# Both statements catch it: the one naming products by base name (build) and one naming the
# release directory's files by relative path (tree), which the genuine release passes.
swapped = path("swapped")
shutil.copytree(RELEASE, swapped)
shutil.copy(os.path.join(RELEASE, "ffmpeg.dll"), os.path.join(swapped, "d3dhelper.dll"))
shutil.copy(os.path.join(RELEASE, "d3dhelper.dll"), os.path.join(swapped, "ffmpeg.dll"))
shutil.copy(os.path.join(RELEASE, "ExamplePhone.exe"), os.path.join(swapped, "ExamplePhone-update.exe"))
shutil.copy(os.path.join(RELEASE, "ExamplePhone.exe"), os.path.join(swapped, "resources", "ExamplePhone.exe"))
tree = path("tree.intoto.jsonl")
run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/msbuild/v1",
    "--products", RELEASE, "--key", path("ci.key"), "-o", tree, expect=0)
names_policy = write_policy("names.json")
doc, rc = verify(RELEASE, [tree], names_policy)
check(rc == 0 and findings(doc) == set(), f"release against its tree statement: {findings(doc)}")
for bundle in (build, tree):
    doc, rc = verify(swapped, [bundle], names_policy)
    check(rc == 1 and findings(doc) == {("ffmpeg.dll", "provenance.subject-mismatch"),
                                        ("d3dhelper.dll", "provenance.subject-mismatch"),
                                        ("ExamplePhone-update.exe", "provenance.unattested"),
                                        ("resources/ExamplePhone.exe", "provenance.unattested")},
          f"swapped and copied ({os.path.basename(bundle)}): exit {rc}, {findings(doc)}")
    messages = {f["install_path"]: f["findings"][0]["message"] for f in doc["files"] if f["findings"]}
    check('as "ExamplePhone.exe"' in messages.get("ExamplePhone-update.exe", ""),
          f"the copy's message does not name what it copies: {messages}")
    check('as "d3dhelper.dll"' in messages.get("ffmpeg.dll", ""),
          f"the swap's message does not name the other file: {messages}")
text = run("verify", swapped, "--attestations", tree, "--policy", names_policy, expect=1).stdout
check("every file is accounted for" not in text, f"a swapped release is accounted for: {text}")

# The MSIs: the packaging step attests release.msi; its contents are covered. tampered.msi is
# not attested, so its files are checked one by one.
package = path("package.intoto.jsonl")
run("attest", "--builder-id", BUILDER + "/package", "--build-type", "https://example.com/wixl/v1",
    "--materials", RELEASE, "--products", os.path.join(FIXTURES, "release.msi"), "--expand",
    "--key", path("ci.key"), "-o", package, expect=0)
doc, rc = verify(os.path.join(FIXTURES, "release.msi"), [build, package], policy)
check(rc == 0 and findings(doc) == set(), f"release.msi: {findings(doc)}")
doc, rc = verify(os.path.join(FIXTURES, "tampered.msi"), [build, package], policy)
check(findings(doc) == {("", "provenance.unattested"),
                        ("ExamplePhone/ffmpeg.dll", "provenance.subject-mismatch")},
      f"tampered.msi: {findings(doc)}")
# SARIF for code scanning: one result per finding, located at the file.
run("verify", os.path.join(FIXTURES, "tampered.msi"), "--attestations", build, package,
    "--policy", policy, "--sarif", path("v.sarif"), expect=1)
with open(path("v.sarif")) as f:
    sarif = json.load(f)
results = sarif["runs"][0]["results"]
check(sorted(r["ruleId"] for r in results) == ["provenance.subject-mismatch", "provenance.unattested"],
      f"SARIF results: {[r['ruleId'] for r in results]}")

# --- every policy rule --------------------------------------------------------------------------
def single(extra, release=RELEASE, at=None):
    pol = write_policy("rule.json", extra)
    args = ["--at", at] if at else []
    doc, rc = verify(release, [build], pol, *args)
    return findings(doc), rc


wrong = "1" * 64
got, _ = single({"files": [{"path": "ffmpeg.dll", "materials": [
    {"name": "ffmpeg-4.4-src.tar.gz", "sha256": wrong}]}]})
check(got == {("ffmpeg.dll", "provenance.material-mismatch")}, f"material-mismatch: {got}")
got, _ = single({"files": [{"path": "ffmpeg.dll", "sha256": [expected["sha256.release/ffmpeg.dll"]]}]},
                release=TAMPERED)
check(got == {("ffmpeg.dll", "provenance.pinned-mismatch")}, f"pinned-mismatch: {got}")
got, _ = single({"files": [{"path": "*.dll", "builders": ["https://ci.example.com/signing"]}]})
check(got == {(f, "provenance.untrusted-builder") for f in ("d3dhelper.dll", "ffmpeg.dll", "helper.dll")},
      f"untrusted-builder: {got}")
got, _ = single({"max_age": "30d"}, at="2027-03-01T00:00:00Z")
check(got == {(f, "provenance.expired") for f in RELEASE_FILES}, f"expired: {got}")
got, rc = single({"max_age": "30d"}, at="2026-11-20T00:00:00Z")
check(got == set() and rc == 0, f"fresh statements expired: {got}")
got, _ = single({"ignore": ["notes.txt", "helper.dll"]})
check(got == set(), f"ignore: {got}")
# A key may be limited to some builders: the release key may not sign for the package step.
pol = write_policy("limited.json", None, [{"id": "ci", "public_key": "ci.pub",
                                            "builders": ["https://other.example/*"]}])
doc, rc = verify(RELEASE, [build], pol)
check({a.get("finding", {}).get("id") for a in doc["attestations"]} ==
      {"provenance.unauthorized-builder"}, f"unauthorized-builder: {doc['attestations']}")
# An envelope from a key the policy does not trust.
pol = write_policy("vendor-only.json", None, [{"id": "vendor", "public_key": "vendor.pub"}])
doc, rc = verify(RELEASE, [build], pol)
check({a.get("finding", {}).get("id") for a in doc["attestations"]} == {"provenance.unknown-key"},
      f"unknown-key: {doc['attestations']}")
check(rc == 1 and {k for k, _ in findings(doc)} >= set(RELEASE_FILES) and
      {i for _, i in findings(doc)} == {"provenance.unattested"}, "untrusted envelopes attest nothing")

# YAML and JSON policies give the same result.
yaml_policy = path("release.yaml")
with open(yaml_policy, "w") as f:
    f.write(f"""# the same policy as release.json
schema: cascade.policy/1
keys:
  - id: release-ci
    public_key: ci.pub
    builders: ["https://ci.example.com/*"]
builders:
  - https://ci.example.com/*
files:
  - path: ffmpeg.dll
    materials:
      - name: ffmpeg-4.4-src.tar.gz
        sha256: {expected["sha256.src/ffmpeg-4.4-src.tar.gz"]}
""")
a, _ = verify(TAMPERED, [build], policy)
b, _ = verify(TAMPERED, [build], yaml_policy)
check(findings(a) == findings(b) and a["files"] == b["files"], "YAML and JSON policies disagree")
# Policy mistakes are usage errors.
with open(path("typo.json"), "w") as f:
    json.dump({"schema": "cascade.policy/1", "keys": [{"public_key": "ci.pub"}], "bulders": []}, f)
run("verify", RELEASE, "--attestations", build, "--policy", path("typo.json"), expect=2)

# --- documents that repeat a key are refused, naming the key and the document (exit 2) ----------
def refused(what, args, key):
    p = run(*args, expect=2)
    check(f'duplicate key "{key}"' in p.stderr, f"{what}: the error does not name the key: {p.stderr}")
    return p


with open(path("dup-policy.json"), "w") as f:
    f.write('{"schema": "cascade.policy/1", "keys": [{"id": "ci", "public_key": "ci.pub"}],\n'
            ' "builders": ["https://ci.example.com/*"], "builders": ["*"]}\n')
p = refused("JSON policy", ["verify", RELEASE, "--attestations", build, "--policy",
                            path("dup-policy.json")], "builders")
check("dup-policy.json" in p.stderr, f"the error does not name the policy: {p.stderr}")
with open(path("dup-policy.yaml"), "w") as f:
    f.write("schema: cascade.policy/1\nkeys:\n  - id: ci\n    public_key: ci.pub\n"
            "files:\n  - path: ffmpeg.dll\n    sha256: " + "a" * 64 + "\n    path: other.dll\n")
p = refused("YAML policy", ["verify", RELEASE, "--attestations", build, "--policy",
                            path("dup-policy.yaml")], "path")
check("YAML line 8" in p.stderr, f"the YAML error has no line: {p.stderr}")
with open(build) as f:
    first = f.readline()
with open(path("dup-envelope.intoto.jsonl"), "w") as f:
    f.write(first)
    f.write('{"payloadType": "text/plain", ' + first[1:])
p = refused("envelope", ["verify", RELEASE, "--attestations", path("dup-envelope.intoto.jsonl"),
                         "--policy", policy], "payloadType")
check("dup-envelope.intoto.jsonl:2" in p.stderr, f"the error does not name the line: {p.stderr}")
sha_a, sha_b = expected["sha256.release/ffmpeg.dll"], expected["sha256.tampered/ffmpeg.dll"]
with open(path("dup-statement.json"), "w") as f:
    f.write('{"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "ffmpeg.dll", '
            f'"digest": {{"sha256": "{sha_a}", "sha256": "{sha_b}"}}}}], '
            '"predicateType": "https://slsa.dev/provenance/v1", "predicate": {"runDetails": '
            f'{{"builder": {{"id": "{BUILDER}"}}}}}}}}')
p = peer("sign", "--key", path("ci.key"), "--payload-file", path("dup-statement.json"),
         "-o", path("dup-statement.intoto.jsonl"))
check(p.returncode == 0, f"peer sign failed: {p.stderr}")
p = refused("signed statement", ["verify", RELEASE, "--attestations",
                                 path("dup-statement.intoto.jsonl"), "--policy", policy], "sha256")
check("signed statement" in p.stderr, f"the error does not say it is the statement: {p.stderr}")
with open(path("dup-baseline.json"), "w") as f:
    f.write('{"schema": "cascade.baseline/1", "files": [{"path": "*.dll", "signer": "A", "signer": "B"}]}')
refused("baseline", ["diff", "--baseline", path("dup-baseline.json"), RELEASE, RELEASE], "signer")
with open(path("dup-caps.json"), "w") as f:
    f.write('{"schema": "cascade.capabilities/1", "capabilities": [{"id": "x", "functions": ["a"], '
            '"functions": ["b"]}]}')
refused("capability table", ["diff", "--capabilities", path("dup-caps.json"), RELEASE, RELEASE],
        "functions")
with open(path("dup-feed.json"), "w") as f:
    f.write('{"type": "bundle", "objects": [{"type": "indicator", "id": "indicator--1", '
            f'"pattern": "[file:hashes.\'SHA-256\' = \'{sha_a}\']", "pattern": "[file:name = \'x\']"}}]}}')
refused("STIX feed", ["scan", "--ioc", path("dup-feed.json"), RELEASE], "pattern")

# --- in-toto links made by in-toto-run ----------------------------------------------------------
link = os.path.join(FIXTURES, expected["intoto.link"])
pub = os.path.join(FIXTURES, expected["intoto.pub"])
pol = write_policy("intoto.json", {"builders": ["in-toto:package"], "files": [
    {"path": "ffmpeg.dll", "materials": [{"sha256": expected["sha256.src/ffmpeg-4.4-src.tar.gz"]}]}]},
    [{"id": "functionary", "public_key": pub}])
doc, rc = verify(RELEASE, [link], pol)
check(doc["attestations"][0]["status"] == "verified" and doc["attestations"][0]["form"] == "in-toto-link",
      f"in-toto link not verified: {doc['attestations']}")
check(findings(doc) == {("helper.dll", "provenance.unattested")}, f"in-toto release: {findings(doc)}")
doc, rc = verify(TAMPERED, [link], pol)
check(findings(doc) == {("helper.dll", "provenance.unattested"), ("ffmpeg.dll", "provenance.subject-mismatch")},
      f"in-toto tampered: {findings(doc)}")
with open(link) as f:
    metablock = json.load(f)
metablock["signed"]["products"]["helper.dll"] = {"sha256": expected["sha256.release/helper.dll"]}
with open(path("forged.link"), "w") as f:
    json.dump(metablock, f)
doc, rc = verify(RELEASE, [path("forged.link")], pol)
check(doc["attestations"][0].get("finding", {}).get("id") == "provenance.bad-signature",
      f"a changed link is not rejected: {doc['attestations']}")

# --- attest --run wraps the build ---------------------------------------------------------------
out_dir = path("out")
os.mkdir(out_dir)
run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/cp/v1", "--materials",
    TARBALL, "--products", out_dir, "--key", path("ci.key"), "-o", path("run.intoto.jsonl"),
    "--run", "--", "cp", TARBALL, os.path.join(out_dir, "copy.tar.gz"), expect=0)
with open(path("run.intoto.jsonl")) as f:
    statement = json.loads(base64.b64decode(json.loads(f.readline())["payload"]))
meta = statement["predicate"]["runDetails"]["metadata"]
check("startedOn" in meta and "finishedOn" in meta, f"--run records no times: {meta}")
check(statement["predicate"]["buildDefinition"]["externalParameters"]["command"][0] == "cp",
      "--run records no command")
check(statement["subject"] == [{"name": "copy.tar.gz", "digest": {
    "sha256": expected["sha256.src/ffmpeg-4.4-src.tar.gz"]}}], f"--run subjects {statement['subject']}")
run("attest", "--builder-id", BUILDER, "--build-type", "x", "--products", out_dir, "--key",
    path("ci.key"), "-o", path("fail.intoto.jsonl"), "--run", "--", "false", expect=2)
check(not os.path.exists(path("fail.intoto.jsonl")), "a failed build was attested")

# --- attest without --started/--finished records now, so max_age can judge it -------------------
def statement_of(bundle):
    with open(bundle) as f:
        return json.loads(base64.b64decode(json.loads(f.readline())["payload"]))


before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/msbuild/v1",
    "--products", RELEASE, "--key", path("ci.key"), "-o", path("now.intoto.jsonl"), expect=0)
after = datetime.datetime.now(datetime.timezone.utc)
meta = statement_of(path("now.intoto.jsonl"))["predicate"]["runDetails"]["metadata"]
times = []
for key in ("startedOn", "finishedOn"):
    text = meta.get(key, "")
    check(text.endswith("Z") and "T" in text, f"attest {key} is not RFC 3339 UTC: {meta}")
    if text:
        times.append(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")))
check(len(times) == 2 and before <= times[0] <= times[1] <= after,
      f"attest without times: {meta}, run between {before} and {after}")
fresh = write_policy("fresh.json", {"max_age": "1d"})
doc, rc = verify(RELEASE, [path("now.intoto.jsonl")], fresh)
check(rc == 0 and findings(doc) == set(), f"a statement made now is not fresh: {findings(doc)}")
doc, rc = verify(RELEASE, [path("now.intoto.jsonl")], fresh, "--at", "2999-01-01T00:00:00Z")
check(findings(doc) == {(f, "provenance.expired") for f in RELEASE_FILES},
      f"a statement made now is fresh in 2999: {findings(doc)}")

# --- a release that is one archive is checked by its files ----------------------------------------
# Attested with --expand as rel.tar.gz, shipped recompressed as rel.tar.xz: no subject names the
# new archive, each file inside is attested by its name in the old one.
packed = path("packed")
os.makedirs(os.path.join(packed, "bin"))
for name, content in (("bin/app", "app"), ("README", "readme")):
    with open(os.path.join(packed, name), "w") as f:
        f.write(content)
for archive, mode in (("rel.tar.gz", "w:gz"), ("rel.tar.xz", "w:xz")):
    with tarfile.open(path(archive), mode) as tar:
        tar.add(os.path.join(packed, "bin", "app"), "bin/app")
        tar.add(os.path.join(packed, "README"), "README")
archived = path("archived.intoto.jsonl")
run("attest", "--builder-id", BUILDER, "--build-type", "https://example.com/tar/v1", "--products",
    path("rel.tar.gz"), "--expand", "--key", path("ci.key"), "-o", archived, expect=0)
for archive in ("rel.tar.gz", "rel.tar.xz"):
    doc, rc = verify(path(archive), [archived], names_policy)
    verdicts = {f["install_path"]: f["verdict"] for f in doc["files"]}
    check(rc == 0 and findings(doc) == set(), f"{archive}: exit {rc}, {findings(doc)}")
    check(verdicts.get("bin/app") in ("attested", "covered") and len(verdicts) == 3,
          f"{archive}: {verdicts}")

subprocess.run(["rm", "-rf", work])
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("provenance: all checks passed")
