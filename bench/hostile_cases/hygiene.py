"""Never hang on a FIFO, never let input bytes reach the terminal raw, never merge two names."""
import os
import re
import shutil
import subprocess

from hostile_cases.containers import central_entry, end_record, local_header

FIFO_TIME_LIMIT = 10.0
# Bytes that must never reach a terminal from input: C0 controls but tab and newline, DEL, and
# the C1 controls as UTF-8 (U+0080..U+009F), which some terminals obey like ESC sequences.
RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\r"
FORGED = "critical  ioc.hash: forged line"


def fifos(trial):
    """Every option that names a file, given a FIFO nobody writes: refused with exit 2."""
    work = trial.folder("fifo")
    fifo = os.path.join(work, "pipe")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    release = trial.fixture("provenance", "release")
    notes = os.path.join(release, "notes.txt")
    exe = trial.fixture("hello.exe")
    key = os.path.join(work, "k")
    if not os.path.exists(key + ".key"):
        trial.cascade_run("key", "generate", "-o", key)
    policy = os.path.join(work, "policy.json")
    with open(policy, "w") as f:
        f.write('{"schema": "cascade.policy/1", "builders": ["https://ci.example.com/*"], '
                f'"keys": [{{"id": "ci", "public_key": "{fifo}"}}]}}')
    plain_policy = os.path.join(work, "plain-policy.json")
    with open(plain_policy, "w") as f:
        f.write('{"schema": "cascade.policy/1", "builders": ["https://ci.example.com/*"], '
                f'"keys": [{{"id": "ci", "public_key": "{key}.pub"}}]}}')
    bundle = os.path.join(work, "b.intoto.jsonl")
    if not os.path.exists(bundle):
        trial.cascade_run("attest", "--builder-id", "https://ci.example.com/x", "--build-type",
                          "https://example.com/t", "--products", notes, "--key", key + ".key",
                          "-o", bundle)
    attest = ["attest", "--builder-id", "https://ci.example.com/x", "--build-type",
              "https://example.com/t", "-o", os.path.join(work, "out.jsonl")]
    cases = {
        "inspect FILE": ["inspect", fifo],
        "inspect --trust": ["inspect", "--trust", fifo, exe],
        "inspect --catalog": ["inspect", "--catalog", fifo, exe],
        "scan --ioc": ["scan", "--ioc", fifo, exe],
        "scan --rules": ["scan", "--rules", fifo, exe],
        "scan --trust": ["scan", "--trust", fifo, exe],
        "verify --attestations": ["verify", notes, "--attestations", fifo, "--policy",
                                  plain_policy],
        "verify --policy": ["verify", notes, "--attestations", bundle, "--policy", fifo],
        "policy public_key": ["verify", notes, "--attestations", bundle, "--policy", policy],
        "verify RELEASE": ["verify", fifo, "--attestations", bundle, "--policy", plain_policy],
        "graph ingest": ["graph", "ingest", "--db", os.path.join(work, "g.db"), fifo],
        "trace --db": ["trace", "--db", fifo, "--compromised", "host:x"],
        "rebuild-compare A": ["rebuild-compare", fifo, exe],
        "rebuild-compare B": ["rebuild-compare", exe, fifo],
        "key id": ["key", "id", fifo],
        "attest --key": [*attest, "--products", notes, "--key", fifo],
        "attest --products": [*attest, "--products", fifo, "--key", key + ".key"],
        "attest --materials": [*attest, "--materials", fifo, "--products", notes, "--key",
                               key + ".key"],
        "diff OLD": ["diff", fifo, exe],
        "diff --baseline": ["diff", exe, exe, "--baseline", fifo],
        "diff --capabilities": ["diff", exe, exe, "--capabilities", fifo],
    }
    results = []
    for name, args in cases.items():
        outcome = trial.cascade_run(*args, time_limit=FIFO_TIME_LIMIT)
        results.append((name, outcome, outcome.rc != 2))
    # A tree holding a FIFO: reported as skipped, never read (any exit but a hang is fine).
    tree = trial.folder("fifo", "tree")
    shutil.copyfile(exe, os.path.join(tree, "hello.exe"))
    if not os.path.exists(os.path.join(tree, "pipe")):
        os.mkfifo(os.path.join(tree, "pipe"))
    outcome = trial.cascade_run("scan", tree, time_limit=FIFO_TIME_LIMIT)
    results.append(("scan TREE with a FIFO", outcome, False))
    return results


def leaks(stdout):
    """True if raw control bytes or the forged line reached the text output."""
    if RAW_CONTROL.search(stdout):
        return True
    return any(line.strip().startswith(FORGED.encode()) for line in stdout.splitlines())


def patch_utf16(data, old, new):
    """Replaces the UTF-16LE string `old` by `new` (padded with spaces to the same length)."""
    old_bytes = old.encode("utf-16-le")
    new_bytes = new.ljust(len(old))[:len(old)].encode("utf-16-le")
    at = data.find(old_bytes)
    return None if at < 0 else data[:at] + new_bytes + data[at + len(old_bytes):]


def terminal(trial):
    """Names and strings taken from files, carrying escape sequences and line breaks, in text
    output: the PE version string, a Mach-O install name, an ELF soname, a file name on disk and
    a zip entry name that forges a whole `critical` line."""
    work = trial.folder("terminal")
    results = []

    def text_case(name, *args):
        outcome = trial.cascade_run(*args)
        results.append((name, outcome, leaks(outcome.stdout)))

    with open(trial.fixture("hello.exe"), "rb") as f:
        pe = patch_utf16(f.read(), "Cascade Fixtures", ESCAPES + "x")
    if pe:
        path = os.path.join(work, "version-string.exe")
        with open(path, "wb") as f:
            f.write(pe)
        text_case("pe version string", "inspect", path)
    dylib = trial.fixture("macho", "libfix-x86_64.dylib")
    if os.path.isfile(dylib):
        with open(dylib, "rb") as f:
            data = bytearray(f.read())
        at = data.find(b"libfix")
        if at >= 0:
            data[at:at + 10] = (ESCAPES.encode() + b"xxxxxxxx")[:10]
            path = os.path.join(work, "install-name.dylib")
            with open(path, "wb") as f:
                f.write(data)
            text_case("mach-o install name", "inspect", path)
    source = os.path.join(work, "so.c")
    with open(source, "w") as f:
        f.write("int exported(void) { return 1; }\n")
    library = os.path.join(work, "soname.so")
    soname = "lib" + ESCAPES + "x.so"
    built = subprocess.run(["cc", "-shared", "-fPIC", "-o", library, source,
                            "-Wl,-soname," + soname], capture_output=True)
    if built.returncode == 0:
        text_case("elf soname", "inspect", library)
    # The marker under a hostile name, on disk and inside a zip, so that scan prints the name.
    tree = trial.folder("terminal", "tree")
    hostile = "x" + ESCAPES + "\n" + FORGED + "\ny.dll"
    with open(os.path.join(tree, hostile), "wb") as f:
        f.write(trial.marker)
    text_case("file name on disk", "scan", "--ioc", trial.feed, tree)
    name = hostile.encode()
    archive = os.path.join(work, "entry-name.zip")
    body = local_header(name, trial.marker)
    directory = central_entry(name, trial.marker, 0)
    with open(archive, "wb") as f:
        f.write(body + directory + end_record(1, len(directory), len(body)))
    text_case("zip entry name", "scan", "--ioc", trial.feed, archive)
    return results


def distinct_paths(doc):
    """How many different file identities a scan JSON reports: every field whose name starts
    with `path` counts, so a lossless companion field separates names that display alike."""
    seen = set()
    for f in (doc or {}).get("files", []):
        seen.add(tuple(sorted((k, str(v)) for k, v in f.items() if k.startswith("path"))))
    return len(seen)


def paths(trial):
    """Two names that differ only in bytes that are not UTF-8 must stay two names in JSON."""
    results = []
    tree = trial.folder("paths", "tree").encode()
    for i, name in enumerate((b"a\xff.bin", b"a\xfe.bin")):
        with open(os.path.join(tree, name), "wb") as f:
            f.write(bytes([i]) + trial.marker)
    outcome = trial.cascade_run("scan", "--json", "--fail-on", "none", tree.decode("utf-8",
                                                                                   "surrogateescape"))
    results.append(("file names on disk", outcome, distinct_paths(outcome.json()) < 2))
    body, directory = b"", b""
    for i, name in enumerate((b"a\xff.bin", b"a\xfe.bin")):
        data = bytes([i]) + trial.marker
        directory += central_entry(name, data, len(body))
        body += local_header(name, data)
    archive = os.path.join(trial.folder("paths"), "names.zip")
    with open(archive, "wb") as f:
        f.write(body + directory + end_record(2, len(directory), len(body)))
    outcome = trial.cascade_run("scan", "--json", "--fail-on", "none", archive)
    doc = outcome.json() or {}
    nested = {"files": [f for f in doc.get("files", []) if "!" in f.get("path", "")]}
    results.append(("zip entry names", outcome, distinct_paths(nested) < 2))
    return results
