#!/usr/bin/env python3
"""Counts signatures, trust and findings in `cascade scan --json` reports, one per corpus set,
for bench/precision.sh. Standard library only.

Usage: precision_table.py NAME=REPORT.json...

Prints, in order:
  - one row per set: files read (and found inside containers), read errors, signatures, those
    trusted, findings by severity;
  - the anchor set (chain.trust_set) of the signatures, trusted and not, per set;
  - every finding id above `low` with its count and one example path and message per set.

A signature is an entry of a file's "signatures" array (Authenticode, top-level and nested) or
a Mach-O CMS signature ("codesign.cms" with "present", also in each fat slice); ad-hoc Mach-O
signatures carry no CMS and are not counted. Reports written before the trust sets existed have
no "trust_set": they show as "(none)".
"""
import collections
import json
import sys

SEVERITIES = ["critical", "high", "medium", "low", "info"]
ABOVE_LOW = {"critical", "high", "medium"}


def signatures_of(entry):
    """Yields (kind, chain) for every signature of one file object of the report."""
    for sig in entry.get("signatures") or []:
        yield "authenticode", sig.get("chain") or {}
    codesigns = [entry.get("codesign")]
    codesigns += [s.get("codesign") for s in entry.get("slices") or []]
    for cs in codesigns:
        cms = (cs or {}).get("cms")
        if cms and cms.get("present", True):
            yield "macho-cms", cms.get("chain") or {}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def summarize(name, report):
    row = {"set": name, "sigs": 0, "trusted": 0}
    summary = report.get("summary", {})
    row["files"] = summary.get("files", 0)
    row["nested"] = summary.get("nested_files", 0)
    row["errors"] = summary.get("errors", 0)
    severities = collections.Counter()
    trust_sets = collections.defaultdict(collections.Counter)  # trust_set -> outcome -> count
    findings = collections.OrderedDict()  # (severity, id) -> [count, path, message]
    roots = [r.rstrip("/") + "/" for r in report.get("roots", [])]

    def short(path):  # relative to the scanned directory
        return next((path[len(r):] for r in roots if path.startswith(r)), path)

    for entry in report.get("files", []):
        for _kind, chain in signatures_of(entry):
            row["sigs"] += 1
            trusted = bool(chain.get("trusted"))
            row["trusted"] += trusted
            problem = chain.get("problem")  # absent before the trust sets
            outcome = "trusted" if trusted else "untrusted" + (":" + problem if problem else "")
            trust_sets[chain.get("trust_set", "(none)")][outcome] += 1
        for finding in entry.get("findings", []):
            sev = finding.get("severity", "?")
            severities[sev] += 1
            if sev in ABOVE_LOW:
                key = (sev, finding.get("id", "?"))
                if key not in findings:
                    findings[key] = [0, short(entry.get("path", "?")), finding.get("message", "")]
                findings[key][0] += 1
    for sev in SEVERITIES:
        row[sev] = severities[sev]
    # The report's own totals should agree with the per-file counts.
    stated = summary.get("findings")
    if stated and any(stated.get(s, 0) != severities[s] for s in SEVERITIES):
        row["note"] = "summary.findings differs: " + json.dumps(stated, sort_keys=True)
    return row, trust_sets, findings


def main(argv):
    if not argv or any("=" not in a for a in argv):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    results = []
    for arg in argv:
        name, path = arg.split("=", 1)
        results.append(summarize(name, load(path)))

    cols = [("set", "<28"), ("files", ">6"), ("nested", ">6"), ("errors", ">6"), ("sigs", ">5"),
            ("trusted", ">7"), ("critical", ">8"), ("high", ">5"), ("medium", ">6"),
            ("low", ">5"), ("info", ">5")]
    print(" ".join(f"{c:{w}}" for c, w in cols))
    total = collections.Counter()
    for row, _, _ in results:
        print(" ".join(f"{row[c]:{w}}" for c, w in cols))
        for c, _ in cols[1:]:
            total[c] += row[c]
    total["set"] = "total"
    print(" ".join(f"{total[c]:{w}}" for c, w in cols))
    for row, _, _ in results:
        if "note" in row:
            print(f"  {row['set']}: {row['note']}")

    print()
    print("signatures by anchor set (chain.trust_set): trusted, and untrusted by problem")
    any_sig = False
    for row, trust_sets, _ in results:
        for trust_set in sorted(trust_sets):
            outcomes = trust_sets[trust_set]
            detail = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            print(f"  {row['set']:<28} {trust_set:<24} {detail}")
            any_sig = True
    if not any_sig:
        print("  (no signatures)")

    print()
    print("findings above low: severity id count, one example per set (path in the set, message)")
    any_finding = False
    for row, _, findings in results:
        order = sorted(findings.items(), key=lambda kv: (SEVERITIES.index(kv[0][0]), kv[0][1]))
        for (sev, fid), (count, path, message) in order:
            print(f"  {row['set']:<28} {sev:<8} {fid:<32} {count:>5}  {path}")
            print(f"  {'':<28} {'':<8} {'':<32} {'':>5}  {message}")
            any_finding = True
    if not any_finding:
        print("  (none)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
