#!/usr/bin/env python3
"""cascade hunt with signer lists, end to end on files signed at test time (osslsigncode, the
test PKI and TSA): a tree of signed and unsigned PE files is scanned as host ws01 and ingested
with a release that contains one of them; signer lists name the signer's thumbprint, its
issuer and serial, the TSA's and the root's thumbprints, and a certificate no file carries.
Each answer is checked by hand (which artifacts, as what role, on which hosts) and against
`cascade scan --ioc` with the same feeds on the same files: hunt must find exactly the
(file, feed, indicator) triples scan finds. A report written before chains carried certificate
details still gives its signers.

usage: check_hunt_signers.py CASCADE SCHEMA FIXTURES SCRATCH
"""
import json
import os
import shutil
import subprocess
import sys

import jsonschema

CASCADE, SCHEMA, FIXTURES, SCRATCH = sys.argv[1:5]
PKI = os.path.join(FIXTURES, "pki")
FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def run(*args):
    return subprocess.run([CASCADE, *args], capture_output=True, text=True, check=False,
                          timeout=120)


def write(name, text):
    path = os.path.join(SCRATCH, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def fingerprint(pem, algorithm):
    out = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-" + algorithm],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def serial(pem):
    out = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-serial"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1].lower()


def sha256_of(path):
    out = subprocess.run(["sha256sum", path], capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def hunt_json(db, *feeds):
    args = ["hunt", "--db", db, "--json"]
    for feed in feeds:
        args += ["--ioc", feed]
    p = run(*args)
    try:
        return p, json.loads(p.stdout)
    except json.JSONDecodeError:
        return p, None


shutil.rmtree(SCRATCH, ignore_errors=True)
os.makedirs(SCRATCH)
with open(SCHEMA) as f:
    VALIDATOR = jsonschema.Draft202012Validator(json.load(f))

# The tree: signed by the test signer (one timestamped by the test TSA), signed by a signer of
# another root, and unsigned.
TREE = os.path.join(SCRATCH, "tree")
os.makedirs(TREE)
FILES = ["timestamped.exe", "signed-sha256.exe", "untrusted.exe", "hello.exe"]
for name in FILES:
    shutil.copy(os.path.join(FIXTURES, name), os.path.join(TREE, name))
SHA = {name: sha256_of(os.path.join(TREE, name)) for name in FILES}

p = run("scan", "--json", "--host", "ws01", "--trust", os.path.join(PKI, "ca.pem"), TREE)
check(p.returncode == 0, f"the tree scans clean without feeds ({p.stderr.strip()})")
report_path = write("ws01-scan.json", p.stdout)
events = write("events.jsonl", json.dumps(
    {"event": "deployed-on", "release": "app@2.0", "host": "pos-3", "time": "2024-07-01T00:00:00Z"})
    + "\n")
sbom = write("sbom.json", json.dumps({
    "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
    "metadata": {"timestamp": "2024-06-30T00:00:00Z",
                 "component": {"type": "application", "bom-ref": "r", "name": "app",
                               "version": "2.0"}},
    "components": [{"type": "file", "bom-ref": "f", "name": "signed-sha256.exe",
                    "hashes": [{"alg": "SHA-256", "content": SHA["signed-sha256.exe"]}]}]}))
DB = os.path.join(SCRATCH, "inventory.db")
p = run("graph", "ingest", "--db", DB, report_path, events, sbom)
check(p.returncode == 0, f"the scan report, SBOM and events are ingested ({p.stderr.strip()})")
p = run("graph", "check", "--db", DB)
check(p.returncode == 0 and "signer" in p.stdout, f"graph check reads the signer facts: {p.stdout.strip()}")

SIGNER_SHA1 = fingerprint(os.path.join(PKI, "signer.pem"), "sha1")
SIGNER_SERIAL = serial(os.path.join(PKI, "signer.pem"))
TSA_SHA256 = fingerprint(os.path.join(PKI, "tsa.pem"), "sha256")
ROOT_SHA256 = fingerprint(os.path.join(PKI, "ca.pem"), "sha256")
OTHER_SHA1 = fingerprint(os.path.join(PKI, "other-signer.pem"), "sha1")
ABSENT = "5a" * 32
# The signer's thumbprint written with separators and upper case, as Windows shows it.
spaced = ":".join(SIGNER_SHA1[i:i + 2] for i in range(0, 40, 2)).upper()
feeds = {
    "keys": write("stolen-keys.txt", "# cascade signer-list\n# feed: stolen-keys\n"
                  f"thumbprint {spaced} | test signer key\n"
                  f"thumbprint {OTHER_SHA1} | other signer key\n"
                  f"thumbprint {ABSENT} | nobody's key\n"),
    "serials": write("serials.txt", "# cascade signer-list\n# feed: serials\n"
                     f"serial {SIGNER_SERIAL} CN=Cascade Test Root CA | by issuer and serial\n"
                     f"serial {SIGNER_SERIAL} CN=Some Other CA | wrong issuer\n"),
    "infra": write("infra.txt", "# cascade signer-list\n# feed: infra\n"
                   f"thumbprint {TSA_SHA256} | test TSA\n"
                   f"thumbprint {ROOT_SHA256} | test root\n"),
}
p, doc = hunt_json(DB, *feeds.values())
check(p.returncode == 1 and doc is not None and not list(VALIDATOR.iter_errors(doc)),
      f"signer matches exit 1 with a valid document ({p.stderr.strip()})")
doc = doc or {"matches": [], "summary": {}, "notes": []}
got = {(m["feed"], m["indicator"], m["node"]): m for m in doc["matches"]}
art = {name: "sha256:" + SHA[name] for name in FILES}
serial_value = f"serial {SIGNER_SERIAL.lstrip('0')}, issuer O=Cascade Test,CN=Cascade Test Root CA"
expected = {
    ("stolen-keys", SIGNER_SHA1, art["timestamped.exe"]): "signer",
    ("stolen-keys", SIGNER_SHA1, art["signed-sha256.exe"]): "signer",
    ("stolen-keys", OTHER_SHA1, art["untrusted.exe"]): "signer",
    ("serials", serial_value, art["timestamped.exe"]): "signer",
    ("serials", serial_value, art["signed-sha256.exe"]): "signer",
    ("infra", TSA_SHA256, art["timestamped.exe"]): "timestamp",
    ("infra", ROOT_SHA256, art["timestamped.exe"]): "chain",
    ("infra", ROOT_SHA256, art["signed-sha256.exe"]): "chain",
}
check(set(got) == set(expected), "exactly the signed files match, each indicator once per file: "
      f"{sorted(set(got) ^ set(expected))}")
check(all(got[k]["certificate"] and got[k]["certificate"]["role"] == role
          for k, role in expected.items() if k in got),
      "each match says what the certificate is to the file (signer, chain, timestamp)")
m = got.get(("stolen-keys", SIGNER_SHA1, art["signed-sha256.exe"]))
check(m is not None and m["label"] == "test signer key" and m["kind"] == "artifact" and
      m["format"] == "signer-list" and m["source"] == feeds["keys"] and
      m["certificate"]["sha1"] == SIGNER_SHA1 and
      m["certificate"]["subject"] == "O=Cascade Test,CN=Cascade Test Signer" and
      m["reason"] == "signer certificate O=Cascade Test,CN=Cascade Test Signer",
      "a match names its feed, label, certificate and why")
check(m is not None and [h["host"] for h in m["hosts"]] == ["host:pos-3", "host:ws01"] and
      m["releases"] == ["release:app@2.0"],
      "its hosts: ran-on from the scan, deployed-on through the release that contains it")
m = got.get(("stolen-keys", OTHER_SHA1, art["untrusted.exe"]))
check(m is not None and m["line"] == 4, "a thumbprint written whole has its feed line")
check(("serials", f"serial {SIGNER_SERIAL}, issuer CN=Some Other CA", art["timestamped.exe"])
      not in got, "a serial under another issuer does not match")
# Four certificates: the test signer, its root, the TSA, the other root's signer (its chain
# to a root the scan did not trust was not built).
check(doc["summary"].get("signer_indicators") == 7 and doc["summary"].get("certificates") == 4
      and not doc["notes"], f"the summary counts indicators and certificates: {doc['summary']}")
check(art["hello.exe"] not in {k[2] for k in got}, "the unsigned file matches nothing")

# scan --ioc, with the same feeds on the same files, finds the same triples.
args = ["scan", "--json", "--host", "ws01", "--trust", os.path.join(PKI, "ca.pem"),
        "--fail-on", "none"]
for feed in feeds.values():
    args += ["--ioc", feed]
p = run(*args, TREE)
scanned = set()
for f in json.loads(p.stdout)["files"] if p.returncode == 0 else []:
    for finding in f["findings"]:
        if finding["id"] == "ioc.signer":
            feed, value = finding["message"].split(": ", 1)
            value = value.rsplit(" (", 1)[0]
            scanned.add((feed, value, "sha256:" + f["sha256"]))
check(scanned and scanned == set(got), "hunt finds exactly what scan --ioc finds: "
      f"{sorted(scanned ^ set(got))}")

p = run("hunt", "--db", DB, "--ioc", feeds["keys"])
check(p.returncode == 1 and "certificate: issuer O=Cascade Test,CN=Cascade Test Root CA, serial"
      in p.stdout and "signer certificate O=Cascade Test,CN=Cascade Test Signer" in p.stdout,
      "the text shows the matched certificate")

# A report written before chains and timestamps carried certificate details: its signers only.
old = json.load(open(report_path))
for f in old["files"]:
    for s in f["signatures"]:
        s["chain"].pop("certificate_details", None)
        for t in s["timestamps"]:
            t.pop("signer_certificate", None)
OLD_DB = os.path.join(SCRATCH, "old.db")
p = run("graph", "ingest", "--db", OLD_DB, write("old-scan.json", json.dumps(old)))
check(p.returncode == 0, f"an older report is ingested ({p.stderr.strip()})")
p, doc = hunt_json(OLD_DB, *feeds.values())
roles = sorted({m["certificate"]["role"] for m in (doc or {"matches": []})["matches"]})
check(p.returncode == 1 and roles == ["signer"], f"an older report gives its signers: {roles}")

# A forged report's certificate that is not one (no thumbprint) is a problem, not a fact.
forged = json.load(open(report_path))
forged["files"][0]["signatures"] = [{"signer_certificate": {"subject": "x"}, "chain": {},
                                     "timestamps": []}]
p = run("graph", "ingest", "--db", os.path.join(SCRATCH, "forged.db"),
        write("forged-scan.json", json.dumps(forged)))
check(p.returncode == 1 and "signer certificate: needs sha256" in p.stderr,
      f"a certificate without thumbprints is a problem: {p.stderr.strip()}")

print(f"{len(FAILURES)} failure(s)")
sys.exit(1 if FAILURES else 0)
