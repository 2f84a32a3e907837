#!/usr/bin/python3
"""End-to-end checks of `cascade diff` on the generated ExamplePhone releases.

Usage: check_diff.py CASCADE FIXTURES/diff CA.pem SOURCE_DIR

Every fact of FIXTURES/diff/expected.txt (format: tests/fixtures/diff/README.md) is checked
against `cascade diff --json` of the trees and of the MSIs; then the same releases saved with
`cascade scan --json` and `--jsonl` must give the same ranking; a tree against its copy and a
report against itself give nothing; the JSON validates against docs/schema/cascade.diff-1,
the SARIF against the SARIF 2.1.0 subset schema; a baseline marks expected changes; a bad
baseline or capability table is a usage error (exit 2).
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

CASCADE, FIXTURES, CA, SOURCE = sys.argv[1:5]
TRUST = ["--no-system-trust", "--trust", CA]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(*args, expect=None):
    p = subprocess.run([CASCADE, *args], capture_output=True, text=True)
    if expect is not None:
        check(p.returncode == expect, f"cascade {' '.join(args)}: exit {p.returncode}, "
              f"expected {expect}; stderr: {p.stderr.strip()[:300]}")
    return p


def diff_json(old, new, *extra):
    p = run("diff", "--json", *TRUST, *extra, old, new)
    check(p.returncode in (0, 1), f"diff {old} {new}: exit {p.returncode}: {p.stderr[:300]}")
    return json.loads(p.stdout) if p.stdout else {"files": [], "summary": {}}


def by_path(doc):
    return {f["path"].lower(): f for f in doc["files"]}


def ranking(doc):
    return [(f["path"].lower(), f["risk"], sorted(x["id"] for x in f["findings"]))
            for f in doc["files"]]


def check_facts(pair, doc):
    files = by_path(doc)
    with open(os.path.join(FIXTURES, "expected.txt")) as f:
        facts = [line.split() for line in f if line.strip() and not line.startswith("#")]
    for fact in facts:
        if fact[0] != pair:
            continue
        kind, args = fact[1], [a.lower() for a in fact[2:]]
        entry = files.get(args[0]) if args else None
        where = f"{pair} {kind} {' '.join(fact[2:])}"
        if kind == "changed":
            check(entry is not None and entry["status"] == "modified", where)
        elif kind == "unchanged":
            check(entry is None, where + ": listed as " + str(entry and entry["status"]))
        elif kind == "version":
            version = (entry or {}).get("delta", {}).get("version", {})
            fixed = version.get("file_version", {})
            check(fixed.get("old") == fact[3] and fixed.get("new") == fact[4],
                  f"{where}: version delta {version}")
        elif kind == "same-version":
            ids = {x["id"] for x in (entry or {}).get("findings", [])}
            check(entry is not None and "version" not in entry["delta"]
                  and "diff.silent-change" in ids, f"{where}: {ids}")
        elif kind == "new-imports":
            added = {i.lower() for i in (entry or {}).get("delta", {}).get("imports", {}).get("added", [])}
            check(set(args[1:]) <= added, f"{where}: added imports {sorted(added)}")
        elif kind == "padding":
            unsigned = (entry or {}).get("delta", {}).get("signature", {}).get("unsigned_bytes", {})
            check(unsigned.get("new", 0) - unsigned.get("old", 0) == int(fact[3]),
                  f"{where}: unsigned bytes {unsigned}")
        elif kind == "verifies":
            sig = (entry or {}).get("delta", {}).get("signature", {})
            ids = {x["id"] for x in (entry or {}).get("findings", [])}
            check("diff.signed-content-change" in ids and "diff.signature-lost" not in ids,
                  f"{where}: {ids} {sig}")
        elif kind == "top":
            top = {f["path"].lower() for f in doc["files"][:2]}
            check(top == set(args), f"{where}: top two are {top}")
        elif kind == "none":
            pass  # checked by the caller
        else:
            check(False, f"unknown fact kind {kind}")


with tempfile.TemporaryDirectory() as work:
    v1, v2, same = (os.path.join(FIXTURES, d) for d in ("v1", "v2", "same"))
    msi1 = os.path.join(FIXTURES, "msi", "ExamplePhone-1.0.msi")
    msi2 = os.path.join(FIXTURES, "msi", "ExamplePhone-1.1.msi")

    tree = diff_json(v1, v2)
    check_facts("tree", tree)
    msi = diff_json(msi1, msi2)
    check_facts("msi", msi)
    check([r[2] for r in ranking(tree)[:2]] == [r[2] for r in ranking(msi)[:2]],
          f"MSI ranking differs from the trees': {ranking(msi)[:3]} vs {ranking(tree)[:3]}")
    exe = by_path(tree).get("examplephone.exe", {"risk": 10**9})
    check(exe["risk"] < tree["files"][1]["risk"], "the expected version bump ranks below the two")

    # Saved reports, JSON and JSON Lines: the same ranking as the bits.
    saved = {}
    for name, flag in (("json", "--json"), ("jsonl", "--jsonl")):
        for side, path in (("v1", v1), ("v2", v2)):
            out = os.path.join(work, f"{side}.{name}")
            p = run("scan", flag, *TRUST, "--fail-on", "none", path, expect=0)
            with open(out, "w") as f:
                f.write(p.stdout)
            saved[(name, side)] = out
        from_reports = diff_json(saved[(name, "v1")], saved[(name, "v2")])
        check(ranking(from_reports) == ranking(tree),
              f"{name} reports rank differently: {ranking(from_reports)} vs {ranking(tree)}")
        check(from_reports["old"]["kind"] == "report", "a saved report is read as one")
    # The MSIs saved as reports rank as the MSIs do.
    for side, path in (("msi1", msi1), ("msi2", msi2)):
        out = os.path.join(work, f"{side}.json")
        with open(out, "w") as f:
            f.write(run("scan", "--json", *TRUST, "--fail-on", "none", path, expect=0).stdout)
        saved[("json", side)] = out
    msi_reports = diff_json(saved[("json", "msi1")], saved[("json", "msi2")])
    check(ranking(msi_reports) == ranking(msi),
          f"MSI reports rank differently: {ranking(msi_reports)} vs {ranking(msi)}")
    # --all lists the unchanged files too, at risk 0.
    listed = by_path(diff_json(v1, v2, "--all"))
    check(listed.get("helper.dll", {}).get("status") == "unchanged", "--all lists helper.dll")
    mixed = diff_json(saved[("json", "v1")], v2)
    check(ranking(mixed) == ranking(tree), "a saved OLD against the NEW bits ranks the same")

    # Nothing to say about identical releases.
    for old, new in ((v1, same), (saved[("json", "v1")], saved[("json", "v1")])):
        doc = diff_json(old, new)
        check(doc["files"] == [] and sum(doc["summary"]["findings"].values()) == 0,
              f"{old} vs {new}: {ranking(doc)}")
        run("diff", *TRUST, old, new, expect=0)
    run("diff", *TRUST, v1, v2, expect=1)
    run("diff", *TRUST, "--fail-on", "none", v1, v2, expect=0)

    # Schema and SARIF.
    with open(os.path.join(SOURCE, "docs", "schema", "cascade.diff-1.schema.json")) as f:
        schema = json.load(f)
    for doc in (tree, msi):
        errors = sorted(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc), key=str)
        check(not errors, f"schema: {[e.message for e in errors[:3]]}")
    sarif = os.path.join(work, "diff.sarif")
    run("diff", *TRUST, "--sarif", sarif, "--fail-on", "none", v1, v2, expect=0)
    p = subprocess.run([sys.executable, os.path.join(SOURCE, "tests", "schema", "validate_sarif.py"),
                        os.path.join(SOURCE, "tests", "schema", "sarif-2.1.0-subset.schema.json"),
                        sarif], capture_output=True, text=True)
    check(p.returncode == 0, f"SARIF invalid: {p.stdout[:500]}{p.stderr[:300]}")
    with open(sarif) as f:
        rules = {r["ruleId"] for r in json.load(f)["runs"][0]["results"]}
    check({"diff.signed-content-change", "diff.capability-gained"} <= rules, f"SARIF rules {rules}")

    # Text: the ranked table, and the details of one file on request.
    text = run("diff", *TRUST, "--fail-on", "none", "--details", "ffmpeg.dll", v1, v2).stdout
    lines = [l for l in text.splitlines()
             if len(l.split()) >= 3 and l.split()[0].isdigit() and l.split()[1] == "modified"]
    check(len(lines) >= 2 and {lines[0].split()[2], lines[1].split()[2]} ==
          {"ffmpeg.dll", "d3dhelper.dll"}, f"text table:\n{text}")
    check("kernel32.dll!LoadLibraryA" in text and "== ffmpeg.dll" in text, f"details:\n{text}")

    # A baseline: the third-party DLL's loader imports are expected (not scored); a pin breaks.
    baseline = os.path.join(work, "baseline.json")
    with open(baseline, "w") as f:
        json.dump({"schema": "cascade.baseline/1", "files": [
            {"path": "ffmpeg.dll", "third_party": True, "expect": ["diff.capability-gained"]},
            {"path": "helper.dll", "sha256": "0" * 64},
            {"path": "*.exe", "signer": "no such signer"}]}, f)
    doc = by_path(diff_json(v1, v2, "--baseline", baseline))
    ffmpeg = doc.get("ffmpeg.dll", {"findings": []})
    gained = [x for x in ffmpeg["findings"] if x["id"] == "diff.capability-gained"]
    check(gained and all(x["expected"] for x in gained), f"baseline expectations: {ffmpeg['findings']}")
    silent = [x for x in ffmpeg["findings"] if x["id"] == "diff.silent-change"]
    check(silent and silent[0]["severity"] == "high", "third-party silent change is high")
    check(any(x["id"] == "diff.pin-mismatch" for x in doc.get("helper.dll", {"findings": []})["findings"]),
          "pinned digest mismatch")
    check(any(x["id"] == "diff.unexpected-signer"
              for x in doc.get("examplephone.exe", {"findings": []})["findings"]), "expected signer")
    with open(baseline, "w") as f:
        f.write('{"schema": "cascade.baseline/1", "files": [{"path": "a", "thrid_party": true}]}')
    run("diff", *TRUST, "--baseline", baseline, v1, v2, expect=2)
    run("diff", *TRUST, "--capabilities", baseline, v1, v2, expect=2)
    run("diff", *TRUST, v1, os.path.join(work, "missing"), expect=2)

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("diff: all checks passed")
