#!/usr/bin/python3
"""No false alarms on real updates: `cascade diff` of two versions of each package fetched by
scripts/fetch-diff-corpus must raise no finding above low.

Usage: check_debian_updates.py CASCADE CORPUS_DIR

Prints, per package, the versions, the change counts and the findings by severity, so the
figures can be quoted; exits 1 if any finding is medium or worse, or if a pair shows no
modified binary at all (then the corpus no longer tests anything).
"""
import json
import os
import subprocess
import sys

cascade, corpus = sys.argv[1:3]
bad = []
packages = sorted(p for p in os.listdir(corpus)
                  if os.path.isfile(os.path.join(corpus, p, "versions")))
if not packages:
    sys.exit(f"no package pairs under {corpus} (run scripts/fetch-diff-corpus)")
for package in packages:
    base = os.path.join(corpus, package)
    with open(os.path.join(base, "versions")) as f:
        versions = f.read().split()
    p = subprocess.run([cascade, "diff", "--json", "--fail-on", "none",
                        os.path.join(base, "old"), os.path.join(base, "new")],
                       capture_output=True, text=True)
    if p.returncode != 0:
        bad.append(f"{package}: exit {p.returncode}: {p.stderr.strip()[:300]}")
        continue
    doc = json.loads(p.stdout)
    summary = doc["summary"]
    binaries = [f for f in doc["files"] if f["status"] == "modified" and f["delta"]
                and ("imports" in f["delta"] or "sections" in f["delta"] or "header" in f["delta"]
                     or "entry_point" in f["delta"])]
    findings = summary["findings"]
    print(f"{package} {' -> '.join(versions)}: {summary['modified']} modified "
          f"({len(binaries)} binaries with structural changes), {summary['added']} added, "
          f"{summary['removed']} removed; findings " +
          " ".join(f"{k} {v}" for k, v in findings.items()))
    for f in doc["files"]:
        for x in f["findings"]:
            if x["severity"] in ("medium", "high", "critical") and not x["expected"]:
                bad.append(f"{package}: {f['path']}: {x['id']} ({x['severity']}): {x['message']}")
    if not binaries:
        bad.append(f"{package}: no modified binary: the pair tests nothing")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
