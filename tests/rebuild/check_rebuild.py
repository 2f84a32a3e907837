#!/usr/bin/env python3
"""`cascade rebuild-compare` end to end on the generated rebuilds: verdicts, exit codes,
the text output naming the section and export, and every --json document against
docs/schema/cascade.rebuild-1.schema.json.

Usage: check_rebuild.py CASCADE_BIN FIXTURE_DIR/rebuild SCHEMA_FILE   (Debian's /usr/bin/python3)
"""
import filecmp
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def main():
    cascade, fixtures, schema_path = sys.argv[1:4]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    def path(name):
        return os.path.join(fixtures, name)

    def run(*args):
        return subprocess.run([cascade, "rebuild-compare", *args], capture_output=True, text=True,
                              check=False)

    def run_json(a, b, *extra):
        out = run("--json", *extra, path(a), path(b))
        doc = json.loads(out.stdout) if out.stdout else {}
        errors = list(validator.iter_errors(doc))
        for e in errors[:5]:
            print(f"  schema: {'/'.join(map(str, e.path))}: {e.message}")
        check(not errors, f"{a} vs {b} {' '.join(extra)}: JSON matches the schema")
        return out.returncode, doc

    # The raw files differ: the verdicts below come from normalisation, not from equal input.
    for a, b in [("mathlib-1.dll", "mathlib-2.dll"), ("mathlib-1.dll", "mathlib-1-signed.dll"),
                 ("app-1.exe", "app-2.exe"), ("app-id1.elf", "app-id2.elf"),
                 ("hello-a.macho", "hello-b.macho"), ("hello-fat-a.macho", "hello-fat-b.macho")]:
        check(not filecmp.cmp(path(a), path(b), shallow=False), f"{a} and {b} differ byte for byte")
        rc, doc = run_json(a, b)
        check(rc == 0 and doc.get("verdict") == "identical",
              f"{a} vs {b}: identical, exit 0 (got {rc}, {doc.get('verdict')}: {doc.get('reason')})")
        check(doc.get("findings", [{}])[0].get("id") == "rebuild.identical", f"{a} vs {b}: rebuild.identical")

    rc, doc = run_json("mathlib-1.dll", "mathlib-1-signed.dll")
    check(any(n["what"] == "pe.certificate-table" and n["file"] == "b" for n in doc.get("normalised", [])),
          "signed copy: the certificate table is listed as normalised")

    rc, doc = run_json("mathlib-1.dll", "mathlib-changed.dll")
    regions = doc.get("regions", [])
    check(rc == 1 and doc.get("verdict") == "differs", f"one-line change: differs, exit 1 (got {rc})")
    check(bool(regions) and all(r["section"] == ".text" and r["export"] == "beta" for r in regions),
          f"one-line change: every region in .text near export beta ({regions})")
    check(doc["findings"][0]["id"] == "rebuild.differs" and doc["findings"][0]["severity"] == "high",
          "one-line change: rebuild.differs (high)")
    text = run("--color", "never", path("mathlib-1.dll"), path("mathlib-changed.dll"))
    check(text.returncode == 1 and "DIFFERS" in text.stdout and ".text" in text.stdout
          and "near beta" in text.stdout, "one-line change: text names .text and beta")
    print("\n".join("  | " + line for line in text.stdout.splitlines()))
    check(run("--fail-on", "none", path("mathlib-1.dll"), path("mathlib-changed.dll")).returncode == 0,
          "--fail-on none: exit 0 although the builds differ")
    check(run("--fail-on", "info", path("mathlib-1.dll"), path("mathlib-2.dll")).returncode == 1,
          "--fail-on info: exit 1 on rebuild.identical (info)")

    rc, doc = run_json("app-id1.elf", "app-id2.elf", "--include-build-id")
    check(rc == 1 and doc.get("verdict") == "differs" and doc["options"]["include_build_id"],
          "ELF with --include-build-id: differs")
    check(any(r["section"] == ".note.gnu.build-id" for r in doc.get("regions", [])),
          "ELF with --include-build-id: the region is the build-id note")

    rc, doc = run_json("mathlib-1.dll", "app-id1.elf")
    check(rc == 1 and "formats differ" in (doc.get("reason") or ""), "PE vs ELF: differs, formats differ")

    with tempfile.TemporaryDirectory() as tmp:
        junk = os.path.join(tmp, "notes.txt")
        with open(junk, "w") as f:
            f.write("not a binary\n")
        out = run(junk, path("mathlib-1.dll"))
        check(out.returncode == 2 and "notes.txt" in out.stderr and out.stdout == "",
              f"unparseable input: exit 2 with the path ({out.stderr.strip()})")
        out = run(path("mathlib-1.dll"), os.path.join(tmp, "missing.dll"))
        check(out.returncode == 2 and "missing.dll" in out.stderr, "missing file: exit 2")
        grown = os.path.join(tmp, "grown.dll")
        with open(path("mathlib-1.dll"), "rb") as f:
            data = f.read()
        with open(grown, "wb") as f:
            f.write(data + b"\x41" * 64)
        out = run("--json", path("mathlib-1.dll"), grown)
        doc = json.loads(out.stdout)
        check(not list(validator.iter_errors(doc)), "sizes differ: JSON matches the schema")
        check(out.returncode == 1 and "sizes differ" in doc["reason"]
              and doc["regions"] and doc["regions"][0]["note"] == "only in b"
              and doc["regions"][0]["offset"] is None and doc["regions"][0]["b_offset"] == len(data),
              "sizes differ: the extra bytes are a region only in b")
    check(run("--color", "sometimes", path("mathlib-1.dll"), path("mathlib-2.dll")).returncode == 2,
          "bad --color: exit 2")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all rebuild-compare checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
