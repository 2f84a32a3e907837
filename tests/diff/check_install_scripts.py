#!/usr/bin/python3
"""End-to-end checks of install-time scripts in `cascade diff` (docs/diff.md, Install-time scripts).

Usage: check_install_scripts.py CASCADE SOURCE_DIR

Builds real packages in a temporary folder: npm tarballs with `npm pack` from package.json files
written here, .deb packages with `dpkg-deb --build` with maintainer scripts, MSIs with a custom
action built by wixl, a Python tree and an Electron app folder. Checks: a changed postinstall is found and ranked first, an added hook is
high, an unchanged pair gives no install-script finding, --details prints bounded unified diffs
made printable, --strip-prefix pairs a tarball and a .deb with their unpacked trees, the JSON
validates against docs/schema/cascade.diff-1, and a real package from the Debian archive cache
diffed against itself and against its extraction gives nothing above low. Scripts only echo a
marker.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

CASCADE, SOURCE = sys.argv[1:3]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(*args):
    return subprocess.run([CASCADE, *args], capture_output=True, text=True)


with open(os.path.join(SOURCE, "docs", "schema", "cascade.diff-1.schema.json")) as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)


def diff_json(*args):
    p = run("diff", "--json", *args)
    check(p.returncode in (0, 1), f"diff {args}: exit {p.returncode}: {p.stderr[:300]}")
    doc = json.loads(p.stdout) if p.stdout else {"files": [], "summary": {"findings": {}}}
    errors = sorted(VALIDATOR.iter_errors(doc), key=str)
    check(not errors, f"diff {args}: schema: {[e.message for e in errors[:3]]}")
    return doc, p.returncode


def script_findings(doc):
    return [(f["path"], x["id"], x["severity"], x["message"]) for f in doc["files"]
            for x in f["findings"] if x["id"].startswith("diff.install-script")]


def above_low(doc):
    return [(f["path"], x["id"]) for f in doc["files"] for x in f["findings"]
            if x["severity"] in ("medium", "high", "critical") and not x["expected"]]


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def npm_pack(folder, manifest, index="module.exports = 1;\n"):
    os.makedirs(folder, exist_ok=True)
    write(os.path.join(folder, "package.json"), json.dumps(manifest, indent=2) + "\n")
    write(os.path.join(folder, "index.js"), index)
    p = subprocess.run(["npm", "pack", "--silent", "--ignore-scripts"], cwd=folder,
                       capture_output=True, text=True, env={**os.environ, "npm_config_offline": "true"})
    check(p.returncode == 0, f"npm pack in {folder}: {p.stderr[:300]}")
    name = p.stdout.strip().splitlines()[-1]
    return os.path.join(folder, name)


def deb_build(tree, out, compression, postinst, prerm=None, version="1.0"):
    write(os.path.join(tree, "DEBIAN", "control"),
          f"Package: cascade-fixture\nVersion: {version}\nArchitecture: all\n"
          "Maintainer: Cascade Tests <tests@example.org>\nDescription: install-script fixture\n")
    write(os.path.join(tree, "DEBIAN", "postinst"), postinst, 0o755)
    if prerm is not None:
        write(os.path.join(tree, "DEBIAN", "prerm"), prerm, 0o755)
    write(os.path.join(tree, "usr", "share", "doc", "cascade-fixture", "README"), "fixture\n")
    p = subprocess.run(["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", tree, out],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"dpkg-deb --build {tree}: {p.stderr[:300]}")
    return out


def npm_checks(work):
    base = {"name": "cascade-fixture", "version": "1.0.0", "description": "fixture",
            "license": "MIT", "main": "index.js"}
    none = npm_pack(os.path.join(work, "npm0"), base)
    one = npm_pack(os.path.join(work, "npm1"),
                   {**base, "version": "1.0.1",
                    "scripts": {"postinstall": "echo CASCADE-TEST-MARKER one", "test": "true"}})
    two = npm_pack(os.path.join(work, "npm2"),
                   {**base, "version": "1.0.2",
                    "scripts": {"postinstall": "echo CASCADE-TEST-MARKER two", "test": "true"}})
    same = npm_pack(os.path.join(work, "npm3"),
                    {**base, "version": "1.0.3",
                     "scripts": {"postinstall": "echo CASCADE-TEST-MARKER two", "test": "false"}},
                    index="module.exports = 3;\n")

    # A changed postinstall: medium, on package.json, ranked first, hook and package named.
    doc, code = diff_json(one, two)
    found = script_findings(doc)
    check(len(found) == 1 and found[0][1] == "diff.install-script-changed"
          and found[0][2] == "medium", f"npm changed postinstall: {found}")
    check(doc["files"] and doc["files"][0]["path"] == "package/package.json",
          f"npm: package.json not ranked first: {[f['path'] for f in doc['files']]}")
    if found:
        message = found[0][3]
        check("postinstall" in message and "cascade-fixture@1.0.2" in message
              and "package/package.json#scripts.postinstall" in message,
              f"npm message does not name the script: {message}")
    scripts = [s for f in doc["files"] for s in f["install_scripts"]]
    check([(s["id"], s["kind"], s["change"]) for s in scripts] ==
          [("package/package.json#scripts.postinstall", "npm-hook", "changed")],
          f"npm install_scripts: {scripts}")
    check(code == 0, f"a medium finding should not fail the default --fail-on high: exit {code}")

    # A hook where there was none: high, exit 1.
    doc, code = diff_json(none, one)
    found = script_findings(doc)
    check([x[1:3] for x in found] == [("diff.install-script-added", "high")],
          f"npm added postinstall: {found}")
    check(code == 1, f"npm added postinstall: exit {code}, expected 1")
    # ... and removed: info.
    doc, _ = diff_json(one, none)
    check([x[1:3] for x in script_findings(doc)] == [("diff.install-script-removed", "info")],
          f"npm removed postinstall: {script_findings(doc)}")

    # Same hooks, other changes (a non-install script, the code): no install-script finding.
    doc, _ = diff_json(two, same)
    check(script_findings(doc) == [], f"npm unchanged hooks: {script_findings(doc)}")
    doc, _ = diff_json(one, one)
    check(script_findings(doc) == [] and doc["files"] == [], "npm: a tarball against itself")

    # --details: the hook's diff and package.json's own line diff, printable.
    p = run("diff", "--details", "package.json", one, two)
    check("-echo CASCADE-TEST-MARKER one" in p.stdout and "+echo CASCADE-TEST-MARKER two" in p.stdout,
          f"--details lacks the hook's diff:\n{p.stdout}")
    check('-    "postinstall": "echo CASCADE-TEST-MARKER one",' in p.stdout,
          f"--details lacks package.json's line diff:\n{p.stdout}")
    doc, _ = diff_json("--details", "*", one, two)
    pkg = [f for f in doc["files"] if f["path"] == "package/package.json"]
    check(pkg and pkg[0]["text_diff"] and "+  \"version\": \"1.0.2\"," in pkg[0]["text_diff"]["unified"],
          f"JSON text_diff of package.json: {pkg}")
    doc, _ = diff_json(one, two)
    check(all(f["text_diff"] is None for f in doc["files"]), "text_diff without --details")

    # --strip-prefix 1: the tarball pairs with its unpacked tree (tar's package/ dropped).
    tree = os.path.join(work, "npm2-unpacked")
    os.makedirs(tree)
    subprocess.run(["tar", "-xzf", two, "-C", tree], check=True)
    unpacked = os.path.join(tree, "package")
    doc, _ = diff_json("--strip-prefix", "1", two, unpacked)
    check(script_findings(doc) == [] and doc["summary"]["modified"] == 0
          and doc["summary"]["unchanged"] == 2, f"--strip-prefix 1 tgz vs tree: {doc['summary']}, "
          f"{[(f['path'], f['status']) for f in doc['files']]}")
    p = run("diff", "--strip-prefix", "1", unpacked, unpacked)
    check(p.returncode == 0 and "no path was stripped" in p.stderr,
          f"--strip-prefix on two trees should say it did nothing: {p.returncode} {p.stderr}")
    doc, _ = diff_json(two, unpacked)
    check(doc["summary"]["unchanged"] == 0 and doc["summary"]["moved"] == 2,
          f"without --strip-prefix the files move: {doc['summary']}")
    # A package moved unchanged (hoisted to another folder) keeps its hooks: nothing to rank.
    check(script_findings(doc) == [], f"moved package.json: {script_findings(doc)}")
    doc, _ = diff_json("--strip-prefix", "1", one, unpacked)
    check([x[1] for x in script_findings(doc)] == ["diff.install-script-changed"],
          f"--strip-prefix 1 older tgz vs tree: {script_findings(doc)}")


def deb_checks(work):
    marker = "#!/bin/sh\nset -e\necho CASCADE-TEST-MARKER\n"
    old = deb_build(os.path.join(work, "deb1"), os.path.join(work, "fixture_1.0_all.deb"), "xz", marker)
    new = deb_build(os.path.join(work, "deb2"), os.path.join(work, "fixture_1.1_all.deb"), "gzip",
                    marker + "echo CASCADE-TEST-MARKER changed\n", prerm=marker, version="1.1")
    again = deb_build(os.path.join(work, "deb3"), os.path.join(work, "fixture_1.0b_all.deb"), "xz",
                      marker)
    # Compression differs (xz -> gzip): the scripts still pair, by DEBIAN/<name>.
    doc, code = diff_json(old, new)
    found = sorted((x[1], x[2]) for x in script_findings(doc))
    check(found == [("diff.install-script-added", "high"), ("diff.install-script-changed", "medium")],
          f"deb: {script_findings(doc)}")
    check(doc["files"] and doc["files"][0]["path"].endswith("prerm"),
          f"deb: the added prerm should rank first: {[f['path'] for f in doc['files']][:3]}")
    messages = " ".join(x[3] for x in script_findings(doc))
    check("postinst" in messages and "cascade-fixture@1.1" in messages and "DEBIAN/prerm" in messages,
          f"deb messages: {messages}")
    check(code == 1, f"deb with an added prerm: exit {code}")
    doc, _ = diff_json(old, again)
    check(script_findings(doc) == [] and above_low(doc) == [], f"deb rebuilt: {script_findings(doc)}")
    # Against the tree it was built from: DEBIAN/ pairs with the control archive.
    doc, _ = diff_json("--strip-prefix", "1", old, os.path.join(work, "deb1"))
    check(script_findings(doc) == [] and doc["summary"]["modified"] == 0 and
          doc["summary"]["unchanged"] == 3 and above_low(doc) == [],
          f"deb vs tree: {doc['summary']} {[(f['path'], f['status']) for f in doc['files']]}")
    doc, _ = diff_json("--all", "--strip-prefix", "1", old, os.path.join(work, "deb1"))
    unchanged = {f["path"] for f in doc["files"] if f["status"] == "unchanged"}
    check({"debian/postinst", "debian/control", "usr/share/doc/cascade-fixture/readme"} <= unchanged,
          f"deb vs tree, unchanged: {sorted(unchanged)}")
    doc, _ = diff_json("--strip-prefix", "1", new, os.path.join(work, "deb1"))
    check(sorted(x[1] for x in script_findings(doc)) ==
          ["diff.install-script-changed", "diff.install-script-removed"],
          f"newer deb vs older tree: {script_findings(doc)}")

    # A script cannot write to the terminal: an escape sequence is shown escaped.
    hostile = deb_build(os.path.join(work, "deb4"), os.path.join(work, "fixture_1.2_all.deb"), "xz",
                        marker + "echo '\x1b]0;title\x07CASCADE-TEST-MARKER'\n")
    p = run("diff", "--details", "*", old, hostile)
    check("\x1b" not in p.stdout and "\x07" not in p.stdout and "\\x1B" in p.stdout,
          "a control character from a script reached the terminal")


def python_and_electron_checks(work):
    for v in ("1", "2"):
        root = os.path.join(work, f"py{v}")
        write(os.path.join(root, "setup.py"),
              "from setuptools import setup\nsetup(name='cascade-fixture')\n" +
              ("print('CASCADE-TEST-MARKER')\n" if v == "2" else ""))
        write(os.path.join(root, "site-packages", "paths.pth"), "/opt/fixture/lib\n")
        write(os.path.join(root, "site-packages", "hook.pth"),
              "/opt/fixture\n" + ("import os; print('CASCADE-TEST-MARKER')\n" if v == "2" else ""))
        app = os.path.join(work, f"app{v}", "resources", "app")
        write(os.path.join(app, "package.json"), json.dumps({"name": "fixture-app", "version": v,
                                                              "main": "./src/main.js"}))
        write(os.path.join(app, "src", "main.js"), f"console.log('CASCADE-TEST-MARKER {v}');\n")
    doc, _ = diff_json(os.path.join(work, "py1"), os.path.join(work, "py2"))
    found = sorted((x[0], x[1]) for x in script_findings(doc))
    check(found == [("setup.py", "diff.install-script-changed"),
                    ("site-packages/hook.pth", "diff.install-script-added")],
          f"python: {found}")
    doc, _ = diff_json(os.path.join(work, "app1"), os.path.join(work, "app2"))
    found = [(x[0], x[1]) for x in script_findings(doc)]
    check(found == [("resources/app/src/main.js", "diff.install-script-changed")],
          f"electron: {found}")


WXS = """<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="6f1c2d9e-4444-4000-8000-00000000000{v}" Name="CascadeFixture" Language="1033"
           Version="1.0.{v}" Manufacturer="Example Corp" UpgradeCode="6f1c2d9e-4444-4000-8000-000000000010">
    <Package InstallerVersion="200" Compressed="yes" InstallScope="perMachine" />
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="CascadeFixture">
          <Component Id="Readme" Guid="6f1c2d9e-4444-4000-8000-000000000020">
            <File Id="readme.txt" Name="readme.txt" Source="readme.txt" KeyPath="yes" />
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Main" Level="1"><ComponentRef Id="Readme" /></Feature>
    {action}
  </Product>
</Wix>
"""
ACTION = """<CustomAction Id="EchoMarker" FileKey="readme.txt" Execute="deferred" Impersonate="no"
      ExeCommand="cmd.exe /c echo CASCADE-TEST-MARKER {v}" Return="ignore" />
    <InstallExecuteSequence>
      <Custom Action="EchoMarker" After="InstallFiles">NOT Installed</Custom>
    </InstallExecuteSequence>"""


def msi_checks(work):
    folder = os.path.join(work, "msi")
    write(os.path.join(folder, "readme.txt"), "fixture\n")
    msis = []
    for v, action in (("0", ""), ("1", ACTION.format(v="1")), ("2", ACTION.format(v="2"))):
        write(os.path.join(folder, f"p{v}.wxs"), WXS.format(v=v, action=action))
        p = subprocess.run(["wixl", "-o", f"p{v}.msi", f"p{v}.wxs"], cwd=folder,
                           capture_output=True, text=True)
        check(p.returncode == 0, f"wixl p{v}: {p.stderr[:300]}")
        msis.append(os.path.join(folder, f"p{v}.msi"))
    doc, _ = diff_json(msis[1], msis[2])
    found = [(x[0], x[1]) for x in script_findings(doc)]
    check(found == [("", "diff.install-script-changed")], f"MSI changed custom action: {found}")
    scripts = [s for f in doc["files"] for s in f["install_scripts"]]
    check(len(scripts) == 1 and scripts[0]["id"] == "#CustomAction.EchoMarker"
          and "+Target: cmd.exe /c echo CASCADE-TEST-MARKER 2" in scripts[0]["text_diff"]["unified"]
          and "InstallExecuteSequence" in scripts[0]["text_diff"]["unified"],
          f"MSI custom action diff: {scripts}")
    doc, code = diff_json(msis[0], msis[1])
    check([x[1:3] for x in script_findings(doc)] == [("diff.install-script-added", "high")]
          and code == 1, f"MSI added custom action: {script_findings(doc)}, exit {code}")
    # Custom actions are facts of the saved report too: the same finding without the bits.
    saved = []
    for msi in msis[1:]:
        out = msi + ".json"
        with open(out, "w") as f:
            f.write(run("scan", "--json", "--fail-on", "none", msi).stdout)
        saved.append(out)
    doc, _ = diff_json(*saved)
    check([x[1] for x in script_findings(doc)] == ["diff.install-script-changed"],
          f"MSI custom action from saved reports: {script_findings(doc)}")


def bounded_diff_check(work):
    for v in ("1", "2"):
        lines = "".join(f"echo CASCADE-TEST-MARKER {v} {i}\n" for i in range(1000))
        write(os.path.join(work, f"big{v}", "DEBIAN", "postinst"), "#!/bin/sh\n" + lines, 0o755)
    doc, _ = diff_json("--details", "*", os.path.join(work, "big1"), os.path.join(work, "big2"))
    scripts = [s for f in doc["files"] for s in f["install_scripts"]]
    check(len(scripts) == 1 and scripts[0]["text_diff"]["truncated"]
          and scripts[0]["text_diff"]["unified"].rstrip().endswith("bytes of output)")
          and scripts[0]["text_diff"]["unified"].count("\n") <= 201,
          f"a large script diff is not visibly cut: {scripts[0]['text_diff'] if scripts else None}")


def real_debian_check(work):
    debs = []
    for path in glob.glob("/var/cache/apt/archives/*.deb"):
        info = subprocess.run(["dpkg-deb", "--info", path], capture_output=True, text=True).stdout
        if " postinst" in info or " prerm" in info:
            debs.append((os.path.getsize(path), path))
    if not debs:
        print("NOTE: no Debian package with a maintainer script in the apt cache; real-package "
              "check not run")
        return
    path = sorted(debs)[0][1]
    doc, _ = diff_json(path, path)
    check(doc["files"] == [], f"{path} against itself: {doc['files'][:3]}")
    tree = os.path.join(work, "real")
    subprocess.run(["dpkg-deb", "--raw-extract", path, tree], check=True)
    doc, _ = diff_json("--strip-prefix", "1", path, tree)
    check(script_findings(doc) == [] and above_low(doc) == [],
          f"{path} against its extraction: {script_findings(doc)} {above_low(doc)}")
    print(f"real package {os.path.basename(path)}: {doc['summary']}")


with tempfile.TemporaryDirectory() as work:
    npm_checks(work)
    deb_checks(work)
    python_and_electron_checks(work)
    msi_checks(work)
    bounded_diff_check(work)
    real_debian_check(work)

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
