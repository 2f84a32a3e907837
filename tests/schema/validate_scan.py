#!/usr/bin/env python3
"""The `cascade scan` command line: exit codes, --json and --jsonl against
docs/schema/cascade.scan-1.schema.json, --sarif against the SARIF 2.1.0 schema subset in
tests/schema, and rule errors naming FILE:LINE before any file is read.

Usage: validate_scan.py CASCADE_BIN SCAN_FIXTURE_DIR SOURCE_DIR   (Debian's /usr/bin/python3)
"""
import json
import re
import os
import subprocess
import sys
import tempfile

import jsonschema

FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def run(cascade, *args):
    return subprocess.run([cascade, "scan", *args], capture_output=True, text=True, check=False)


def schema_errors(validator, doc):
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(doc)][:10]


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    cascade, fixtures, source = sys.argv[1:4]
    with open(os.path.join(source, "docs/schema/cascade.inspect-1.schema.json")) as f:
        inspect_schema = json.load(f)
    with open(os.path.join(source, "docs/schema/cascade.scan-1.schema.json")) as f:
        scan_schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(scan_schema)
    # jsonschema 4.10 cannot join fragments onto urn: ids, so the inspect definitions the scan
    # schema refers to are merged into it (their names do not clash) before validating.
    inspect_ref = inspect_schema["$id"] + "#/$defs/"
    merged = json.loads(json.dumps(scan_schema).replace(inspect_ref, "#/$defs/"))
    clash = set(merged["$defs"]) & set(inspect_schema["$defs"])
    if clash:
        print(f"schema definitions clash: {sorted(clash)}")
        return 1
    merged["$defs"].update(inspect_schema["$defs"])
    scan_validator = jsonschema.Draft202012Validator(merged)
    record_schema = dict(merged, **{"$ref": "#/$defs/jsonl_record"})
    for key in ("required", "properties", "type"):
        record_schema.pop(key, None)
    record_validator = jsonschema.Draft202012Validator(record_schema)

    release = os.path.join(fixtures, "release")
    trust = ["--no-system-trust", "--trust", os.path.join(fixtures, "..", "pki", "ca.pem")]
    feeds = ["--ioc", os.path.join(fixtures, "feeds", "hashes.txt"),
             "--ioc", os.path.join(fixtures, "feeds", "bundle.stix.json"),
             "--rules", os.path.join(fixtures, "rules")]
    with tempfile.TemporaryDirectory() as tmp:
        sarif_path = os.path.join(tmp, "scan.sarif")
        out = run(cascade, "--json", "--host", "ci-host", "--sarif", sarif_path, *trust, *feeds,
                  release)
        check(out.returncode == 1, f"findings at or above high exit 1 (got {out.returncode})")
        doc = json.loads(out.stdout)
        errors = schema_errors(scan_validator, doc)
        check(not errors, "--json validates against cascade.scan-1: " + "; ".join(errors))
        check(doc["host"] == "ci-host", "--host is recorded")
        paths = {f["path"]: f for f in doc["files"]}
        nested = os.path.join(release, "nested3.zip") + "!payload/bundle.tar.gz!app.zip!bin/ffmpeg.dll"
        check(nested in paths, "the three-level nested DLL is reported at its full path")
        check(nested in paths and any(x["id"] == "ioc.hash" for x in paths[nested]["findings"]),
              "the nested DLL carries ioc.hash")
        check([f["format"] for f in doc["feeds"]] == ["hash-list", "stix"], "feeds are recorded")
        check(doc["rule_count"] == 2 and len(doc["rules"]) == 1, "rules are recorded")

        with open(sarif_path) as f:
            sarif = json.load(f)
        # validate_sarif.py adds the uri and date-time format checks this jsonschema lacks.
        sarif_check = subprocess.run(
            [sys.executable, os.path.join(source, "tests/schema/validate_sarif.py"),
             os.path.join(source, "tests/schema/sarif-2.1.0-subset.schema.json"), sarif_path],
            capture_output=True, text=True, check=False)
        check(sarif_check.returncode == 0,
              "--sarif validates against SARIF 2.1.0: " + sarif_check.stdout + sarif_check.stderr)
        results = sarif["runs"][0]["results"]
        check(any(r["ruleId"] == "ioc.hash" for r in results), "SARIF holds the ioc.hash results")

        out = run(cascade, "--jsonl", *trust, *feeds, release)
        lines = out.stdout.splitlines()
        records = [json.loads(line) for line in lines]
        bad = [e for r in records for e in schema_errors(record_validator, r)]
        check(not bad, "every --jsonl record validates: " + "; ".join(bad[:5]))
        check(records[0]["record"] == "scan" and records[-1]["record"] == "summary",
              "--jsonl starts with the scan record and ends with the summary")
        check(len(records) - 2 == len(doc["files"]), "--jsonl has a record per file")

        # Installed packages: entries and package records validate too.
        tree = os.path.join(tmp, "packages")
        for path, text in (("node_modules/ms/package.json", '{"name":"ms","version":"2.0.0"}'),
                           ("site/PyYAML-6.0.dist-info/METADATA", "Name: PyYAML\nVersion: 6.0\n"),
                           ("var/lib/dpkg/status", "Package: bash\nStatus: install ok installed\n"
                                                   "Architecture: amd64\nVersion: 5.2.15-2+b8\n")):
            os.makedirs(os.path.dirname(os.path.join(tree, path)), exist_ok=True)
            with open(os.path.join(tree, path), "w") as f:
                f.write(text)
        out = run(cascade, "--json", tree)
        doc = json.loads(out.stdout)
        errors = schema_errors(scan_validator, doc)
        check(not errors and len(doc["packages"]) == 3,
              "--json with packages validates: " + "; ".join(errors))
        out = run(cascade, "--jsonl", tree)
        records = [json.loads(line) for line in out.stdout.splitlines()]
        bad = [e for r in records for e in schema_errors(record_validator, r)]
        check(not bad and sum(r["record"] == "package" for r in records) == 3,
              "--jsonl package records validate: " + "; ".join(bad[:5]))
        broken = dict(records[-2], ecosystem="cargo")
        check(schema_errors(record_validator, broken) != [],
              "the schema refuses a package record of an unknown ecosystem")

        out = run(cascade, *trust, os.path.join(release, "notes.txt"))
        check(out.returncode == 0, f"a clean file exits 0 (got {out.returncode})")
        check("scanned 1 files" in out.stdout, "the text summary counts files")

        bad_rule = os.path.join(tmp, "bad.yar")
        with open(bad_rule, "w") as f:
            f.write("rule broken {\n  condition:\n    $undefined\n}\n")
        out = run(cascade, "--rules", bad_rule, release)
        check(out.returncode == 2, f"a rule syntax error exits 2 (got {out.returncode})")
        check(re.search(re.escape(bad_rule) + r":[34]: undefined string", out.stderr) is not None,
              "the rule error names FILE:LINE: " + out.stderr.strip())
        check(out.stdout == "", "nothing is scanned when rules do not compile")

        out = run(cascade, os.path.join(tmp, "missing"))
        check(out.returncode == 2, f"nothing readable exits 2 (got {out.returncode})")
    print(f"{len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
