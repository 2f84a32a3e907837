#!/usr/bin/env python3
"""Self-test of sarif-2.1.0-subset.schema.json and validate_sarif.py: proves the schema can fail.

Usage: sarif_selftest.py   (Debian's /usr/bin/python3; no arguments, paths are relative to this file)

1. Runs validate_sarif.py on each file in sarif-samples/: valid-minimal must pass (exit 0) and
   every invalid-*/missing-* sample must fail (exit 1) with the expected error at the expected
   JSON path.
2. Mutates the valid sample in memory and checks that the constraints cascade's output relies on
   (formats, anyOf, additionalProperties, uniqueItems, ...) reject what they should and that the
   open parts (property bags) accept what they should.
Exits 0 when every expectation holds, 1 otherwise.
"""
import copy
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep tests/schema free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "sarif-2.1.0-subset.schema.json")
VALIDATOR = os.path.join(HERE, "validate_sarif.py")
SAMPLES = os.path.join(HERE, "sarif-samples")

# sample file -> (expected exit status, text expected in the output: "JSON-PATH: message" part)
SAMPLE_EXPECTATIONS = {
    "valid-minimal.sarif.json": (0, ": valid"),
    "invalid-level.sarif.json": (1, "$.runs[0].results[0].level: 'critical' is not one of"),
    "invalid-version.sarif.json": (1, "$.version: '2.0.0' is not one of ['2.1.0']"),
    "missing-message.sarif.json": (1, "$.runs[0].results[0]: 'message' is a required property"),
}


def run_samples():
    failures = []
    found = sorted(f for f in os.listdir(SAMPLES) if f.endswith(".sarif.json"))
    if found != sorted(SAMPLE_EXPECTATIONS):
        failures.append(f"sarif-samples/ holds {found}, expected {sorted(SAMPLE_EXPECTATIONS)}")
    for name, (status, text) in sorted(SAMPLE_EXPECTATIONS.items()):
        path = os.path.join(SAMPLES, name)
        out = subprocess.run([sys.executable, VALIDATOR, SCHEMA, path],
                             capture_output=True, text=True, check=False)
        if out.returncode != status or text not in out.stdout:
            failures.append(f"{name}: exit {out.returncode} (want {status}), output:\n"
                            f"{out.stdout}{out.stderr}  (want a line containing {text!r})")
        else:
            print(f"ok   {name}: exit {status}")
    return failures


def mutations(valid):
    """(name, mutate(doc), expect_valid) cases applied to a copy of the valid sample."""
    run = lambda d: d["runs"][0]  # noqa: E731
    res = lambda d: run(d)["results"][0]  # noqa: E731
    loc = lambda d: res(d)["locations"][0]  # noqa: E731
    rule = lambda d: run(d)["tool"]["driver"]["rules"][0]  # noqa: E731
    inv = lambda d: run(d)["invocations"][0]  # noqa: E731

    def setter(get, key, value):
        def mutate(d):
            get(d)[key] = value
        return mutate

    def deleter(get, key):
        def mutate(d):
            del get(d)[key]
        return mutate

    return [
        # formats (need the RFC 3986 / RFC 3339 checks)
        ("artifactLocation.uri with a space", setter(lambda d: loc(d)["physicalLocation"]["artifactLocation"], "uri", "release/my app.zip"), False),
        ("artifactLocation.uri with backslashes", setter(lambda d: loc(d)["physicalLocation"]["artifactLocation"], "uri", "release\\app.zip"), False),
        ("artifactLocation.uri percent-encoded", setter(lambda d: loc(d)["physicalLocation"]["artifactLocation"], "uri", "release/my%20app.zip"), True),
        ("artifactLocation.uri file:// absolute", setter(lambda d: loc(d)["physicalLocation"]["artifactLocation"], "uri", "file:///srv/release/app.zip"), True),
        ("invocation.startTimeUtc not RFC 3339", setter(inv, "startTimeUtc", "2024-05-01 12:00:00"), False),
        ("invocation.endTimeUtc impossible date", setter(inv, "endTimeUtc", "2023-02-30T00:00:00Z"), False),
        ("rule.helpUri relative (format uri is absolute)", setter(rule, "helpUri", "docs/rules.md"), False),
        ("rule.helpUri absolute", setter(rule, "helpUri", "https://example.org/rules#pe"), True),
        ("$schema not a URI", setter(lambda d: d, "$schema", "sarif 2.1.0"), False),
        # required properties and anyOf
        ("invocation without executionSuccessful", deleter(inv, "executionSuccessful"), False),
        ("message without text or id", setter(res, "message", {"markdown": "**x**"}), False),
        ("message with id only", setter(res, "message", {"id": "default"}), True),
        ("physicalLocation without artifactLocation/address", setter(loc, "physicalLocation", {"region": {"startLine": 1}}), False),
        ("driver without name", deleter(lambda d: run(d)["tool"]["driver"], "name"), False),
        ("rule without id", deleter(rule, "id"), False),
        ("shortDescription without text", setter(rule, "shortDescription", {"markdown": "x"}), False),
        ("run without tool", deleter(run, "tool"), False),
        # types, enums, bounds
        ("result.kind not in enum", setter(res, "kind", "bug"), False),
        ("result.kind 'fail'", setter(res, "kind", "fail"), True),
        ("result.ruleIndex below -1", setter(res, "ruleIndex", -2), False),
        ("defaultConfiguration.level not in enum", setter(lambda d: rule(d)["defaultConfiguration"], "level", "high"), False),
        ("defaultConfiguration.rank above 100", setter(lambda d: rule(d)["defaultConfiguration"], "rank", 100.5), False),
        ("partialFingerprints value not a string", setter(res, "partialFingerprints", {"sha256/v1": 5}), False),
        ("executionSuccessful as a string", setter(inv, "executionSuccessful", "true"), False),
        ("logicalLocation.kind not a string", setter(lambda d: loc(d)["logicalLocations"][0], "kind", 1), False),
        # additionalProperties
        ("unknown property on result", setter(res, "severity", "critical"), False),
        ("unknown property on the log", setter(lambda d: d, "generator", "cascade"), False),
        ("unknown property on artifactLocation", setter(lambda d: loc(d)["physicalLocation"]["artifactLocation"], "path", "x"), False),
        ("official property outside cascade's use (result.rank)", setter(res, "rank", 50), True),
        ("anything in a property bag", setter(lambda d: res(d)["properties"], "cascade/extra", {"a": [1]}), True),
        # uniqueItems
        ("duplicate property-bag tags", setter(lambda d: rule(d)["properties"], "tags", ["security", "security"]), False),
        ("property-bag tag not a string", setter(lambda d: rule(d)["properties"], "tags", [1]), False),
        ("duplicate rules", lambda d: run(d)["tool"]["driver"]["rules"].append(copy.deepcopy(rule(d))), False),
        ("duplicate logicalLocations", lambda d: loc(d)["logicalLocations"].append(copy.deepcopy(loc(d)["logicalLocations"][0])), False),
        ("duplicate results (allowed)", lambda d: run(d)["results"].append(copy.deepcopy(res(d))), True),
    ]


def run_mutations():
    sys.path.insert(0, HERE)
    import validate_sarif  # pylint: disable=import-outside-toplevel

    validator = validate_sarif.load_validator(SCHEMA)
    with open(os.path.join(SAMPLES, "valid-minimal.sarif.json"), encoding="utf-8") as f:
        valid = json.load(f)
    failures = []
    for name, mutate, expect_valid in mutations(valid):
        doc = copy.deepcopy(valid)
        mutate(doc)
        errors = validate_sarif.error_lines(validator, doc)
        if (not errors) != expect_valid:
            failures.append(f"mutation '{name}': expected {'valid' if expect_valid else 'invalid'}, "
                            f"got {errors or 'valid'}")
        else:
            print(f"ok   mutation: {name} -> {'valid' if expect_valid else errors[0]}")
    return failures


def main():
    failures = run_samples() + run_mutations()
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
