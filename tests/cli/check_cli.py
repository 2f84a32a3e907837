#!/usr/bin/env python3
"""The CLI's manners (issue 23): colour and NO_COLOR on a terminal, standard input as a file,
missing paths, the examples every --help shows (each run as written, in a scratch folder), the
generated man pages (rendered by groff without a warning) and the completions (bash loads and
completes; zsh and fish syntax-checked when installed).

usage: check_cli.py CASCADE FIXTURES MAN_DIR COMPLETIONS_DIR
"""
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile

CASCADE, FIXTURES, MAN_DIR, COMPLETIONS_DIR = sys.argv[1:5]
FAILURES = []
ESC = b"\x1b["


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def run(*args, stdin=None, env=None, cwd=None):
    return subprocess.run([CASCADE, *args], input=stdin, capture_output=True, env=env, cwd=cwd,
                          check=False, timeout=300)


def run_on_terminal(args, env):
    """Runs cascade with standard input and output on a pseudo-terminal: (exit code, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(CASCADE, [CASCADE, *args], env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


def fixture(name):
    return os.path.join(FIXTURES, name)


def check_colour():
    signed = fixture("padded.exe")  # has findings, so severities are coloured
    plain = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    _, out = run_on_terminal(["inspect", "--fail-on", "none", signed], plain)
    check(ESC in out, "a terminal gets colour by default")
    _, out = run_on_terminal(["inspect", "--fail-on", "none", signed], {**plain, "NO_COLOR": "1"})
    check(ESC not in out, "NO_COLOR=1 turns colour off on a terminal")
    _, out = run_on_terminal(["inspect", "--fail-on", "none", signed], {**plain, "NO_COLOR": ""})
    check(ESC in out, "an empty NO_COLOR is ignored, as no-color.org says")
    _, out = run_on_terminal(["inspect", "--fail-on", "none", "--color", "always", signed],
                             {**plain, "NO_COLOR": "1"})
    check(ESC in out, "--color always wins over NO_COLOR")
    p = run("inspect", "--fail-on", "none", "--color", "ALWAYS", signed)
    check(p.returncode == 0 and ESC.decode() in p.stdout.decode(), "--color is case-insensitive")


def check_stdin():
    path = fixture("signed-sha256.exe")
    with open(path, "rb") as f:
        data = f.read()
    by_name = json.loads(run("inspect", "--json", "--fail-on", "none", path).stdout)["files"][0]
    p = run("inspect", "--json", "--fail-on", "none", "-", stdin=data)
    got = json.loads(p.stdout)["files"][0] if p.returncode == 0 else {}
    check(got.get("path") == "<stdin>", f"inspect - names the file <stdin> (got {got.get('path')})")
    check(got.get("sha256") == by_name["sha256"] and
          len(got.get("signatures", [])) == len(by_name["signatures"]),
          "inspect - reports what inspecting the file reports")
    p = run("scan", "--json", "--fail-on", "none", "-", stdin=data)
    doc = json.loads(p.stdout) if p.returncode == 0 else {}
    paths = [f.get("path") for f in doc.get("files", [])]
    check(paths == ["<stdin>"], f"scan - scans standard input as <stdin> (got {paths})")
    p = run("inspect", "-", "-", stdin=data)
    check(p.returncode == 2 and b"once" in p.stderr, "standard input named twice is exit 2")
    code, out = run_on_terminal(["inspect", "-"], dict(os.environ))
    check(code == 2 and b"terminal" in out, "a terminal on standard input is refused, not read")


def check_missing_paths():
    for args in (["inspect"], ["inspect", "--json"], ["scan"], ["scan", "--json"]):
        p = run(*args, "/nonexistent/cascade-input")
        check(p.returncode == 2 and p.stdout == b"" and
              p.stderr.decode().strip() == "cascade: /nonexistent/cascade-input: No such file or directory",
              f"{' '.join(args)} of a missing path: exit 2, a message, no report")
    p = run("scan", "--json", "--fail-on", "none", "/nonexistent/cascade-input", fixture("hello.exe"))
    doc = json.loads(p.stdout)
    check(p.returncode == 2 and [f["path"] for f in doc["files"]] == [fixture("hello.exe")],
          "scan: the paths that exist are scanned, the run still exits 2")
    check("/nonexistent/cascade-input" not in p.stdout.decode(),
          "scan: a missing path is not recorded, as a root or a file")
    for args in (["diff", "/nonexistent/old", fixture("hello.exe")],
                 ["rebuild-compare", fixture("hello.exe"), "/nonexistent/b"]):
        p = run(*args)
        check(p.returncode == 2 and b"No such file or directory" in p.stderr,
              f"{args[0]} of a missing path: exit 2 and a message")
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "missing.db")
        for args in (["graph", "stats", "--db", db], ["trace", "--db", db, "--compromised", "host:x"]):
            p = run(*args)
            check(p.returncode == 2 and b"No such file or directory" in p.stderr and
                  not os.path.exists(db), f"{' '.join(args[:2])} of a missing store: exit 2, not created")
        p = run("graph", "ingest", "--db", db, "/nonexistent/doc.json")
        check(os.path.exists(db), "graph ingest still creates its store")


def help_of(words):
    return run(*words, "--help").stdout.decode()


def examples_and_codes(text):
    examples = re.findall(r"^  # .*\n  (cascade .*)$", text, re.M)
    codes = re.findall(r"^Exit codes:\n((?:  \d  .*\n?)+)", text, re.M)
    return examples, codes


def check_help():
    for words in (["inspect"], ["scan"], ["diff"], ["key"], ["attest"], ["verify"],
                  ["rebuild-compare"], ["graph"], ["graph", "ingest"], ["trace"], ["hunt"], ["serve"],
                  ["trust"], ["version"]):
        examples, codes = examples_and_codes(help_of(words))
        check(len(examples) == 2 and len(codes) == 1,
              f"cascade {' '.join(words)} --help shows two examples and the exit codes")


def check_examples_run():
    """Each example runs as written in a folder holding the files it names."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "bin"))
        os.symlink(os.path.abspath(CASCADE), os.path.join(tmp, "bin", "cascade"))
        for d in ("release", "old-release", "new-release", "build-1", "build-2", "dist", "src"):
            os.makedirs(os.path.join(tmp, d))
        shutil.copy(fixture("signed-sha256.exe"), os.path.join(tmp, "setup.exe"))
        shutil.copy(fixture("pki/ca.pem"), os.path.join(tmp, "vendor-root.pem"))
        for d in ("release", "old-release", "new-release"):
            shutil.copy(fixture("hello.exe"), os.path.join(tmp, d, "app.exe"))
        shutil.copy(fixture("imports.exe"), os.path.join(tmp, "new-release", "extra.exe"))
        for d in ("build-1", "build-2"):
            shutil.copy(fixture("hello.exe"), os.path.join(tmp, d, "app.exe"))
            shutil.copy(fixture("elf/hello-x86_64") if os.path.exists(fixture("elf/hello-x86_64"))
                        else "/usr/bin/true", os.path.join(tmp, d, "libapp.so"))
        shutil.copy(fixture("hello.exe"), os.path.join(tmp, "src", "app.exe"))
        shutil.copy(fixture("hello.exe"), os.path.join(tmp, "dist", "app.exe"))
        # hunt's feeds: a hash list and a directory of OSV advisories (an invented package).
        with open(os.path.join(tmp, "3cx-2023.csv"), "w") as f:
            f.write("sha256,name\n" + "0" * 64 + ",example\n")
        advisory_dir = os.path.join(tmp, "malicious-packages", "osv", "malicious", "npm", "x-test")
        os.makedirs(advisory_dir)
        with open(os.path.join(advisory_dir, "MAL-0000-0001.json"), "w") as f:
            json.dump({"id": "MAL-0000-0001", "modified": "2024-01-01T00:00:00Z",
                       "affected": [{"package": {"ecosystem": "npm", "name": "x-test"},
                                     "versions": ["1.0.0"]}]}, f)
        with open(os.path.join(tmp, "release.yaml"), "w") as f:
            f.write("schema: cascade.policy/1\nkeys:\n  - id: release-ci\n"
                    "    public_key: release-ci.pub\nfiles:\n  - path: \"*\"\n")
        env = {**os.environ, "PATH": os.path.join(tmp, "bin") + ":" + os.environ["PATH"],
               "CASCADE_DB": os.path.join(tmp, "unused.db")}
        # In an order where each example finds what an earlier one wrote (keys, scan.json, ...).
        # serve's examples are left out: the second starts a server, which runs until stopped.
        order = [["version"], ["key"], ["inspect"], ["scan"], ["diff"], ["rebuild-compare"],
                 ["attest"], ["verify"], ["graph"], ["trace"], ["hunt"], ["trust"]]
        for words in order:
            examples, _ = examples_and_codes(help_of(words))
            for example in examples:
                p = subprocess.run(["bash", "-o", "pipefail", "-c", example], cwd=tmp, env=env,
                                   capture_output=True, check=False, timeout=300)
                check(p.returncode in (0, 1),
                      f"example runs: {example} (exit {p.returncode}, {p.stderr.decode().strip()[:200]})")


def check_man_pages():
    pages = sorted(f for f in os.listdir(MAN_DIR) if f.endswith(".1"))
    expected = {"cascade.1", "cascade-inspect.1", "cascade-scan.1", "cascade-diff.1", "cascade-key.1",
                "cascade-key-generate.1", "cascade-key-id.1", "cascade-attest.1", "cascade-verify.1",
                "cascade-rebuild-compare.1", "cascade-graph.1", "cascade-graph-ingest.1",
                "cascade-graph-stats.1", "cascade-graph-check.1", "cascade-trace.1", "cascade-hunt.1",
                "cascade-trust.1", "cascade-trust-list.1", "cascade-trust-update.1",
                "cascade-version.1", "cascade-serve.1", "cascade-serve-token.1",
                "cascade-serve-token-create.1", "cascade-serve-token-list.1",
                "cascade-serve-token-revoke.1"}
    check(set(pages) == expected, f"a man page for every command: {sorted(set(expected) ^ set(pages))}")
    for page in pages:
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", os.path.join(MAN_DIR, page)],
                           capture_output=True, check=False)
        check(p.returncode == 0 and not p.stderr, f"groff renders {page} without a warning: "
              + p.stderr.decode().strip()[:300])
    if shutil.which("man"):
        p = subprocess.run(["man", "--warnings", "-l", "-Tutf8", os.path.join(MAN_DIR, "cascade-scan.1")],
                           capture_output=True, check=False, env={**os.environ, "MANPAGER": "cat"})
        text = re.sub(r".\x08", "", p.stdout.decode(errors="replace"))
        check(p.returncode == 0 and not p.stderr and "--fail-on" in text and "EXIT STATUS" in text,
              "man -l shows cascade-scan's options and exit status")


def complete(line):
    words = line.split(" ")
    script = (f"source {os.path.join(COMPLETIONS_DIR, 'cascade.bash')}\n"
              f"COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}\n"
              "_cascade; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    p = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, check=False)
    return p.returncode, p.stdout.decode().split(), p.stderr.decode()


def check_completions():
    code, words, err = complete("cascade sc")
    check(code == 0 and words == ["scan"] and not err, f"bash completes 'cascade sc' to scan ({words} {err})")
    code, words, err = complete("cascade scan --fail")
    check(words == ["--fail-on"], f"bash completes scan's options ({words})")
    code, words, err = complete("cascade graph s")
    check(words == ["stats"], f"bash completes graph's commands ({words})")
    check("__generate-docs" not in open(os.path.join(COMPLETIONS_DIR, "cascade.bash")).read(),
          "the build's own command is not offered")
    for shell, name in (("zsh", "_cascade"), ("fish", "cascade.fish")):
        if shutil.which(shell):
            p = subprocess.run([shell, "-n", os.path.join(COMPLETIONS_DIR, name)],
                               capture_output=True, check=False)
            check(p.returncode == 0, f"{shell} -n accepts {name}")
        else:
            print(f"skip {shell} -n: {shell} is not installed")


check_colour()
check_stdin()
check_missing_paths()
check_help()
check_examples_run()
check_man_pages()
check_completions()
print(f"{len(FAILURES)} failed")
sys.exit(1 if FAILURES else 0)
