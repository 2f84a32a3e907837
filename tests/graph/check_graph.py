#!/usr/bin/python3
"""check_graph.py CASCADE OUTDIR SCRATCH [--db-uri URI | --db-uri-file PATH]

End-to-end checks of `cascade graph ingest`, `graph stats` and `cascade trace` on the scenario
make-scenario.py wrote to OUTDIR (its expected.json holds the answers derived by hand from the
propagation rules, and a ledger of every fact every document states):

  * ingest: per-file lines with the format and the node and edge counts, the malformed events
    line reported as PATH:LINE with exit 1 and the rest of that file stored; ingesting every
    document again (and a copy under another name) changes nothing (`graph stats --json`);
  * trace --compromised (the installer): the exact affected set with earliest times and hops,
    the summary, and every explaining path a chain of real facts from the seed to the node whose
    rules give the node's time; nothing from the must-not list;
  * trace --root-cause host:cust-a-01: the exact candidate set, times, hops and ranking (the
    installer first: the only known-bad signal);
  * the JSON validates against docs/schema/cascade.trace-1.schema.json when that file exists;
    --dot parses (Graphviz's dot reads it) with one node per path node; --html is one
    self-contained file with an <svg>; the text output groups by kind with counts;
  * unknown or malformed NODEs are errors (exit 2);
  * per-format variants: the same facts through other formats give the same answers;
  * time rules: access that ended, a build that finished, a deployment made before the
    compromise do not propagate; the same edge at or after it does;
  * with a PostgreSQL URI: the scenario and the time rules again on PostgreSQL, the JSON answers
    identical to SQLite's (hop sources aside). Without a usable URI file: exit 77 (skipped).
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("cascade")
parser.add_argument("outdir")
parser.add_argument("scratch")
parser.add_argument("--db-uri")
parser.add_argument("--db-uri-file")
opts = parser.parse_args()
CASCADE = os.path.abspath(opts.cascade)
OUT = os.path.abspath(opts.outdir)
SCRATCH = os.path.abspath(opts.scratch)
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_PATH = os.path.join(SOURCE, "docs", "schema", "cascade.trace-1.schema.json")
SKIP = 77
INF = math.inf

with open(os.path.join(OUT, "expected.json")) as f:
    EXPECTED = json.load(f)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)
    return condition


def note(message):
    print("..", message, flush=True)


def parse_time(text):
    """RFC 3339 -> Unix seconds; None stays None."""
    if text is None:
        return None
    value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {text}")
    return int(value.timestamp())


def show(seconds):
    if seconds is None or seconds in (INF, -INF):
        return str(seconds)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


# --- stores ---------------------------------------------------------------------------------
class Store:
    """One inventory: a SQLite file in SCRATCH or a fresh PostgreSQL database."""

    def __init__(self, label, spec, drop=None):
        self.label, self.spec, self.drop = label, spec, drop

    def run(self, *args, timeout=300):
        return subprocess.run([CASCADE, *args], capture_output=True, text=True, timeout=timeout)

    def cmd(self, *args):
        # `--db` belongs to each subcommand (cascade graph ingest --db X, cascade trace --db X)
        return self.run(*args, "--db", self.spec)


class PgServer:
    def __init__(self, uri):
        self.uri = uri
        self.created = []

    def psql(self, sql):
        return subprocess.run(["psql", self.uri, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                              capture_output=True, text=True, timeout=60)

    def fresh(self, label):
        name = f"cascade_graph_{re.sub('[^a-z0-9]', '_', label.lower())}_{os.getpid()}"
        self.psql(f"DROP DATABASE IF EXISTS {name}")
        p = self.psql(f"CREATE DATABASE {name}")
        if p.returncode != 0:
            return None, p.stderr.strip()
        self.created.append(name)
        parts = urllib.parse.urlsplit(self.uri)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name)), ""

    def cleanup(self):
        for name in self.created:
            self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sqlite_store(label):
    path = os.path.join(SCRATCH, "db", label + ".db")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return Store("sqlite:" + label, path)


# --- ingest ---------------------------------------------------------------------------------
# The contract's line; further counts appended after a comma (", K signals") are tolerated.
INGESTED = re.compile(r"^ingested (?P<path>.+) \((?P<format>[^()]+)\): (?P<nodes>\d+) nodes?, "
                      r"(?P<edges>\d+) edges?(?P<more>, .*)?$")
SKIPPED = re.compile(r"^skipped (?P<path>.+): already ingested$")


def ingest(store, paths, expect_rc, what, doc_info=None):
    p = store.cmd("graph", "ingest", *paths)
    check(p.returncode == expect_rc, f"[{store.label}] ingest {what}: exit {p.returncode}, "
          f"expected {expect_rc}; stdout {p.stdout[-800:]!r} stderr {p.stderr[-800:]!r}")
    lines = [line for line in p.stdout.splitlines() if line.strip()]
    seen = {}
    for line in lines:
        m = INGESTED.match(line) or SKIPPED.match(line)
        if m:
            seen[m.group("path")] = m
    for path in paths:
        m = seen.get(path)
        if not check(m is not None, f"[{store.label}] ingest {what}: no 'ingested {path} (FORMAT):"
                     f" N nodes, M edges' or 'skipped {path}: already ingested' line in "
                     f"{p.stdout[-1500:]!r}"):
            continue
        if doc_info is not None and m.re is INGESTED and path in doc_info:
            info = doc_info[path]
            check(m.group("format") == info["format"], f"[{store.label}] {path}: format "
                  f"{m.group('format')!r}, expected {info['format']!r}")
            check(int(m.group("edges")) == info["edges"] and
                  int(m.group("nodes")) == info["nodes"],
                  f"[{store.label}] {path}: {m.group('nodes')} nodes, {m.group('edges')} edges; "
                  f"the document states {info['nodes']} nodes, {info['edges']} edges")
    return p, seen


def stats(store):
    p = store.cmd("graph", "stats", "--json")
    check(p.returncode == 0, f"[{store.label}] graph stats --json: exit {p.returncode} "
          f"{p.stderr[-400:]!r}")
    try:
        return json.loads(p.stdout)
    except ValueError:
        check(False, f"[{store.label}] graph stats --json is not JSON: {p.stdout[:400]!r}")
        return None


def find_count(doc, key):
    """A count named `key` anywhere in the stats document (its exact shape is the CLI's)."""
    if isinstance(doc, dict):
        if isinstance(doc.get(key), int):
            return doc[key]
        for value in doc.values():
            found = find_count(value, key)
            if found is not None:
                return found
    return None


# --- trace ----------------------------------------------------------------------------------
def trace(store, args, what, expect_rc=0):
    p = store.cmd("trace", *args)
    check(p.returncode == expect_rc, f"[{store.label}] trace {' '.join(args)} ({what}): exit "
          f"{p.returncode}, expected {expect_rc}; stderr {p.stderr[-600:]!r}")
    if expect_rc != 0 or "--json" not in args:
        return p
    try:
        return json.loads(p.stdout)
    except ValueError:
        check(False, f"[{store.label}] trace {what}: not JSON: {p.stdout[:300]!r}")
        return None


def load_validator():
    """The trace schema, with the definitions it takes from the other published schemas merged
    in (jsonschema 4.10 cannot join fragments onto urn: ids; tests/schema/validate_scan.py)."""
    if not os.path.exists(SCHEMA_PATH):
        return None
    import jsonschema
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    text = json.dumps(schema)
    directory = os.path.dirname(SCHEMA_PATH)
    for other in sorted(os.listdir(directory)):
        path = os.path.join(directory, other)
        if path == SCHEMA_PATH or not other.endswith(".schema.json"):
            continue
        with open(path) as f:
            other_schema = json.load(f)
        prefix = other_schema.get("$id", "\0") + "#/$defs/"
        if prefix in text:
            text = text.replace(prefix, "#/$defs/")
            merged = json.loads(text)
            merged.setdefault("$defs", {}).update(other_schema.get("$defs", {}))
            text = json.dumps(merged)
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


SCHEMA = load_validator()


def validate_schema(doc, what):
    if SCHEMA is None or doc is None:
        return
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in SCHEMA.iter_errors(doc)]
    check(not errors, f"{what}: does not validate against {SCHEMA_PATH}: {errors[:5]}")


# The direction compromise travels along each edge kind vs. the direction it is stored in.
REVERSED = {"built-on", "consumed", "contains"}
NODE_KINDS = {"sha256": "artifact", "host": "host", "build": "build", "release": "release",
              "org": "org"}


def kind_of(node):
    return NODE_KINDS[node.split(":", 1)[0]]


def step(edge, a, t, u):
    """One hop under the rules of docs/graph.md: (propagates?, arrival time). a may be -inf."""
    t_ = -INF if t is None else t
    if edge == "ran-on":
        return True, max(a, t_)
    if edge == "access":
        return a <= (INF if u is None else u), max(a, t_)
    if edge == "built-on":
        # No times at all: nothing says the build ended before, so it may carry the compromise.
        return a <= (u if u is not None else (INF if t is None else t)), max(a, t_)
    if edge in ("consumed", "produced"):
        return True, max(a, t_)
    if edge == "contains":
        return True, a
    if edge == "deployed-on":
        return a <= (INF if t is None else t), max(a, t_)
    if edge == "owned-by":
        return True, a
    return False, a


class Ledger:
    """The facts of the documents ingested into one store, keyed as paths show them."""

    def __init__(self, facts, docs, base):
        self.by_key = {}
        self.docs = {}  # absolute path -> (sha256, format)
        for rel, info in docs.items():
            self.docs[os.path.join(base, rel)] = (info["sha256"], info["format"])
        for f in facts:
            path = os.path.join(base, f["doc"])
            if path not in self.docs:
                continue
            key = (f["kind"], f["src"], f["dst"], parse_time(f["time"]), parse_time(f["until"]))
            self.by_key.setdefault(key, []).append((path, f.get("note", "")))

    def check_hop(self, hop, what):
        edge = hop.get("edge")
        src, dst = (hop.get("to"), hop.get("from")) if edge in REVERSED else \
            (hop.get("from"), hop.get("to"))
        try:
            key = (edge, src, dst, parse_time(hop.get("time")), parse_time(hop.get("until")))
        except (ValueError, TypeError) as e:
            return check(False, f"{what}: bad time in hop {hop}: {e}")
        stated = self.by_key.get(key)
        if not check(stated, f"{what}: hop {hop.get('from')} -{edge}-> {hop.get('to')} "
                     f"(time {hop.get('time')}, until {hop.get('until')}) is no fact any "
                     f"ingested document states"):
            return False
        source = hop.get("source") or {}
        path = os.path.abspath(source.get("path", ""))
        check(path in [p for p, _ in stated], f"{what}: hop {hop.get('from')} -{edge}-> "
              f"{hop.get('to')} cites {source.get('path')!r}; stated by {[p for p, _ in stated]}")
        if path in self.docs:
            digest, fmt = self.docs[path]
            check(source.get("sha256") == digest, f"{what}: source sha256 "
                  f"{source.get('sha256')} of {path} is not the document's {digest}")
            check(source.get("format") == fmt, f"{what}: source format {source.get('format')!r} "
                  f"of {path}, expected {fmt!r}")
        notes = {n for p, n in stated if p == path}
        if notes:
            check((hop.get("note") or "") in notes, f"{what}: hop note {hop.get('note')!r}, "
                  f"the fact says {sorted(notes)}")
        return True


def check_entry_path(entry, seed, root_cause, since, ledger, what):
    """The path is a chain of real facts between the seed and the node that the rules let
    compromise travel along, arriving at the entry's time (forward) or leaving from it."""
    node, path = entry.get("node"), entry.get("path") or []
    what = f"{what} {node}"
    if not check(path, f"{what}: empty path"):
        return
    check(entry.get("hops") == len(path), f"{what}: hops {entry.get('hops')} but the path has "
          f"{len(path)}")
    start, end = (node, seed) if root_cause else (seed, node)
    check(path[0].get("from") == start, f"{what}: path starts at {path[0].get('from')}, "
          f"expected {start}")
    check(path[-1].get("to") == end, f"{what}: path ends at {path[-1].get('to')}, "
          f"expected {end}")
    for i in range(len(path) - 1):
        check(path[i].get("to") == path[i + 1].get("from"), f"{what}: hop {i} ends at "
              f"{path[i].get('to')}, hop {i + 1} starts at {path[i + 1].get('from')}")
    for hop in path:
        ledger.check_hop(hop, what)
    # Simulate the rules along this one path.
    if root_cause:
        a = INF if entry.get("time") is None else parse_time(entry["time"])
    else:
        a = -INF if since is None else since
    for i, hop in enumerate(path):
        ok, a = step(hop.get("edge"), a, parse_time(hop.get("time")),
                     parse_time(hop.get("until")))
        if not check(ok, f"{what}: hop {i} ({hop.get('from')} -{hop.get('edge')}-> "
                     f"{hop.get('to')}) does not propagate at {show(a)} under the rules"):
            return
    if not root_cause:
        got = parse_time(entry.get("time"))
        check((a if a != -INF else None) == got, f"{what}: the path arrives at {show(a)}, the "
              f"entry says {entry.get('time')}")


def affected_map(doc):
    return {e.get("node"): e for e in (doc or {}).get("affected", [])}


def check_forward(doc, expected_affected, seed, since, ledger, what, summary=None,
                  must_not=(), names=None):
    if doc is None:
        return
    check(doc.get("schema") == "cascade.trace/1", f"{what}: schema {doc.get('schema')!r}")
    check(doc.get("mode") == "forward", f"{what}: mode {doc.get('mode')!r}")
    check(doc.get("seed") == seed, f"{what}: seed {doc.get('seed')!r}, expected {seed}")
    check(parse_time(doc.get("since")) == since, f"{what}: since {doc.get('since')!r}, "
          f"expected {show(since)}")
    got = affected_map(doc)
    check(len(got) == len(doc.get("affected", [])), f"{what}: a node listed twice")
    check(seed not in got, f"{what}: the seed itself is listed as affected")
    missing = sorted(set(expected_affected) - set(got))
    extra = sorted(set(got) - set(expected_affected))
    check(not missing, f"{what}: not affected but should be: {missing}")
    check(not extra, f"{what}: affected but should not be: {extra}")
    for node in must_not:
        check(node not in got, f"{what}: {node} must not be affected")
    for node, want in expected_affected.items():
        entry = got.get(node)
        if entry is None:
            continue
        check(entry.get("kind") == kind_of(node), f"{what} {node}: kind {entry.get('kind')!r}")
        check(parse_time(entry.get("time")) == parse_time(want["time"]),
              f"{what} {node}: time {entry.get('time')}, expected {want['time']}")
        if want.get("hops") is not None:
            check(entry.get("hops") == want["hops"], f"{what} {node}: hops {entry.get('hops')},"
                  f" expected {want['hops']} (fewest among the earliest paths)")
        check_entry_path(entry, seed, False, since, ledger, what)
        check_names(entry, names, what)
    if summary is not None:
        check(doc.get("summary") == summary, f"{what}: summary {doc.get('summary')}, expected "
              f"{summary}")
    for e in doc.get("affected", []):
        check(e.get("time") is None or isinstance(e.get("time"), str), f"{what}: time type")


def names_for(docs):
    """artifact node -> every name the given documents give it"""
    out = {}
    for doc in docs:
        for node, texts in EXPECTED["names"].get(doc, {}).items():
            out.setdefault(node, set()).update(texts)
    return out


def check_names(entry, names, what):
    if names is None or kind_of(entry.get("node")) != "artifact":
        return
    known = names.get(entry["node"], set())
    got = entry.get("names") or []
    check(set(got) <= known and (bool(got) or not known), f"{what} {entry['node']}: names "
          f"{got}; the documents name it {sorted(known)}")


def check_root_cause(doc, rc, ledger, what, check_order=True, signals_expected=True,
                     names=None):
    if doc is None:
        return
    seed = rc["seed"]
    check(doc.get("schema") == "cascade.trace/1", f"{what}: schema {doc.get('schema')!r}")
    check(doc.get("mode") == "root-cause", f"{what}: mode {doc.get('mode')!r}")
    check(doc.get("seed") == seed, f"{what}: seed {doc.get('seed')!r}")
    got = affected_map(doc)
    want = rc["candidates"]
    check(seed not in got, f"{what}: the seed is listed as its own candidate")
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    check(not missing, f"{what}: candidates missing: {missing}")
    check(not extra, f"{what}: not candidates under the rules but listed: {extra}")
    summary = {kind: 0 for kind in ("artifact", "host", "build", "release", "org", "package")}
    for node in want:
        summary[kind_of(node)] += 1
    check(doc.get("summary") == summary, f"{what}: summary {doc.get('summary')}, the "
          f"candidates are {summary}")
    order = [e.get("node") for e in doc.get("affected", [])]
    check(order[:1] == [rc["top"]] if signals_expected else True,
          f"{what}: top-ranked candidate {order[:1]}, expected the installer {rc['top']}")
    if check_order and signals_expected:
        check(order == rc["order"], f"{what}: ranking {order}, expected (signals, then fewer "
              f"hops, then node string) {rc['order']}")
    for node, w in want.items():
        entry = got.get(node)
        if entry is None:
            continue
        check(parse_time(entry.get("time")) == parse_time(w["time"]), f"{what} {node}: latest "
              f"time {entry.get('time')}, expected {w['time']}")
        check(entry.get("hops") == w["hops"], f"{what} {node}: hops {entry.get('hops')}, "
              f"expected {w['hops']}")
        signals = entry.get("signals") or []
        n_signals = w["signals"] if signals_expected else 0
        check(len(signals) == n_signals, f"{what} {node}: signals {signals}, expected "
              f"{n_signals}")
        if n_signals:
            check(all(rc["signal_finding"] in s for s in signals), f"{what} {node}: signals "
                  f"{signals} do not name {rc['signal_finding']}")
        check_entry_path(entry, seed, True, None, ledger, what)
        check_names(entry, names, what)


# --- pictures and text ----------------------------------------------------------------------
NODE_STMT = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*)\s*\[(.*)\]\s*;?\s*$')


def check_dot(path, doc, what):
    if not check(os.path.exists(path), f"{what}: --dot wrote no {path}"):
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    body = [line for line in text.splitlines() if line.strip() and
            not line.lstrip().startswith(("//", "#"))]
    check(body and re.match(r"^\s*(strict\s+)?digraph\b", body[0]),
          f"{what}: DOT does not start with a digraph header: {body[:1]}")
    if shutil.which("dot"):
        p = subprocess.run(["dot", "-Tsvg", path], capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and "<svg" in p.stdout, f"{what}: Graphviz cannot read the "
              f"DOT: {p.stderr[:300]!r}")
    statements = []
    for line in body:
        m = NODE_STMT.match(line)
        if m and "->" not in line and m.group(1) not in ("graph", "node", "edge"):
            statements.append((m.group(1), m.group(2)))
    path_nodes = {doc["seed"]}
    for entry in doc.get("affected", []):
        for hop in entry.get("path", []):
            path_nodes.update((hop["from"], hop["to"]))
    check(len(statements) == len(path_nodes), f"{what}: {len(statements)} node statements in "
          f"the DOT, {len(path_nodes)} distinct nodes on the paths")
    ids = [s[0] for s in statements]
    check(len(ids) == len(set(ids)), f"{what}: a node declared twice in the DOT")
    # A node's label names it on a line of its own: the key (artifacts: the start of the
    # digest, possibly after "sha256:"); other lines (names, times) do not count.
    for node in path_nodes:
        kind = kind_of(node)
        key = node.split(":", 1)[1]
        hits = []
        for ident, attributes in statements:
            label = re.search(r'\blabel\s*=\s*"((?:[^"\\]|\\.)*)"', attributes)
            lines = re.split(r"\\[nlr]", label.group(1)) if label else []
            lines = [line.replace('\\"', '"').replace("\\\\", "\\").strip()
                     for line in lines] + [ident.strip('"')]
            if kind == "artifact":
                hit = any(line.removeprefix("sha256:")[:12] == key[:12] for line in lines)
            else:
                hit = any(line == key or line == node or
                          (len(line) > 20 and line.endswith("\u2026") and
                           key.startswith(line[:-1])) for line in lines)
            if hit:
                hits.append(ident)
        check(len(hits) == 1, f"{what}: path node {node} is named by {len(hits)} DOT node "
              f"statements")
    edge_count = sum(1 for line in body if "->" in line)
    check(edge_count >= len(path_nodes) - 1, f"{what}: {edge_count} DOT edges for "
          f"{len(path_nodes)} connected nodes")


def check_html(path, what):
    if not check(os.path.exists(path), f"{what}: --html wrote no {path}"):
        return
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lower = text.lower()
    check("<html" in lower and "<svg" in lower and "</svg>" in lower,
          f"{what}: HTML without an inline <svg>")
    external = re.findall(r'<(?:script|img|link|iframe|object|embed)\b[^>]*\b(?:src|href)\s*=\s*'
                          r'["\']?(?!#|data:)[^"\'\s>]+', text, re.I)
    check(not external, f"{what}: HTML loads external resources: {external[:3]}")
    check(not re.search(r"url\(\s*['\"]?(?:https?:|//)", lower), f"{what}: HTML CSS loads a URL")
    siblings = [n for n in os.listdir(os.path.dirname(path))
                if n not in (os.path.basename(path),) and not n.endswith((".dot", ".json",
                                                                         ".txt"))]
    check(not siblings, f"{what}: --html left other files next to it: {siblings}")


def check_text(text, doc, what, grouped, top=None):
    """The listed nodes are in the text; forward answers lead with the summary and are grouped
    by kind with counts, at most `top` per kind (20 by default, None with --all) then a line
    saying how many more (a root-cause answer is a ranking)."""
    summary = (doc or {}).get("summary") or {} if grouped else {}
    lines = text.splitlines()
    affected = (doc or {}).get("affected", [])
    if grouped and affected:
        head = "\n".join(lines[:3])
        check("earliest compromise" in head and "latest" in head,
              f"{what}: the text does not lead with the earliest and latest compromise:\n{head}")
        per_kind = 20 if top == "default" else top
        by_kind, listed = {}, []
        for entry in affected:  # the text keeps the JSON's order (earliest first) within a kind
            by_kind.setdefault(entry["kind"], []).append(entry)
        for kind, entries in by_kind.items():
            shown = entries if per_kind is None else entries[:per_kind]
            listed += shown
            more = len(entries) - len(shown)
            if more:
                check(f"... {more} more {kind}" in text, f"{what}: no '... {more} more {kind}' line")
        node_lines = [line for line in lines if re.match(r"^  [^ ].*  since ", line)]
        check(len(node_lines) == len(listed),
              f"{what}: {len(node_lines)} nodes listed, expected {len(listed)} (--top {top})")
        affected = listed
    for kind, count in summary.items():
        if not count:
            continue
        pattern = re.compile(rf"\b{kind}(s|es)?\b.*\b{count}\b|\b{count}\b.*\b{kind}(s|es)?\b",
                             re.I)
        check(any(pattern.search(line) for line in lines), f"{what}: no '{kind}' group with its"
              f" count {count} in the text output:\n{text[:1500]}")
    if not grouped and len(affected) > 10:
        # The root-cause text lists the ten best candidates and says how many more --json has.
        check(f"... {len(affected) - 10} more candidates" in text,
              f"{what}: no '... {len(affected) - 10} more candidates' line")
        affected = affected[:10]
    for entry in affected:
        node = entry["node"]
        key = node.split(":", 1)[1]
        probe = key[:12] if node.startswith("sha256:") else key
        check(probe in text, f"{what}: {node} missing from the text output")


# --- the main scenario --------------------------------------------------------------------------
def doc_paths(rels):
    return [os.path.join(OUT, rel) for rel in rels]


def abs_info(rels):
    return {os.path.join(OUT, rel): EXPECTED["document_info"][rel] for rel in rels}


def run_main(store, pictures_dir=None):
    """Ingest checks, idempotency, forward and root cause on one store; returns the answers."""
    label = store.label
    docs = EXPECTED["documents"]
    malformed = EXPECTED["malformed"]
    bad = os.path.join(OUT, malformed["path"])
    good = [p for p in doc_paths(docs) if p != bad]
    info = abs_info(docs)
    ingest(store, good, 0, "the well-formed documents", info)
    p, _ = ingest(store, [bad], 1, "the events with one malformed line", info)
    check(re.search(rf"(^|\n){re.escape(bad)}:{malformed['line']}:", p.stderr),
          f"[{label}] the malformed line is not reported as {bad}:{malformed['line']}: on "
          f"stderr: {p.stderr[:600]!r}")
    check(not re.search(rf"{re.escape(bad)}:(?!{malformed['line']}:)\d+:", p.stderr),
          f"[{label}] other lines of {bad} reported as problems: {p.stderr[:600]!r}")
    before = stats(store)
    if before is not None:
        for key, want in (("documents", len(docs)), ("nodes", EXPECTED["graph"]["nodes"]),
                          ("edges", EXPECTED["graph"]["edges"])):
            got = find_count(before, key)
            check(got == want, f"[{label}] graph stats: {key} {got}, expected {want}: {before}")
    # Idempotent: everything again, and the events again under another name.
    _, seen = ingest(store, doc_paths(docs), 0, "everything a second time")
    for path in doc_paths(docs):
        m = seen.get(path)
        check(m is not None and m.re is SKIPPED, f"[{label}] second ingest of {path} not "
              f"'skipped {path}: already ingested'")
    copy = os.path.join(SCRATCH, "copy-of-events.jsonl")
    shutil.copyfile(bad, copy)
    _, seen = ingest(store, [copy], 0, "a copy of the events file under another name")
    check(seen.get(copy) is not None and seen[copy].re is SKIPPED,
          f"[{label}] a copy of an ingested document is not skipped as already ingested")
    after = stats(store)
    check(before == after, f"[{label}] stats changed on the second ingest: {before} -> {after}")
    pj = store.cmd("graph", "ingest", "--json", *good)
    try:
        json.loads(pj.stdout)
    except ValueError:
        check(False, f"[{label}] graph ingest --json is not JSON: {pj.stdout[:300]!r}")

    ledger = Ledger(EXPECTED["facts"], {r: EXPECTED["document_info"][r] for r in docs}, OUT)
    seed = EXPECTED["seed"]
    fwd = trace(store, ["--compromised", seed, "--json"], "forward")
    what = f"[{label}] forward from the installer"
    check_forward(fwd, EXPECTED["forward"]["affected"], seed, None, ledger, what,
                  EXPECTED["forward"]["summary"], EXPECTED["forward"]["must_not"],
                  names_for(docs))
    if fwd is not None:
        check(fwd.get("graph") == EXPECTED["graph"], f"{what}: graph {fwd.get('graph')}, "
              f"expected {EXPECTED['graph']}")
    validate_schema(fwd, what)
    fs = EXPECTED["forward_since"]
    since_doc = trace(store, ["--compromised", seed, "--since", fs["since"], "--json"],
                      "forward --since")
    check_forward(since_doc, fs["affected"], seed, parse_time(fs["since"]), ledger,
                  f"[{label}] forward from the installer --since {fs['since']}", fs["summary"],
                  ["host:build02", "host:hr-laptop"], names_for(docs))
    rc = EXPECTED["root_cause"]
    root = trace(store, ["--root-cause", rc["seed"], "--json"], "root cause")
    what = f"[{label}] root cause of {rc['seed']}"
    check_root_cause(root, rc, ledger, what, names=names_for(docs))
    validate_schema(root, what)

    if pictures_dir:
        os.makedirs(pictures_dir, exist_ok=True)
        for mode, args, doc in (("forward", ["--compromised", seed], fwd),
                                ("root-cause", ["--root-cause", rc["seed"]], root)):
            sub = os.path.join(pictures_dir, mode)
            shutil.rmtree(sub, ignore_errors=True)
            os.makedirs(sub)
            dot, page = os.path.join(sub, "trace.dot"), os.path.join(sub, "trace.html")
            trace(store, args + ["--dot", dot], f"{mode} --dot")
            trace(store, args + ["--html", page], f"{mode} --html")
            if doc is not None:
                check_dot(dot, doc, f"[{label}] {mode} --dot")
            check_html(page, f"[{label}] {mode} --html")
            p = trace(store, args, f"{mode} text")
            check_text(p.stdout, doc, f"[{label}] {mode} text", grouped=mode == "forward",
                       top="default")
            if mode == "forward":
                for extra, top in ((["--top", "1"], 1), (["--all"], None)):
                    p = trace(store, args + extra, f"{mode} text {' '.join(extra)}")
                    check_text(p.stdout, doc, f"[{label}] {mode} text {' '.join(extra)}",
                               grouped=True, top=top)
    # Errors: a NODE not in the inventory, a malformed NODE.
    for args in (["--compromised", "sha256:" + "0" * 64], ["--root-cause", "host:no-such-host"],
                 ["--compromised", "nonsense"], ["--compromised", "sha256:xyz"],
                 ["--root-cause", "release:no-version"]):
        p = trace(store, args + ["--json"], "error case", expect_rc=2)
        check(p.stderr.strip(), f"[{label}] trace {' '.join(args)}: exit 2 without a message")
    return fwd, root


# --- variants -------------------------------------------------------------------------------
def run_variant(name, variant):
    note(f"variant {name}: {len(variant['documents'])} documents")
    store = sqlite_store("variant-" + name)
    docs = variant["documents"]
    malformed = os.path.join(OUT, EXPECTED["malformed"]["path"])
    paths = doc_paths(docs)
    ingest(store, paths, 1 if malformed in paths else 0, f"variant {name}", abs_info(docs))
    ledger = Ledger(EXPECTED["facts"], {r: EXPECTED["document_info"][r] for r in docs}, OUT)
    seed = EXPECTED["seed"]
    fwd = trace(store, ["--compromised", seed, "--json"], f"variant {name} forward")
    what = f"[variant {name}] forward from the installer"
    check_forward(fwd, EXPECTED["forward"]["affected"], seed, None, ledger, what,
                  EXPECTED["forward"]["summary"], EXPECTED["forward"]["must_not"],
                  names_for(docs))
    rc = EXPECTED["root_cause"]
    root = trace(store, ["--root-cause", rc["seed"], "--json"], f"variant {name} root cause")
    # Events carry no scan findings: without the scan report the installer has no signal.
    has_scan = any(EXPECTED["document_info"][d]["format"] == "scan" and "dev-pc-07" in d
                   for d in docs)
    check_root_cause(root, rc, ledger, f"[variant {name}] root cause of {rc['seed']}",
                     signals_expected=has_scan, names=names_for(docs))


# --- time rules -----------------------------------------------------------------------------
T = "2022-04-05T00:00:00Z"


def event(kind, **fields):  # docs/events.md
    return json.dumps({"event": kind, **fields}, separators=(",", ":"))


def time_rule_cases():
    """(name, builder, seed, since, expected {node: time}) -- every expectation by hand."""
    p_data = b"cascade graph time-rule fixture: artifact P\n" + os.urandom(64)
    q_data = b"cascade graph time-rule fixture: product Q\n" + os.urandom(64)
    P, Q = "sha256:" + hashlib.sha256(p_data).hexdigest(), \
        "sha256:" + hashlib.sha256(q_data).hexdigest()

    def access(until, start="2021-01-01T00:00:00Z"):
        def make(d):
            fields = {"from": "h-src", "to": "h-dst", "time": start}
            if until:
                fields["until"] = until
            lines = [event("ran-on", artifact=P, host="h-src", time=T),
                     event("access", **fields)]
            facts = [("ran-on", P, "host:h-src", T, None),
                     ("access", "host:h-src", "host:h-dst", start, until)]
            return write_events(d, lines), facts
        return make

    def build(started, finished):
        def make(d):
            events_path, facts = access("2021-06-01T00:00:00Z")(d)  # h-src has P; no h-dst
            prod = os.path.join(d, "Q.bin")
            with open(prod, "wb") as f:
                f.write(q_data)
            bundle = os.path.join(d, "build.intoto.jsonl")
            key = os.path.join(SCRATCH, "timerules", "key")
            if not os.path.exists(key + ".key"):
                subprocess.run([CASCADE, "key", "generate", "-o", key], check=True,
                               capture_output=True)
            p = subprocess.run([CASCADE, "attest", "--builder-id", "https://h-src/ci",
                                "--build-type", "https://example.com/make/v1", "--key",
                                key + ".key", "--invocation-id", "b1", "--started", started,
                                "--finished", finished, "--products", prod, "-o", bundle],
                               capture_output=True, text=True)
            check(p.returncode == 0, f"attest for a time-rule case: {p.stderr[-300:]}")
            facts += [("built-on", "build:b1", "host:h-src", started, finished),
                      ("produced", "build:b1", Q, finished, None)]
            return [*events_path, bundle], facts
        return make

    def deploy(at):
        def make(d):
            sbom = os.path.join(d, "r.cdx.json")
            with open(sbom, "w") as f:
                json.dump({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
                           "serialNumber": "urn:uuid:0b1d2f0e-3f43-4b8e-8f2a-000000000001",
                           "metadata": {"timestamp": "2022-01-01T00:00:00Z",
                                        "component": {"type": "application", "name": "R",
                                                      "version": "1", "bom-ref": "r"}},
                           "components": [{"type": "file", "name": "P.bin", "bom-ref": "p",
                                           "hashes": [{"alg": "SHA-256",
                                                       "content": P.split(":")[1]}]}]}, f)
            lines = [event("deployed-on", release="R@1", host="h-dst", time=at)]
            facts = [("contains", "release:R@1", P, None, None),
                     ("deployed-on", "release:R@1", "host:h-dst", at, None)]
            return [sbom, *write_events(d, lines)], facts
        return make

    before = "2022-04-04T23:59:59Z"  # one second before T
    return [
        # access h-src -> h-dst: propagates iff a <= until; time max(a, from)
        ("access-ended-before", access(before), P, None, {"host:h-src": T}),
        ("access-ended-at", access(T), P, None, {"host:h-src": T, "host:h-dst": T}),
        ("access-ended-after", access("2022-06-01T00:00:00Z"), P, None,
         {"host:h-src": T, "host:h-dst": T}),
        ("access-begins-after", access(None, "2022-05-01T00:00:00Z"), P, None,
         {"host:h-src": T, "host:h-dst": "2022-05-01T00:00:00Z"}),
        # built-on h-src -> b1: propagates iff a <= finished; time max(a, started)
        ("build-finished-before", build("2022-04-04T22:00:00Z", before), P, None,
         {"host:h-src": T}),
        ("build-finished-at", build("2022-04-04T22:00:00Z", T), P, None,
         {"host:h-src": T, "build:b1": T, Q: T}),
        ("build-running", build("2022-04-04T23:00:00Z", "2022-04-05T01:00:00Z"), P, None,
         {"host:h-src": T, "build:b1": T, Q: "2022-04-05T01:00:00Z"}),
        ("build-after", build("2022-04-06T10:00:00Z", "2022-04-06T11:00:00Z"), P, None,
         {"host:h-src": T, "build:b1": "2022-04-06T10:00:00Z", Q: "2022-04-06T11:00:00Z"}),
        # P in release R@1 (contains: time = a), compromised since T; deployed-on iff a <= t
        ("deploy-before", deploy(before), P, T, {"release:R@1": T}),
        ("deploy-at", deploy(T), P, T, {"release:R@1": T, "host:h-dst": T}),
        ("deploy-after", deploy("2022-04-10T00:00:00Z"), P, T,
         {"release:R@1": T, "host:h-dst": "2022-04-10T00:00:00Z"}),
        # without --since the seed is compromised from -inf: R@1 has no time, the deployment
        # one second before T propagates at its own time
        ("deploy-before-no-since", deploy(before), P, None,
         {"release:R@1": None, "host:h-dst": before}),
    ]


def write_events(d, lines):
    path = os.path.join(d, "events.jsonl")
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return [path]


def run_time_rules(make_store):
    base = os.path.join(SCRATCH, "timerules")
    os.makedirs(base, exist_ok=True)
    for name, make, seed, since, want in time_rule_cases():
        d = os.path.join(base, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        paths, facts = make(d)
        store = make_store("timerule-" + name)
        if store is None:
            continue
        ingest(store, paths, 0, f"time rule {name}")
        fact_rows = []
        infos = {}
        for path in paths:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            fmt = "in-toto" if path.endswith(".intoto.jsonl") else \
                "cyclonedx" if path.endswith(".cdx.json") else "events"
            infos[path] = {"sha256": digest, "format": fmt}
        for kind, src, dst, t, u in facts:
            doc = next(p for p in paths if
                       (kind in ("built-on", "produced")) == p.endswith(".intoto.jsonl") and
                       (kind == "contains") == p.endswith(".cdx.json"))
            fact_rows.append({"doc": doc, "kind": kind, "src": src, "dst": dst, "time": t,
                              "until": u})
        ledger = Ledger(fact_rows, infos, "/")
        args = ["--compromised", seed, "--json"] + (["--since", since] if since else [])
        doc = trace(store, args, f"time rule {name}")
        check_forward(doc, {n: {"time": t} for n, t in want.items()}, seed, parse_time(since),
                      ledger, f"[{store.label}]")
        if doc is not None:
            note(f"{store.label}: affected {sorted(affected_map(doc))}")


# --- PostgreSQL vs SQLite -----------------------------------------------------------------------
def normalise(doc):
    """The answer without hop sources (which document of several stating a fact is cited may
    differ between stores)."""
    doc = json.loads(json.dumps(doc))
    for entry in doc.get("affected", []):
        for hop in entry.get("path", []):
            hop.pop("source", None)
    return doc


def compare_stores(a, b, what):
    na, nb = normalise(a), normalise(b)
    if na == nb:
        return
    ma, mb = affected_map(na), affected_map(nb)
    if ma == mb:
        check(False, f"{what}: same entries in another order: "
              f"{[e['node'] for e in na['affected']]} vs {[e['node'] for e in nb['affected']]}")
        return
    for node in sorted(set(ma) | set(mb)):
        if ma.get(node) != mb.get(node):
            check(False, f"{what}: {node}: sqlite {json.dumps(ma.get(node))[:600]} postgresql "
                  f"{json.dumps(mb.get(node))[:600]}")
    rest_a = {k: v for k, v in na.items() if k != "affected"}
    rest_b = {k: v for k, v in nb.items() if k != "affected"}
    check(rest_a == rest_b, f"{what}: {rest_a} vs {rest_b}")


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    uri = opts.db_uri
    if opts.db_uri_file:
        try:
            with open(opts.db_uri_file) as f:
                uri = f.read().strip()
        except OSError:
            uri = ""
        if not uri:
            print(f"SKIP: no PostgreSQL URI in {opts.db_uri_file} (setup.graph_postgres "
                  "found no server)")
            return SKIP
    note(f"scenario {OUT}; schema {'found' if SCHEMA else 'absent, not validated'}")
    sqlite = sqlite_store("scenario")
    fwd, root = run_main(sqlite, os.path.join(SCRATCH, "pictures-sqlite"))
    if uri is None:
        for name, variant in EXPECTED["variants"].items():
            run_variant(name, variant)
        run_time_rules(sqlite_store)
    else:
        server = PgServer(uri)

        def pg_store(label):
            spec, error = server.fresh(label)
            if spec is None:
                check(False, f"cannot create a PostgreSQL database for {label}: {error}")
                return None
            return Store("postgresql:" + label, spec)

        try:
            pg = pg_store("scenario")
            if pg is not None:
                pg_fwd, pg_root = run_main(pg, os.path.join(SCRATCH, "pictures-postgresql"))
                if fwd is not None and pg_fwd is not None:
                    compare_stores(fwd, pg_fwd, "forward: sqlite vs postgresql")
                if root is not None and pg_root is not None:
                    compare_stores(root, pg_root, "root cause: sqlite vs postgresql")
            run_time_rules(pg_store)
        finally:
            server.cleanup()
    if failures:
        print(f"\n{len(failures)} failure(s)")
        return 1
    print("all graph scenario checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
