#!/usr/bin/python3
"""check_store.py CASCADE OUTDIR SCRATCH [--db-uri-file PATH]

The store is checked, not believed (docs/graph.md, "Checking a store"), end to end through the
CLI on the scenario make-scenario.py wrote to OUTDIR. Each case ingests it into a fresh store and
then alters the store behind cascade's back, as anyone with write access to it could:

  * genuine: `graph check` exits 0 and says clean (text and --json), counting every node;
  * forged key (a host on the forward answer renamed, with a terminal escape in the new name):
    `trace` forward and root cause exit 2 naming the node's id, print no answer and no escape;
    `graph check` exits 1 with one forged-node;
  * dangling edge (a node row deleted): `graph check` exits 1 with dangling-edge problems;
  * SQLite: a corrupted page (the node table's root page overwritten with random bytes): `graph
    check` exits 1 with the engine's (or an unreadable table's) problems, `trace` exits 2;
    a missing file is exit 2 and is not created;
  * PostgreSQL (--db-uri-file): the same forged key and dangling edge, and a dropped primary key
    for the engine's check. Without a usable URI file: exit 77 (skipped).
"""
import argparse
import hashlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("cascade")
parser.add_argument("outdir")
parser.add_argument("scratch")
parser.add_argument("--db-uri-file")
opts = parser.parse_args()
CASCADE = os.path.abspath(opts.cascade)
OUT = os.path.abspath(opts.outdir)
SCRATCH = os.path.abspath(opts.scratch)
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_PATH = os.path.join(SOURCE, "docs", "schema", "cascade.graph-check-1.schema.json")
SKIP = 77
HOST_KIND = 1

with open(os.path.join(OUT, "expected.json")) as f:
    EXPECTED = json.load(f)
SEED = EXPECTED["seed"]
ROOT_SEED = EXPECTED["root_cause"]["seed"]
# A host every forward answer from the seed lists, so the forged row is one the answer needs.
VICTIM = sorted(n for n in EXPECTED["forward"]["affected"] if n.startswith("host:"))[0]
VICTIM_KEY = VICTIM[len("host:"):]
FORGED_KEY = "innocent-host\x1b]0;owned\x07"

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)
    return condition


def node_id(kind, key):
    digest = hashlib.sha256(bytes([kind]) + key.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def run(*args):
    return subprocess.run([CASCADE, *args], capture_output=True, text=True, timeout=300,
                          errors="surrogateescape")


class Store:
    def __init__(self, label, spec):
        self.label, self.spec = label, spec

    def cmd(self, *args):
        return run(*args, "--db", self.spec)

    def fill(self):
        docs = [os.path.join(OUT, rel) for rel in EXPECTED["documents"]]
        p = self.cmd("graph", "ingest", *docs)
        # The scenario holds one malformed events line on purpose (exit 1, the rest stored).
        check(p.returncode in (0, 1), f"[{self.label}] ingest: exit {p.returncode} {p.stderr!r}")


def graph_check(store, expect_rc, what):
    p = store.cmd("graph", "check", "--json")
    check(p.returncode == expect_rc, f"[{store.label}] graph check --json ({what}): exit "
          f"{p.returncode}, expected {expect_rc}; stdout {p.stdout[-800:]!r} "
          f"stderr {p.stderr[-400:]!r}")
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        check(False, f"[{store.label}] graph check --json ({what}): not JSON: {p.stdout[:300]!r}")
        return None, None
    validate(doc, f"[{store.label}] {what}")
    text = store.cmd("graph", "check")
    check(text.returncode == expect_rc, f"[{store.label}] graph check ({what}): exit "
          f"{text.returncode}, expected {expect_rc}")
    check("\x1b" not in text.stdout and "\x07" not in text.stdout,
          f"[{store.label}] graph check ({what}): text output carries a control character from "
          f"the store: {text.stdout[:600]!r}")
    return doc, text.stdout


def validate(doc, what):
    if not os.path.exists(SCHEMA_PATH):
        check(False, f"{SCHEMA_PATH} is missing")
        return
    try:
        import jsonschema
    except ImportError:
        return
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    check(not errors, f"{what}: graph check --json does not validate: "
          f"{[e.message for e in errors][:3]}")


def expect_clean(store):
    doc, text = graph_check(store, 0, "genuine store")
    if doc is None:
        return
    check(doc.get("clean") is True and doc.get("problems") == [],
          f"[{store.label}] genuine store not clean: {json.dumps(doc)[:800]}")
    check(doc.get("checked", {}).get("nodes") == EXPECTED["graph"]["nodes"],
          f"[{store.label}] graph check counted {doc.get('checked')} nodes, the scenario has "
          f"{EXPECTED['graph']['nodes']}")
    check(text.startswith(doc["db"] + ": clean"), f"[{store.label}] text: {text[:300]!r}")


def expect_forged_key_refused(store, forge):
    store.fill()
    p = store.cmd("trace", "--compromised", SEED, "--json")
    check(p.returncode == 0 and VICTIM in p.stdout,
          f"[{store.label}] before the edit the answer lists {VICTIM}: exit {p.returncode}")
    forge()
    victim = str(node_id(HOST_KIND, VICTIM_KEY))
    for args in (["--compromised", SEED], ["--compromised", SEED, "--json"],
                 ["--root-cause", ROOT_SEED]):
        p = store.cmd("trace", *args)
        what = f"[{store.label}] trace {' '.join(args)} on a forged key"
        check(p.returncode == 2, f"{what}: exit {p.returncode}, expected 2; "
              f"stdout {p.stdout[:300]!r}")
        check("innocent-host" not in p.stdout and p.stdout.strip() == "",
              f"{what}: an answer was printed: {p.stdout[:300]!r}")
        check(f"node {victim}" in p.stderr, f"{what}: the error does not name node {victim}: "
              f"{p.stderr[:400]!r}")
        check("\x1b" not in p.stderr, f"{what}: the error prints the forged escape sequence")
    doc, text = graph_check(store, 1, "forged key")
    if doc is not None:
        check(doc["found"].get("forged-node") == 1 and not doc["clean"],
              f"[{store.label}] forged key: found {doc['found']}")
        subjects = [pr["subject"] for pr in doc["problems"] if pr["kind"] == "forged-node"]
        check(subjects == [f"node {victim}"], f"[{store.label}] forged-node subjects {subjects}")
        check(re.search(rf"^forged-node: node {victim}: ", text, re.M),
              f"[{store.label}] text does not list the forged node: {text[:600]!r}")


def expect_dangling_edge_found(store, delete):
    store.fill()
    delete()
    doc, _ = graph_check(store, 1, "deleted node row")
    if doc is not None:
        check(doc["found"].get("dangling-edge", 0) >= 1,
              f"[{store.label}] deleted node row: found {doc['found']}")


# --- SQLite -----------------------------------------------------------------------------------
def sqlite_store(label):
    path = os.path.join(SCRATCH, label + ".db")
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return Store("sqlite:" + label, path)


def sqlite_edit(store, sql, params=()):
    db = sqlite3.connect(store.spec)
    db.execute(sql, params)
    db.commit()
    db.close()


def corrupt_node_table(store):
    """Overwrites the node table's root page with random bytes (after a checkpoint, so the page
    lives in the database file and not in the WAL)."""
    db = sqlite3.connect(store.spec)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'node'").fetchone()[0]
    db.close()
    noise = random.Random(22).randbytes(page_size)
    with open(store.spec, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(noise)


def run_sqlite():
    store = sqlite_store("genuine")
    store.fill()
    expect_clean(store)

    store = sqlite_store("forged")
    expect_forged_key_refused(store, lambda: sqlite_edit(
        store, "UPDATE node SET key = ? WHERE kind = ? AND key = ?",
        (FORGED_KEY, HOST_KIND, VICTIM_KEY)))

    dangling = sqlite_store("dangling")
    expect_dangling_edge_found(dangling, lambda: sqlite_edit(
        dangling, "DELETE FROM node WHERE kind = ? AND key = ?", (HOST_KIND, VICTIM_KEY)))

    corrupt = sqlite_store("corrupt")
    corrupt.fill()
    corrupt_node_table(corrupt)
    doc, _ = graph_check(corrupt, 1, "corrupted page")
    if doc is not None:
        found = doc["found"]
        check(found.get("engine", 0) + found.get("unreadable", 0) >= 1,
              f"[{corrupt.label}] corrupted page: found {found}")
    p = corrupt.cmd("trace", "--compromised", SEED)
    check(p.returncode == 2 and p.stdout.strip() == "",
          f"[{corrupt.label}] trace on a corrupted page: exit {p.returncode}, {p.stdout[:200]!r}")

    missing = os.path.join(SCRATCH, "no-such-store.db")
    if os.path.exists(missing):
        os.remove(missing)
    p = run("graph", "check", "--db", missing)
    check(p.returncode == 2 and p.stderr.strip(), f"graph check of a missing file: exit "
          f"{p.returncode}, stderr {p.stderr!r}")
    check(not os.path.exists(missing), "graph check created the missing store file")


# --- PostgreSQL -------------------------------------------------------------------------------
class PgServer:
    def __init__(self, uri):
        self.uri, self.created = uri, []

    def psql(self, uri, sql):
        return subprocess.run(["psql", uri, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                              capture_output=True, text=True, timeout=60)

    def fresh(self, label):
        name = f"cascade_check_{label}_{os.getpid()}"
        self.psql(self.uri, f"DROP DATABASE IF EXISTS {name}")
        p = self.psql(self.uri, f"CREATE DATABASE {name}")
        if not check(p.returncode == 0, f"cannot create database {name}: {p.stderr}"):
            return None
        self.created.append(name)
        parts = urllib.parse.urlsplit(self.uri)
        return Store("postgresql:" + label, urllib.parse.urlunsplit(parts._replace(path="/" + name)))

    def edit(self, store, sql):
        p = self.psql(store.spec, sql)
        check(p.returncode == 0, f"[{store.label}] {sql}: {p.stderr}")

    def cleanup(self):
        for name in self.created:
            self.psql(self.uri, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_postgres(uri):
    server = PgServer(uri)
    try:
        store = server.fresh("genuine")
        if store:
            store.fill()
            expect_clean(store)
        forged = server.fresh("forged")
        if forged:
            expect_forged_key_refused(forged, lambda: server.edit(
                forged, f"UPDATE node SET key = 'innocent-host' || chr(27) || ']0;owned' || chr(7) "
                f"WHERE kind = {HOST_KIND} AND key = '{VICTIM_KEY}'"))
        dangling = server.fresh("dangling")
        if dangling:
            expect_dangling_edge_found(dangling, lambda: server.edit(
                dangling, f"DELETE FROM node WHERE kind = {HOST_KIND} AND key = '{VICTIM_KEY}'"))
        keyless = server.fresh("keyless")
        if keyless:
            keyless.fill()
            server.edit(keyless, "ALTER TABLE node DROP CONSTRAINT node_pkey")
            doc, _ = graph_check(keyless, 1, "dropped primary key")
            if doc is not None:
                engine = [pr["detail"] for pr in doc["problems"] if pr["kind"] == "engine"]
                check(any("node lacks its primary key" in e for e in engine),
                      f"[{keyless.label}] dropped primary key: engine problems {engine}")
    finally:
        server.cleanup()


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    if opts.db_uri_file:
        try:
            with open(opts.db_uri_file) as f:
                uri = f.read().strip()
        except OSError:
            uri = ""
        if not uri:
            print(f"SKIP: no PostgreSQL URI in {opts.db_uri_file}")
            return SKIP
        run_postgres(uri)
    else:
        run_sqlite()
    if failures:
        print(f"\n{len(failures)} failure(s)")
        return 1
    print("all store checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
