#!/usr/bin/env python3
"""crash_safety.py CASCADE SCRATCH [--db-uri-file PATH] [--seed N] [--rounds N] [--clients N]

What a 2xx from `cascade serve` promises, checked against the real CLI binary: CLIENTS threads
post distinct events documents (made here, of 1 to 3,000 edges each) concurrently to a server on
127.0.0.1, and the server is killed with SIGKILL at a seeded random moment mid-stream, ROUNDS
times, each time restarted on the same store (SQLite in SCRATCH, or a fresh database on the
throwaway PostgreSQL server whose URI is in --db-uri-file). After every restart:

  * every document answered 2xx is there whole: GET /api/v1/documents/{sha256} is 200 and a
    trace from its artifact through the restarted server reaches exactly the document's nodes;
  * every document with no answer (or a 5xx) is wholly there or wholly absent (metadata 404 and
    its artifact unknown), never half;
  * the store itself holds no half document: each document row has exactly its edges and names
    (counted in SQL), and `cascade graph check` is clean;
  * the restarted server's in-memory graph equals the store: its traces (root cause of the hub
    every document reaches, forward from a few artifacts) equal `cascade trace --json --db`.

Exit 0 when all hold, 1 with the failures listed, 77 (skipped) without a PostgreSQL URI.
"""
import argparse
import hashlib
import http.client
import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse

SKIP = 77
HUB = "hub"

parser = argparse.ArgumentParser()
parser.add_argument("cascade")
parser.add_argument("scratch")
parser.add_argument("--db-uri-file")
parser.add_argument("--seed", type=int, default=26)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--clients", type=int, default=16)
opts = parser.parse_args()

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


class Document:
    """One events document: an artifact ran on its own build host, which had access to its own
    `hosts` hosts and to the hub every document shares. Forward from the artifact a trace
    reaches the build host, its hosts and the hub: hosts + 2 nodes, from hosts + 2 edges."""

    def __init__(self, label, hosts):
        self.label = label
        self.hosts = hosts
        self.artifact = hashlib.sha256(label.encode()).hexdigest()
        build = f"build-{label}"
        lines = [json.dumps({"event": "ran-on", "artifact": "sha256:" + self.artifact,
                             "host": build, "time": "2024-05-02T09:00:00Z",
                             "name": f"tool-{label}.exe"})]
        for i in range(hosts):
            lines.append(json.dumps({"event": "access", "from": build, "to": f"h-{label}-{i}",
                                     "time": "2024-05-03T00:00:00Z", "via": "ssh"}))
        lines.append(json.dumps({"event": "access", "from": build, "to": HUB,
                                 "time": "2024-05-03T00:00:00Z", "via": "ssh"}))
        self.body = ("\n".join(lines) + "\n").encode()
        self.sha256 = hashlib.sha256(self.body).hexdigest()
        self.edges = hosts + 2
        self.nodes = hosts + 3  # with the artifact
        self.answer = None  # the HTTP status, None when no answer came


class Store:
    def __init__(self, spec, uri=None):
        self.spec, self.uri = spec, uri

    def sql(self, query):
        """Rows of a query, each a tuple of strings."""
        if self.uri is None:
            with sqlite3.connect(f"file:{self.spec}?mode=ro", uri=True) as db:
                return [tuple(str(v) for v in row) for row in db.execute(query)]
        p = subprocess.run(["psql", self.uri, "-v", "ON_ERROR_STOP=1", "-qAtF", "\t", "-c", query],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"psql: {p.stderr.strip()}")
        return [tuple(line.split("\t")) for line in p.stdout.splitlines() if line]


def run(*args):
    return subprocess.run([opts.cascade, *args], capture_output=True, text=True, timeout=600)


class ServerProcess:
    def __init__(self, store, log_path):
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [opts.cascade, "serve", "--db", store.spec, "--listen", "127.0.0.1:0",
             "--rate-limit", "0", "--threads", "8"],
            stdout=subprocess.PIPE, stderr=self.log)
        ready, _, _ = select.select([self.process.stdout], [], [], 120)
        line = self.process.stdout.readline().decode() if ready else ""
        if "listening on http://127.0.0.1:" not in line:
            self.process.kill()
            raise RuntimeError(f"cascade serve did not start: {line!r} (see {log_path})")
        self.port = int(line.rsplit(":", 1)[1])

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)
        self.log.close()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def request(port, method, path, token, body=None, timeout=120):
    """(status, parsed JSON body or None, headers); None when no answer came."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/octet-stream"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return response.status, parsed, dict(response.getheaders())
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def post_until_stopped(port, token, client, round_no, rng_seed, stop, posted):
    rng = random.Random(rng_seed)
    for seq in range(1_000_000):
        if stop.is_set():
            return
        document = Document(f"r{round_no}c{client}n{seq}s{opts.seed}",
                            rng.choice([1, 5, 40, 300, 3000]))
        posted.append(document)
        answer = request(port, "POST", "/api/v1/documents", token, document.body)
        if answer is None:
            return  # the server is gone
        status, body, _ = answer
        document.answer = status
        if 200 <= status < 300:
            check(body is not None and body.get("sha256") == document.sha256 and
                  body.get("edges") == document.edges and body.get("nodes") == document.nodes,
                  f"{document.label}: answer {status} {body!r} does not describe the document")


def trace_via_server(port, token, query):
    answer = request(port, "GET", "/api/v1/trace?" + urllib.parse.urlencode(query) +
                     "&limit=100000", token)
    if answer is None:
        return None, None
    status, body, _ = answer
    return status, body


def trace_via_cli(store, flag, node):
    p = run("trace", "--json", "--db", store.spec, flag, node)
    if not check(p.returncode in (0, 1), f"cascade trace {flag} {node}: exit {p.returncode} "
                 f"{p.stderr[-400:]!r}"):
        return None
    return json.loads(p.stdout)


def verify(store, port, reader, documents, fresh, label):
    # Per document: whole when answered 2xx; whole or absent otherwise. Every document's row is
    # looked up; the traces (slower) are asked for this round's cut-off documents, where a half
    # store would show, and a sample of the rest (the root cause below covers every document).
    present = []
    sample = set(random.Random(opts.seed).sample(fresh, min(20, len(fresh))))
    for document in documents:
        answer = request(port, "GET", f"/api/v1/documents/{document.sha256}", reader)
        if not check(answer is not None, f"{label}: no answer about {document.label}"):
            continue
        status = answer[0]
        acknowledged = document.answer is not None and 200 <= document.answer < 300
        if acknowledged:
            check(status == 200, f"{label}: {document.label} was answered {document.answer} but "
                  f"its metadata is {status}")
        if status == 200:
            present.append(document)
        if document not in sample and (acknowledged or document not in fresh):
            continue
        trace_status, trace = trace_via_server(port, reader, {"compromised": "sha256:" +
                                                              document.artifact})
        if status == 200:
            reached = len(trace["affected"]) if trace_status == 200 and trace else None
            check(reached == document.hosts + 2,
                  f"{label}: {document.label} (answered {document.answer}) is stored but its "
                  f"trace reaches {reached} nodes (trace {trace_status}), not {document.hosts + 2}")
        else:
            check(status == 404, f"{label}: metadata of {document.label}: {status}")
            check(trace_status == 404, f"{label}: {document.label} (answered {document.answer}) "
                  f"has no document row, but its artifact is known (trace {trace_status})")

    # In the store: each document row with exactly its edges and names, and nothing else.
    edges = dict(store.sql("SELECT d.sha256, count(e.doc) FROM source_doc d "
                           "LEFT JOIN edge e ON e.doc = d.id GROUP BY d.sha256"))
    names = dict(store.sql("SELECT d.sha256, count(n.doc) FROM source_doc d "
                           "LEFT JOIN node_name n ON n.doc = d.id GROUP BY d.sha256"))
    by_digest = {d.sha256: d for d in documents}
    check(set(edges) == {d.sha256 for d in present},
          f"{label}: the store's documents differ from those the server says are stored: "
          f"{len(edges)} rows, {len(present)} answered 200")
    for sha256, count in edges.items():
        document = by_digest.get(sha256)
        if check(document is not None, f"{label}: a document row nobody posted: {sha256}"):
            check(int(count) == document.edges, f"{label}: {document.label} has {count} edge "
                  f"rows, not {document.edges}")
            check(int(names.get(sha256, 0)) == 1, f"{label}: {document.label} has "
                  f"{names.get(sha256)} name rows, not 1")
    orphans = store.sql("SELECT count(*) FROM edge e WHERE NOT EXISTS "
                        "(SELECT 1 FROM source_doc d WHERE d.id = e.doc)")
    check(orphans == [("0",)], f"{label}: edges of no stored document: {orphans}")
    p = run("graph", "check", "--json", "--db", store.spec)
    check(p.returncode == 0, f"{label}: graph check: exit {p.returncode} {p.stdout[-600:]!r} "
          f"{p.stderr[-400:]!r}")

    # The in-memory graph equals the store: the hub's root cause covers every stored document.
    if present:
        status, served = trace_via_server(port, reader, {"root-cause": "host:" + HUB})
        local = trace_via_cli(store, "--root-cause", "host:" + HUB)
        check(status == 200 and served == local,
              f"{label}: root cause of the hub differs between the server ({status}) and the store")
        if status == 200:
            check(len(served["affected"]) == 2 * len(present),
                  f"{label}: the hub's root cause names {len(served['affected'])} nodes, not two "
                  f"per stored document ({len(present)})")
    for document in random.Random(opts.seed).sample(present, min(3, len(present))):
        status, served = trace_via_server(port, reader, {"compromised": "sha256:" +
                                                         document.artifact})
        local = trace_via_cli(store, "--compromised", "sha256:" + document.artifact)
        check(status == 200 and served == local,
              f"{label}: the trace from {document.label} differs between the server and the store")
    return present


def make_store(scratch):
    if not opts.db_uri_file:
        path = os.path.join(scratch, "inventory.db")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return Store(path), None
    try:
        with open(opts.db_uri_file) as f:
            admin = f.read().strip()
    except OSError:
        admin = ""
    if not admin:
        print(f"SKIP: no PostgreSQL URI in {opts.db_uri_file} (setup.graph_postgres did not run)")
        sys.exit(SKIP)
    name = f"cascade_crash_{os.getpid()}"

    def psql(sql):
        return subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                              capture_output=True, text=True, timeout=120)

    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    made = psql(f"CREATE DATABASE {name}")
    if made.returncode != 0:
        raise RuntimeError(f"cannot create a database: {made.stderr.strip()}")
    uri = urllib.parse.urlunsplit(urllib.parse.urlsplit(admin)._replace(path="/" + name))
    return Store(uri, uri), lambda: psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main():
    scratch = os.path.abspath(opts.scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    store, drop = make_store(scratch)
    try:
        tokens = {}
        for name, scope in (("poster", "ingest"), ("analyst", "read")):
            p = run("serve", "token", "create", "--db", store.spec, "--scope", scope,
                    "--name", name)
            if p.returncode != 0:
                raise RuntimeError(f"token create: {p.stderr.strip()}")
            tokens[name] = p.stdout.strip()
        rng = random.Random(opts.seed)
        log = os.path.join(scratch, "serve.log")
        server = ServerProcess(store, log)
        documents = []
        for round_no in range(opts.rounds):
            stop = threading.Event()
            posted = [[] for _ in range(opts.clients)]
            threads = [threading.Thread(target=post_until_stopped,
                                        args=(server.port, tokens["poster"], c, round_no,
                                              rng.random(), stop, posted[c]))
                       for c in range(opts.clients)]
            for thread in threads:
                thread.start()
            delay = rng.uniform(0.5, 2.5)
            time.sleep(delay)
            server.kill()
            stop.set()
            for thread in threads:
                thread.join(timeout=180)
            this_round = [d for documents_of_client in posted for d in documents_of_client]
            documents.extend(this_round)
            answered = sum(1 for d in this_round if d.answer is not None)
            server = ServerProcess(store, log)
            label = f"round {round_no + 1} (SIGKILL after {delay:.2f} s)"
            started = time.monotonic()
            present = verify(store, server.port, tokens["analyst"], documents, this_round, label)
            unanswered_present = sum(1 for d in this_round if d.answer is None and d in present)
            print(f"{label}: {len(this_round)} posted, {answered} answered, "
                  f"{len(this_round) - answered} cut off ({unanswered_present} of those stored "
                  f"whole, the rest absent); {len(present)} documents in the store; checked in "
                  f"{time.monotonic() - started:.1f} s")
            check(len(this_round) > answered,
                  f"{label}: every post was answered before the kill: nothing was cut off")
        server.stop()
    finally:
        if drop:
            drop()
    for failure in failures:
        print("FAIL:", failure)
    print("crash safety:", "ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


sys.exit(main())
