#!/usr/bin/env python3
"""`cascade scan --ioc ADVISORIES`: a tree with an installed npm package that a hand-written OSV
advisory names (an invented package) exits 1 with ioc.package on the package entry; without the
advisory, or at a fixed version, it exits 0. JSON and JSON Lines carry the same findings, both
valid against docs/schema/cascade.scan-1.schema.json; the text summary and SARIF list them.

Usage: package_advisories.py CASCADE_BIN SOURCE_DIR   (Debian's /usr/bin/python3)
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

FAILURES = []
PURL = "pkg:npm/x-cascade-test-invented@1.2.0"
MANIFEST = "node_modules/x-cascade-test-invented/package.json"


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def validator(source):
    with open(os.path.join(source, "docs/schema/cascade.inspect-1.schema.json")) as f:
        inspect_schema = json.load(f)
    with open(os.path.join(source, "docs/schema/cascade.scan-1.schema.json")) as f:
        scan_schema = json.load(f)
    # As tests/schema/validate_scan.py: the inspect definitions merged in (jsonschema 4.10).
    merged = json.loads(json.dumps(scan_schema).replace(inspect_schema["$id"] + "#/$defs/", "#/$defs/"))
    merged["$defs"].update(inspect_schema["$defs"])
    record_schema = dict(merged, **{"$ref": "#/$defs/jsonl_record"})
    for key in ("required", "properties", "type"):
        record_schema.pop(key, None)
    return jsonschema.Draft202012Validator(merged), jsonschema.Draft202012Validator(record_schema)


def errors(v, doc):
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in v.iter_errors(doc)][:5]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    cascade, source = sys.argv[1:3]
    document_validator, record_validator = validator(source)
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "tree")
        os.makedirs(os.path.join(tree, os.path.dirname(MANIFEST)))
        with open(os.path.join(tree, MANIFEST), "w") as f:
            json.dump({"name": "x-cascade-test-invented", "version": "1.2.0"}, f)
        advisories = os.path.join(tmp, "advisories", "npm")
        os.makedirs(advisories)
        with open(os.path.join(advisories, "MAL-0000-0042.json"), "w") as f:
            json.dump({"id": "MAL-0000-0042", "modified": "2024-01-01T00:00:00Z",
                       "summary": "Malicious code in x-cascade-test-invented (npm)",
                       "affected": [{"package": {"ecosystem": "npm", "name": "x-cascade-test-invented"},
                                     "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"},
                                                                              {"fixed": "1.3.0"}]}]}]},
                      f)
        feed = os.path.join(tmp, "advisories")
        sarif_path = os.path.join(tmp, "scan.sarif")

        def scan(*args):
            return subprocess.run([cascade, "scan", "--host", "h", *args], cwd=tree,
                                  capture_output=True, text=True, check=False)

        p = scan("--json", "--ioc", feed, "--sarif", sarif_path, ".")
        check(p.returncode == 1, f"an installed package an advisory names: exit 1 ({p.returncode}, {p.stderr.strip()})")
        doc = json.loads(p.stdout)
        check(not errors(document_validator, doc), f"JSON valid: {errors(document_validator, doc)}")
        packages = [pkg for pkg in doc["packages"] if pkg["purl"] == PURL]
        check(len(packages) == 1, f"the package is listed: {doc['packages']}")
        found = packages[0]["findings"] if packages else []
        check([f["id"] for f in found] == ["ioc.package"] and found[0]["severity"] == "high",
              f"ioc.package on the package entry: {found}")
        check(bool(found) and "MAL-0000-0042" in found[0]["message"]
              and "SEMVER range [introduced 1.0.0, fixed 1.3.0]" in found[0]["message"],
              f"the message names the advisory and the range: {found}")
        check(doc["summary"]["findings"]["high"] == 1, f"counted in the summary: {doc['summary']}")
        check(all(not f["findings"] for f in doc["files"]), "no file finding: the package carries it")

        p = scan("--jsonl", "--ioc", feed, ".")
        check(p.returncode == 1, f"JSON Lines: exit 1 ({p.returncode})")
        records = [json.loads(line) for line in p.stdout.splitlines()]
        bad = [errors(record_validator, r) for r in records if errors(record_validator, r)]
        check(not bad, f"JSON Lines records valid: {bad}")
        lines_packages = [r for r in records if r.get("record") == "package"]
        for r in lines_packages:
            r.pop("record")
        check(lines_packages == doc["packages"], "JSON Lines package records = the JSON packages")
        check(records[-1]["summary"]["findings"] == doc["summary"]["findings"], "same summary counts")

        p = scan("--ioc", feed, ".")
        check(p.returncode == 1 and f"ioc.package  {PURL} (./{MANIFEST}): advisories: MAL-0000-0042" in p.stdout
              and "findings: critical 0 high 1" in p.stdout,
              f"text lists the package finding: {p.stdout}")

        # validate_sarif.py adds the uri and date-time format checks this jsonschema lacks.
        sarif_check = subprocess.run(
            [sys.executable, os.path.join(source, "tests/schema/validate_sarif.py"),
             os.path.join(source, "tests/schema/sarif-2.1.0-subset.schema.json"), sarif_path],
            capture_output=True, text=True, check=False)
        check(sarif_check.returncode == 0, f"SARIF valid: {sarif_check.stdout}{sarif_check.stderr}")
        with open(sarif_path) as f:
            sarif = json.load(f)
        results = sarif["runs"][0]["results"]
        package_results = [r for r in results if r["ruleId"] == "ioc.package"]
        check(len(package_results) == 1, f"SARIF carries the finding: {results}")
        if package_results:
            location = package_results[0]["locations"][0]
            check(location["physicalLocation"]["artifactLocation"]["uri"] == MANIFEST,
                  f"SARIF location is the manifest: {location}")
            check({"fullyQualifiedName": PURL, "kind": "module"} in location["logicalLocations"],
                  f"SARIF names the package: {location}")
        check(any(rule["id"] == "ioc.package" for rule in sarif["runs"][0]["tool"]["driver"]["rules"]),
              "SARIF lists the rule")

        p = scan("--json", ".")
        check(p.returncode == 0, f"without the advisory: exit 0 ({p.returncode})")
        doc = json.loads(p.stdout)
        check(all(pkg["findings"] == [] for pkg in doc["packages"]), "without the advisory: no package finding")
        p = scan("--json", "--ioc", feed, "--fail-on", "critical", ".")
        check(p.returncode == 0, f"--fail-on critical: a high package finding passes ({p.returncode})")

        with open(os.path.join(tree, MANIFEST), "w") as f:
            json.dump({"name": "x-cascade-test-invented", "version": "1.3.0"}, f)
        p = scan("--json", "--ioc", feed, ".")
        check(p.returncode == 0, f"the fixed version: exit 0 ({p.returncode})")
        check(all(pkg["findings"] == [] for pkg in json.loads(p.stdout)["packages"]),
              "the fixed version: no finding")
    print(f"{len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
