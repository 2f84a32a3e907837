#!/usr/bin/python3
"""No option that names an input file can be made to wait forever.

Usage: check_fifo.py CASCADE

Every option and argument that names a file cascade reads is given a FIFO (named pipe) with no
writer, the rest of the command line being valid (keys, a policy, a bundle and a release made
here with cascade itself). Opening a FIFO for reading blocks until a writer comes, so a reader
that opens before it checks hangs. Each command must end at once (a timeout fails the test)
with exit 2 and an error that names the FIFO's path and says what it is. A scan of a tree that
holds a FIFO reads the rest of the tree and reports the FIFO as not read.
"""
import json
import os
import subprocess
import sys
import tempfile

CASCADE = os.path.abspath(sys.argv[1])
TIMEOUT = 30  # seconds; each command here takes a fraction of one when it does not hang
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(args, cwd=None):
    try:
        return subprocess.run([CASCADE, *args], capture_output=True, text=True, timeout=TIMEOUT,
                              cwd=cwd, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None


def expect_refused(name, args, fifo, rc=2):
    p = run(args)
    if p is None:
        check(False, f"{name}: hung on the FIFO {fifo} (killed after {TIMEOUT} s)")
        return
    check(p.returncode == rc, f"{name}: exit {p.returncode}, expected {rc}; stderr: {p.stderr!r}")
    # scan reports an unreadable root in its summary (stdout) like any other error.
    said = p.stderr + p.stdout
    check(fifo in said and "FIFO" in said,
          f"{name}: the error does not name the FIFO {fifo}: {p.stderr!r} {p.stdout[-400:]!r}")


with tempfile.TemporaryDirectory() as tmp:
    def path(*parts):
        return os.path.join(tmp, *parts)

    def fifo(name):
        p = path(name)
        os.mkfifo(p)
        return p

    def write(name, data):
        with open(path(name), "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return path(name)

    os.mkdir(path("release"))
    write("release/app.bin", b"MZ" + os.urandom(256))
    write("release/readme.txt", "hello\n")
    os.mkdir(path("release2"))
    write("release2/app.bin", b"MZ" + os.urandom(256))
    feed = write("feed.txt", "0" * 64 + "\n")
    rules = write("rules.yar", 'rule never { strings: $a = "never-present-marker-7f3a" '
                  'condition: $a }\n')
    p = run(["key", "generate", "-o", path("signer")])
    assert p is not None and p.returncode == 0, p and p.stderr
    key, pub = path("signer.key"), path("signer.pub")
    bundle = path("bundle.intoto.jsonl")
    p = run(["attest", "--builder-id", "https://ci.example.com/b", "--build-type",
             "https://example.com/t", "--products", path("release"), "--key", key, "-o", bundle])
    assert p is not None and p.returncode == 0, p and p.stderr
    policy = write("policy.json", json.dumps(
        {"schema": "cascade.policy/1", "keys": [{"id": "ci", "public_key": pub}]}))
    baseline = write("baseline.json", json.dumps({"schema": "cascade.baseline/1"}))

    # Each case gets a FIFO of its own, so one that is opened by mistake cannot affect another.
    cases = {
        "inspect FILE": lambda f: ["inspect", f],
        "inspect --json FILE": lambda f: ["inspect", "--json", f],
        "inspect --trust": lambda f: ["inspect", "--trust", f, path("release/app.bin")],
        "scan --trust": lambda f: ["scan", "--trust", f, path("release")],
        "scan --ioc": lambda f: ["scan", "--ioc", f, path("release")],
        "scan --rules": lambda f: ["scan", "--rules", f, path("release")],
        "scan ROOT": lambda f: ["scan", f],
        "diff OLD": lambda f: ["diff", f, path("release2")],
        "diff NEW": lambda f: ["diff", path("release"), f],
        "diff --baseline": lambda f: ["diff", "--baseline", f, path("release"), path("release2")],
        "diff --capabilities": lambda f: ["diff", "--capabilities", f, path("release"),
                                          path("release2")],
        "verify --attestations": lambda f: ["verify", "--attestations", f, "--policy", policy,
                                            path("release")],
        "verify RELEASE": lambda f: ["verify", "--attestations", bundle, "--policy", policy, f],
        "attest --materials": lambda f: ["attest", "--builder-id", "https://ci.example.com/b",
                                         "--build-type", "https://example.com/t", "--materials",
                                         f, "--products", path("release"), "--key", key, "-o",
                                         path("out3.jsonl")],
        "verify --policy": lambda f: ["verify", "--attestations", bundle, "--policy", f,
                                      path("release")],
        "key id": lambda f: ["key", "id", f],
        "attest --key": lambda f: ["attest", "--builder-id", "https://ci.example.com/b",
                                   "--build-type", "https://example.com/t", "--products",
                                   path("release"), "--key", f, "-o", path("out.jsonl")],
        "attest --products": lambda f: ["attest", "--builder-id", "https://ci.example.com/b",
                                        "--build-type", "https://example.com/t", "--products", f,
                                        "--key", key, "-o", path("out2.jsonl")],
        "rebuild-compare A": lambda f: ["rebuild-compare", f, path("release/app.bin")],
        "rebuild-compare B": lambda f: ["rebuild-compare", path("release/app.bin"), f],
        "graph ingest": lambda f: ["graph", "ingest", "--db", path("inventory.db"), f],
        "graph ingest --db": lambda f: ["graph", "ingest", "--db", f, baseline],
        "trace --db": lambda f: ["trace", "--db", f, "--compromised", "sha256:" + "0" * 64],
        "trust update AUTHROOT": lambda f: ["trust", "update", "--trust-store", path("store"), f,
                                            pub],
        "trust update ROOTS": lambda f: ["trust", "update", "--trust-store", path("store2"),
                                         path("release/readme.txt"), f],
    }
    for i, (name, make_args) in enumerate(cases.items()):
        f = fifo(f"fifo{i}")
        expect_refused(name, make_args(f), f)

    # A policy's public_key names a FIFO.
    f = fifo("key.pub")
    key_policy = write("key-policy.json", json.dumps(
        {"schema": "cascade.policy/1", "keys": [{"id": "ci", "public_key": f}]}))
    expect_refused("policy public_key", ["verify", "--attestations", bundle, "--policy",
                                         key_policy, path("release")], f)

    # A trust store folder whose authroot.stl is a FIFO.
    os.mkdir(path("fifo-store"))
    f = fifo("fifo-store/authroot.stl")
    expect_refused("--trust-store", ["inspect", "--trust-store", path("fifo-store"),
                                     path("release/app.bin")], f)

    # A catalog named on the command line that is a FIFO.
    f = fifo("signed.cat")
    expect_refused("inspect --catalog", ["inspect", "--catalog", f, path("release/app.bin")], f)

    # A tree holding a FIFO: everything else is scanned, the FIFO is reported as not read.
    os.mkdir(path("tree"))
    write("tree/a.txt", "a\n")
    fifo("tree/pipe")
    write("tree/z.txt", "z\n")
    p = run(["scan", "--jsonl", path("tree")])
    check(p is not None, "scan of a tree with a FIFO hung")
    if p is not None:
        check(p.returncode == 0, f"scan of a tree with a FIFO: exit {p.returncode}: {p.stderr!r}")
        records = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        files = {r.get("path"): r for r in records if r.get("record") == "file"}
        check(path("tree/a.txt") in files and path("tree/z.txt") in files,
              f"scan of a tree with a FIFO: the regular files were not all read: {sorted(files)}")
        pipe = files.get(path("tree/pipe"))
        check(pipe is not None and any(x["id"] == "file.special" for x in pipe["findings"]),
              f"scan of a tree with a FIFO: the FIFO is not reported: {pipe!r}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok: no input option waits on a FIFO")
