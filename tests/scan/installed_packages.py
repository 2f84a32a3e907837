#!/usr/bin/env python3
"""`cascade scan` lists the packages installed in a scanned tree (docs/scan.md, "Installed
packages"), checked against the package managers' own readers on real records of this machine.

usage: installed_packages.py CASCADE local   dpkg's status file, Python metadata, a rootfs tarball
       installed_packages.py CASCADE npm     a real npm project (needs the registry; exit 77 = skip)

local:
- /var/lib/dpkg/status, copied into a tree at test time: the deb packages equal what
  `dpkg-query --admindir` reports installed from the same copy (name, version, architecture);
  bash and coreutils are among them; the vendor is the tree's os-release ID.
- Python metadata from /usr/lib/python3/dist-packages (*.dist-info, *.egg-info), copied: the
  pypi packages equal `pip list --path` over the copy and importlib.metadata's reading.
- The same tree as a tarball (./-prefixed entries, an os-release saying ubuntu): the packages are
  found inside it with the nested path as source, and the vendor follows the tarball's tree.
- --json and --jsonl carry the same packages, in the contract's order, with summary.packages;
  -j 1 and -j 4 give the same list; the text summary counts them.
npm:
- `npm install ms@2.0.0 debug@2.6.9` in a temp project: the lockfile, the hidden lockfile and each
  node_modules/*/package.json give the packages `npm ls --all --json` lists; so does the
  lockfile npm writes again as lockfileVersion 1 and 2.
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def scan(cascade, *args):
    out = subprocess.run([cascade, "scan", *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        print(out.stderr)
    return out


def scan_json(cascade, *args):
    return json.loads(scan(cascade, "--json", *args).stdout)


def scan_lines(cascade, *args):
    return [json.loads(line) for line in scan(cascade, "--jsonl", *args).stdout.splitlines()]


def pypi_key(name):
    return name.lower().replace("_", "-")


def check_report_shape(cascade, root):
    """JSON and JSON Lines agree, in the contract's order; the thread count changes nothing."""
    doc = scan_json(cascade, "-j", "1", root)
    packages = doc["packages"]
    check(doc["summary"]["packages"] == len(packages), "summary.packages counts the list")
    keys = [(p["purl"], p["source"]) for p in packages]
    check(keys == sorted(set(keys)), "packages sorted by (purl, source), without duplicates")
    records = scan_lines(cascade, "-j", "1", root)
    kinds = [r["record"] for r in records]
    first_package = kinds.index("package") if "package" in kinds else len(kinds) - 1
    check(kinds[0] == "scan" and kinds[-1] == "summary" and
          all(k == "file" for k in kinds[1:first_package]) and
          all(k == "package" for k in kinds[first_package:-1]),
          "JSON Lines: scan, files, packages, summary")
    lines = [{k: v for k, v in r.items() if k != "record"} for r in records
             if r["record"] == "package"]
    check(lines == packages, f"--jsonl and --json carry the same {len(packages)} packages")
    check(records[-1]["summary"]["packages"] == len(packages), "the summary record counts them")
    check(scan_json(cascade, "-j", "4", root)["packages"] == packages,
          "-j 4 gives the same list as -j 1")
    return packages


def local(cascade):
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "host")
        dpkg_dir = os.path.join(tree, "var", "lib", "dpkg")
        os.makedirs(dpkg_dir)
        shutil.copy("/var/lib/dpkg/status", dpkg_dir)
        os.makedirs(os.path.join(tree, "etc"))
        with open("/usr/lib/os-release") as f:
            release = f.read()
        with open(os.path.join(tree, "etc", "os-release"), "w") as f:
            f.write(release)
        vendor = next(line.split("=", 1)[1].strip().strip('"') for line in release.splitlines()
                      if line.startswith("ID="))
        python_dir = os.path.join(tree, "usr", "lib", "python3", "dist-packages")
        os.makedirs(python_dir)
        dist = "/usr/lib/python3/dist-packages"
        for name in sorted(os.listdir(dist)):
            if name.endswith((".dist-info", ".egg-info")):
                source = os.path.join(dist, name)
                if os.path.isdir(source):
                    shutil.copytree(source, os.path.join(python_dir, name))
                else:
                    shutil.copy(source, python_dir)

        packages = check_report_shape(cascade, tree)
        status_path = os.path.join(dpkg_dir, "status")
        deb = {(p["name"], p["version"], p["purl"].split("arch=")[1]) for p in packages
               if p["ecosystem"] == "deb"}
        check(all(p["source"] == status_path for p in packages if p["ecosystem"] == "deb"),
              "deb packages name the status file as source")
        query = subprocess.run(
            ["dpkg-query", "--admindir", dpkg_dir, "-W", "-f",
             "${Package}\t${Version}\t${Architecture}\t${db:Status-Eflag}\t${db:Status-Status}\n"],
            capture_output=True, text=True, check=True).stdout
        installed = {tuple(line.split("\t")[:3]) for line in query.splitlines()
                     if line.split("\t")[3:] == ["ok", "installed"]}
        check(deb == installed and len(deb) > 100,
              f"deb packages equal dpkg-query's installed set ({len(deb)} vs {len(installed)}; "
              f"only cascade: {sorted(deb - installed)[:3]}, only dpkg: "
              f"{sorted(installed - deb)[:3]})")
        for name in ("bash", "coreutils"):
            own = subprocess.run(["dpkg-query", "-W", "-f", "${Version} ${Architecture}", name],
                                 capture_output=True, text=True, check=True).stdout.split()
            purl = f"pkg:deb/{vendor}/{name}@{own[0]}?arch={own[1]}".replace("+", "%2B")
            check(any(p["purl"] == purl for p in packages), f"{purl} is listed")
        check(all(p["purl"].startswith(f"pkg:deb/{vendor}/") for p in packages
                  if p["ecosystem"] == "deb"), f"the vendor is the tree's os-release ID ({vendor})")

        pypi = {(pypi_key(p["name"]), p["version"]) for p in packages if p["ecosystem"] == "pypi"}
        listed = json.loads(subprocess.run(
            ["/usr/bin/python3", "-m", "pip", "list", "--format", "json", "--path", python_dir],
            capture_output=True, text=True, check=True).stdout)
        pip = {(pypi_key(d["name"]), d["version"]) for d in listed}
        check(pypi == pip and len(pypi) > 5,
              f"pypi packages equal pip list's ({len(pypi)} vs {len(pip)}; only cascade: "
              f"{sorted(pypi - pip)[:3]}, only pip: {sorted(pip - pypi)[:3]})")
        reader = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import importlib.metadata as m, json, sys\n"
             "print(json.dumps([[d.metadata['Name'], d.version] "
             "for d in m.distributions(path=[sys.argv[1]])]))", python_dir],
            capture_output=True, text=True, check=True).stdout
        stated = {(name, version) for name, version in json.loads(reader)}
        check({(p["name"], p["version"]) for p in packages if p["ecosystem"] == "pypi"} == stated,
              "pypi names and versions are METADATA's own, as importlib.metadata reads them")
        check(all(p["purl"] == f"pkg:pypi/{pypi_key(p['name'])}@{p['version']}"
                  for p in packages if p["ecosystem"] == "pypi"),
              "pypi purls carry the normalised name")

        text = scan(cascade, tree).stdout
        counts = {e: sum(p["ecosystem"] == e for p in packages) for e in ("deb", "npm", "pypi")}
        line = (f"  {len(packages)} packages recognised (deb {counts['deb']}, npm "
                f"{counts['npm']}, pypi {counts['pypi']})")
        check(line in text.splitlines(), f"the text summary says {line.strip()!r}")

        # The same records inside a rootfs tarball whose os-release names another vendor.
        image = os.path.join(tmp, "image.tar")
        with tarfile.open(image, "w") as tar:
            tar.add(status_path, arcname="./var/lib/dpkg/status")
            other = os.path.join(tmp, "os-release")
            with open(other, "w") as f:
                f.write('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n')
            tar.add(other, arcname="./usr/lib/os-release")
        nested = scan_json(cascade, image)["packages"]
        source = image + "!./var/lib/dpkg/status"
        check(len(nested) == len(deb) and all(p["source"] == source for p in nested),
              f"packages inside a tarball are found, with {source} as source")
        check(all(p["purl"].startswith("pkg:deb/ubuntu/") for p in nested),
              "the tarball's own os-release (usr/lib) names the vendor")
        check(scan_json(cascade, os.path.join(tmp, "os-release"))["packages"] == [],
              "an os-release alone lists nothing")


def npm(cascade):
    with tempfile.TemporaryDirectory() as project:
        with open(os.path.join(project, "package.json"), "w") as f:
            json.dump({"name": "cascade-scan-test", "version": "1.0.0", "private": True}, f)
        install = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "ms@2.0.0", "debug@2.6.9"],
            cwd=project, capture_output=True, text=True, check=False)
        if install.returncode != 0:
            print("SKIP npm install failed (registry unreachable?):\n" + install.stderr[-2000:])
            return 77
        tree = json.loads(subprocess.run(["npm", "ls", "--all", "--json"], cwd=project,
                                         capture_output=True, text=True, check=True).stdout)
        expected = set()

        def walk(dependencies):
            for name, entry in (dependencies or {}).items():
                expected.add(f"pkg:npm/{name}@{entry['version']}")
                walk(entry.get("dependencies"))
        walk(tree.get("dependencies"))
        packages = check_report_shape(cascade, project)
        check(expected == {"pkg:npm/debug@2.6.9", "pkg:npm/ms@2.0.0"},
              f"npm ls lists debug and ms ({sorted(expected)})")
        sources = {}
        for p in packages:
            sources.setdefault(os.path.relpath(p["source"], project), set()).add(p["purl"])
        for manifest in ("package-lock.json", "node_modules/.package-lock.json"):
            check(sources.get(manifest) == expected,
                  f"{manifest} gives what npm ls lists ({sorted(sources.get(manifest, []))})")
        for name in ("debug", "ms"):
            manifest = f"node_modules/{name}/package.json"
            check(len(sources.get(manifest, ())) == 1 and sources[manifest] <= expected,
                  f"{manifest} gives its package")
        check(set(sources) == {"package-lock.json", "node_modules/.package-lock.json",
                               "node_modules/debug/package.json", "node_modules/ms/package.json"},
              f"no other file states a package ({sorted(sources)})")
        # The older lockfile versions npm still writes: 1 (nested dependencies) and 2.
        for version in (1, 2):
            relock = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", f"--lockfile-version={version}"],
                cwd=project, capture_output=True, text=True, check=False)
            with open(os.path.join(project, "package-lock.json")) as f:
                written = json.load(f).get("lockfileVersion")
            check(relock.returncode == 0 and written == version,
                  f"npm wrote lockfileVersion {version} (got {written})")
            lock = os.path.join(project, "package-lock.json")
            found = {p["purl"] for p in scan_json(cascade, lock)["packages"]}
            check(found == expected, f"lockfileVersion {version} gives what npm ls lists "
                                     f"({sorted(found)})")
    return 0


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("local", "npm"):
        print(__doc__, file=sys.stderr)
        return 2
    cascade, mode = sys.argv[1:3]
    if mode == "npm":
        status = npm(cascade)
        if status == 77:
            return 77
    else:
        local(cascade)
    print(f"{len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
