"""Provenance that binds names to content, decision documents that read one way only, and an
inventory store that is checked rather than believed."""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess

BUILDER = "https://ci.example.com/release"


def peer(trial, *args):
    script = os.path.join(trial.source, "tests", "provenance", "dsse_peer.py")
    return subprocess.run(["/usr/bin/python3", script, *args], capture_output=True, check=True)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def policy_text(public_key, duplicate=False):
    builders = '"builders": ["https://ci.example.com/*"]'
    # A duplicate that changes the meaning: the first builder list allows nothing.
    first = '"builders": ["https://nobody.invalid/*"], ' if duplicate else ""
    return ('{"schema": "cascade.policy/1", ' + first + builders + ', "keys": [{"id": "ci", '
            f'"public_key": "{public_key}", ' + builders + "}]}")


def provenance(trial):
    results = []
    work = trial.folder("provenance")
    release = os.path.join(work, "release")
    shutil.rmtree(release, ignore_errors=True)
    shutil.copytree(trial.fixture("provenance", "release"), release)
    peer(trial, "genkey", "--type", "ed25519", "-o", os.path.join(work, "ci"))
    public_key = os.path.join(work, "ci.pub")
    policy = write(os.path.join(work, "policy.json"), policy_text(public_key))
    bundle = os.path.join(work, "build.intoto.jsonl")
    if os.path.exists(bundle):
        os.remove(bundle)
    peer(trial, "sign-each", "--key", os.path.join(work, "ci.key"), "--tree", release,
         "--builder-id", BUILDER, "-o", bundle)

    def verify(tree, *extra, policy_file=policy, attestations=bundle):
        return trial.cascade_run("verify", tree, "--attestations", attestations, "--policy",
                                 policy_file, *extra)

    outcome = verify(release)
    results.append(("release-verifies-control", outcome, outcome.rc != 0))
    # The 3CX-style swap inside a copy: two files change places, one is copied under a new name.
    swapped = os.path.join(work, "swapped")
    shutil.rmtree(swapped, ignore_errors=True)
    shutil.copytree(release, swapped)
    os.rename(os.path.join(swapped, "ffmpeg.dll"), os.path.join(swapped, "tmp"))
    os.rename(os.path.join(swapped, "d3dhelper.dll"), os.path.join(swapped, "ffmpeg.dll"))
    os.rename(os.path.join(swapped, "tmp"), os.path.join(swapped, "d3dhelper.dll"))
    shutil.copyfile(os.path.join(swapped, "ExamplePhone.exe"), os.path.join(swapped, "Updater.exe"))
    outcome = verify(swapped)
    results.append(("names-swapped-and-copied", outcome, outcome.rc != 1))
    # Duplicate keys in decision documents: refused (exit 2) wherever they are.
    dup_policy = write(os.path.join(work, "dup-policy.json"), policy_text(public_key, True))
    outcome = verify(release, policy_file=dup_policy)
    results.append(("policy-json-duplicate-key", outcome, outcome.rc != 2))
    dup_yaml = write(os.path.join(work, "dup-policy.yaml"),
                     "schema: cascade.policy/1\nbuilders: ['https://nobody.invalid/*']\n"
                     "builders: ['https://ci.example.com/*']\nkeys:\n  - id: ci\n"
                     f"    public_key: {public_key}\n    builders: ['https://ci.example.com/*']\n")
    outcome = verify(release, policy_file=dup_yaml)
    results.append(("policy-yaml-duplicate-key", outcome, outcome.rc != 2))
    with open(bundle) as f:
        first = f.readline().strip()
    dup_envelope = ('{"payloadType": "application/x-other", ' + first[1:])  # first one differs
    notes = os.path.join(release, "notes.txt")
    env_path = write(os.path.join(work, "dup-envelope.intoto.jsonl"), dup_envelope + "\n")
    outcome = verify(notes, attestations=env_path)
    results.append(("envelope-duplicate-key", outcome, outcome.rc == 0))
    # Inside the signed statement: a first subject list naming nothing real, then the real one.
    statement = peer(trial, "statement", "--subject",
                     "notes.txt=" + file_sha256(notes), "--builder-id", BUILDER).stdout.decode()
    doc = json.loads(statement)
    decoy = json.dumps([{"name": "other.txt", "digest": {"sha256": "0" * 64}}])
    body = json.dumps(doc)
    body = body.replace('"subject":', '"subject": ' + decoy + ', "subject":', 1)
    payload = write(os.path.join(work, "dup-statement.json"), body)
    signed = os.path.join(work, "dup-statement.intoto.jsonl")
    if os.path.exists(signed):
        os.remove(signed)
    peer(trial, "sign", "--key", os.path.join(work, "ci.key"), "--payload-file", payload,
         "-o", signed)
    outcome = verify(notes, attestations=signed)
    results.append(("statement-duplicate-key", outcome, outcome.rc == 0))
    return results


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def store(trial):
    """A forged key in the SQLite store: trace must refuse (exit 2) and `graph check` must name
    it; both must stay quiet (exit 0) on the genuine store."""
    results = []
    work = trial.folder("store")
    report = os.path.join(work, "scan.json")
    outcome = trial.cascade_run("scan", "--json", "--fail-on", "none", "--host", "victim-host",
                                trial.fixture("provenance", "release"))
    with open(report, "wb") as f:
        f.write(outcome.stdout)
    db = os.path.join(work, "inventory.db")
    if os.path.exists(db):
        os.remove(db)
    trial.cascade_run("graph", "ingest", "--db", db, report)
    seed = "sha256:" + file_sha256(trial.fixture("provenance", "release", "ffmpeg.dll"))
    outcome = trial.cascade_run("trace", "--db", db, "--compromised", seed)
    results.append(("trace-genuine-control", outcome, outcome.rc not in (0, 1) or
                    b"victim-host" not in outcome.stdout))
    outcome = trial.cascade_run("graph", "check", "--db", db)
    results.append(("graph-check-genuine-control", outcome, outcome.rc != 0))
    forged = os.path.join(work, "forged.db")
    shutil.copyfile(db, forged)
    with sqlite3.connect(forged) as con:
        con.execute("UPDATE node SET key = 'attacker-chosen' WHERE key = 'victim-host'")
    outcome = trial.cascade_run("trace", "--db", forged, "--compromised", seed)
    results.append(("trace-forged-key", outcome, outcome.rc != 2))
    outcome = trial.cascade_run("graph", "check", "--db", forged)
    said = outcome.stdout + outcome.stderr
    results.append(("graph-check-forged-key", outcome,
                    outcome.rc not in (1, 2) or b"attacker-chosen" not in said))
    return results
