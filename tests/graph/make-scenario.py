#!/usr/bin/python3
"""make-scenario.py OUTDIR CASCADE: the 3CX cascade as an inventory, for `cascade graph` tests.

Every fact reaches the inventory through a real cascade command or a well-formed standard
document:

  * dev-pc-07 ran a trojanised trading installer on 2022-04-05 (a file of marker and random
    bytes, never code): `cascade scan --host dev-pc-07 --ioc FEED --json` over a directory with
    the installer and two benign files; FEED is a hash list naming the installer, so the report
    carries an ioc.hash finding (a known-bad signal);
  * access from dev-pc-07 to the build host build01.example.com (from 2022-12-01), to build02
    (ended 2022-06-01, after the compromise: propagates) and to hr-laptop (ended 2022-03-01,
    before it: must not propagate), as events JSON Lines;
  * two builds on https://build01.example.com/ci as DSSE-signed in-toto Statement v1 / SLSA v1
    envelopes written by `cascade attest` into one .intoto.jsonl: build01-ci-1041 finished
    2022-11-20 (before the access: not affected) and build01-ci-1187 on 2023-01-10, whose
    subjects are a tampered ffmpeg.dll and d3dcompiler_47.dll;
  * releases 3CXDesktopApp@18.12.416 (CycloneDX 1.5, ffmpeg.dll nested), 3CXDesktopApp@18.12.407
    (SPDX 2.3, only the clean build's products) and ExampleNotes@2.1.0 (CycloneDX 1.4);
  * deployments and owners as events, one malformed events line, and an unrelated host with its
    own scan report (JSON Lines).

Writes OUTDIR/expected.json: the documents, every fact each states (the ledger check_graph.py
checks explaining paths against), the malformed line, and the answers derived BY HAND from the
propagation rules in docs/graph.md (written out below, never computed by a search). Variants
state the same facts through other formats (OUTDIR/variants/NAME). Safe to re-run: OUTDIR is
replaced.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys

if len(sys.argv) != 3:
    sys.exit("usage: make-scenario.py OUTDIR CASCADE")
OUT = os.path.abspath(sys.argv[1])
CASCADE = os.path.abspath(sys.argv[2])


def run(args, cwd=None, ok=(0,)):
    proc = subprocess.run(args, cwd=cwd, capture_output=True)
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(args)}: exit {proc.returncode}\n{proc.stderr.decode(errors='replace')}")
    return proc.stdout


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def write_json(path, doc, indent=2):
    write(path, json.dumps(doc, indent=indent) + "\n")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def marker(label, size=512):
    """Test content: a readable marker and random bytes. Never code."""
    return f"cascade graph test fixture: {label}\n".encode() + os.urandom(size)


def text_file(label, lines=20):
    """A benign low-entropy text file, so inspect has nothing high or critical to say."""
    return "".join(f"{label} line {i}: nothing to see here\n" for i in range(lines)).encode()


# --- the times of the story (RFC 3339, UTC) --------------------------------------------------
T_INSTALL = "2022-04-05T09:00:00Z"        # dev-pc-07 scan: the installer is there
T_INSTALL_END = "2022-04-05T09:02:00Z"
T_UNRELATED_SCAN = "2023-02-01T10:00:00Z"
T_ACCESS_BUILD01 = "2022-12-01T00:00:00Z"  # dev-pc-07 -> build01, no end
T_ACCESS_BUILD02 = "2022-01-10T00:00:00Z"  # dev-pc-07 -> build02 ...
T_ACCESS_BUILD02_END = "2022-06-01T00:00:00Z"  # ... ended after the compromise
T_ACCESS_HR = "2021-01-01T00:00:00Z"       # dev-pc-07 -> hr-laptop ...
T_ACCESS_HR_END = "2022-03-01T00:00:00Z"   # ... ended before the compromise
T_OLD_START = "2022-11-20T08:00:00Z"       # build01-ci-1041 (clean, 18.12.407)
T_OLD_END = "2022-11-20T09:30:00Z"
T_NEW_START = "2023-01-10T10:00:00Z"       # build01-ci-1187 (tampered ffmpeg.dll)
T_NEW_END = "2023-01-10T11:00:00Z"
T_SBOM_407 = "2022-11-21T12:00:00Z"
T_SBOM_416 = "2023-01-12T12:00:00Z"
T_SBOM_NOTES = "2022-10-01T12:00:00Z"
T_DEPLOY_A = "2023-02-01T08:00:00Z"        # 18.12.416 on cust-a-01
T_DEPLOY_B = "2023-02-15T08:00:00Z"        # 18.12.416 on cust-b-01
T_DEPLOY_C = "2022-12-15T08:00:00Z"        # 18.12.416 on cust-c-01: before 416 was compromised
T_DEPLOY_D = "2022-12-01T08:00:00Z"        # 18.12.407 on cust-d-01
T_DEPLOY_NOTES_A = "2023-03-01T08:00:00Z"  # ExampleNotes@2.1.0 on cust-a-01

BUILDER = "https://build01.example.com/ci"
BUILD_HOST = "build01.example.com"
OLD_BUILD = "build01-ci-1041"
NEW_BUILD = "build01-ci-1187"
REL_416 = "3CXDesktopApp@18.12.416"
REL_407 = "3CXDesktopApp@18.12.407"
REL_NOTES = "ExampleNotes@2.1.0"

shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
FILES = os.path.join(OUT, "files")  # the bytes the documents describe
DOCS = os.path.join(OUT, "docs")
os.makedirs(DOCS)

# --- the files -------------------------------------------------------------------------------
content = {
    "installer": marker("X_TRADER installer test marker"),
    "notes": text_file("dev-pc-07 meeting notes"),
    "vpn": text_file("dev-pc-07 vpn client settings", 12),
    "todo": text_file("unrelated-pc todo list"),
    "wallpaper": text_file("unrelated-pc wallpaper list", 7),
    "src_new": marker("3CXDesktopApp source tarball 18.12.416"),
    "src_old": marker("3CXDesktopApp source tarball 18.12.407"),
    "ffmpeg_bad": marker("tampered ffmpeg.dll test marker"),
    "d3d": marker("d3dcompiler_47.dll test marker"),
    "exe": marker("3CXDesktopApp.exe test marker"),
    "ffmpeg_clean": marker("clean ffmpeg.dll test marker"),
    "asar": marker("app.asar test marker"),
    "notes_app": marker("ExampleNotes.exe test marker"),
    "notes_lib": marker("ExampleNotes libnotes.dll test marker"),
    "notes_res": marker("ExampleNotes resources.pak test marker"),
}
H = {key: sha256(data) for key, data in content.items()}
assert len(set(H.values())) == len(H)
A = {key: "sha256:" + digest for key, digest in H.items()}  # node strings

placement = {  # where each file lives under FILES
    "installer": "dev-pc-07/X_TRADER-installer.test-marker",
    "notes": "dev-pc-07/meeting-notes.txt",
    "vpn": "dev-pc-07/vpn-client.conf",
    "todo": "unrelated-pc/todo.txt",
    "wallpaper": "unrelated-pc/wallpapers.txt",
    "src_new": "build01/src-18.12.416/3CXDesktopApp-src.tar",
    "src_old": "build01/src-18.12.407/3CXDesktopApp-src.tar",
    "ffmpeg_bad": "build01/out-18.12.416/ffmpeg.dll",
    "d3d": "build01/out-18.12.416/d3dcompiler_47.dll",
    "exe": "build01/out-18.12.407/3CXDesktopApp.exe",
    "ffmpeg_clean": "build01/out-18.12.407/ffmpeg.dll",
    "asar": "release/app.asar",
    "notes_app": "notes/ExampleNotes.exe",
    "notes_lib": "notes/libnotes.dll",
    "notes_res": "notes/resources.pak",
}
for key, rel in placement.items():
    write(os.path.join(FILES, rel), content[key])

# The ledger: every fact every document states, in the STORED direction (model.h).
facts = []
doc_list = []      # the main scenario's documents (paths relative to OUT)
doc_formats = {}   # relative path -> format name the ingest reports
names = {}         # document -> artifact node -> names it gives the artifact


def fact(doc, kind, src, dst, time=None, until=None, note=""):
    facts.append({"doc": doc, "kind": kind, "src": src, "dst": dst, "time": time,
                  "until": until, "note": note})


def name(doc, node, text):
    names.setdefault(doc, {}).setdefault(node, set()).add(text)


# --- scan reports (real `cascade scan`) --------------------------------------------------------
feed = os.path.join(OUT, "feed.sha256")
write(feed, "# X_TRADER test marker (fixture, not a real indicator)\n"
      f"{H['installer']}  X_TRADER-installer.test-marker\n")


def redate_scan(raw, started, finished, jsonl):
    """The scan ran just now; the story needs the day the files were there. Only `started` and
    `finished` change, so the report stays a valid cascade.scan/1 (or -jsonl/1) document."""
    if not jsonl:
        report = json.loads(raw)
        report["started"], report["finished"] = started, finished
        return json.dumps(report, indent=2) + "\n"
    lines = []
    for line in raw.decode().splitlines():
        record = json.loads(line)
        if record.get("record") == "scan":
            record["started"] = started
        if record.get("record") == "summary" and "finished" in record:
            record["finished"] = finished
        lines.append(json.dumps(record, separators=(",", ":")))
    return "\n".join(lines) + "\n"


def scan(host, directory, started, finished, jsonl, rel_out):
    args = [CASCADE, "scan", "--host", host, "--ioc", feed, "--threads", "1",
            "--jsonl" if jsonl else "--json", directory]
    raw = run(args, cwd=FILES, ok=(0, 1))  # 1: the ioc.hash finding is critical
    write(os.path.join(OUT, rel_out), redate_scan(raw, started, finished, jsonl))
    return rel_out


def scan_facts(doc, host, keys, started):
    for key in keys:
        fact(doc, "ran-on", A[key], "host:" + host, started)
        name(doc, A[key], placement[key])


SCAN_DEV = scan("dev-pc-07", "dev-pc-07", T_INSTALL, T_INSTALL_END, False,
                "docs/scan-dev-pc-07.json")
scan_facts(SCAN_DEV, "dev-pc-07", ["installer", "notes", "vpn"], T_INSTALL)
SCAN_UNRELATED = scan("unrelated-pc", "unrelated-pc", T_UNRELATED_SCAN, T_UNRELATED_SCAN, True,
                      "docs/scan-unrelated-pc.jsonl")
scan_facts(SCAN_UNRELATED, "unrelated-pc", ["todo", "wallpaper"], T_UNRELATED_SCAN)
doc_list += [SCAN_DEV, SCAN_UNRELATED]
doc_formats.update({SCAN_DEV: "scan", SCAN_UNRELATED: "scan"})

# The re-dated report is still a valid cascade.scan/1 document.
SCAN_SCHEMA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "docs", "schema", "cascade.scan-1.schema.json")
with open(os.path.join(OUT, SCAN_DEV)) as fh:
    report = json.load(fh)
if os.path.exists(SCAN_SCHEMA):
    import jsonschema
    with open(SCAN_SCHEMA) as fh:
        scan_schema = json.load(fh)
    # jsonschema 4.10 cannot join fragments onto urn: ids: merge the inspect definitions the
    # scan schema refers to (as tests/schema/validate_scan.py does).
    with open(os.path.join(os.path.dirname(SCAN_SCHEMA), "cascade.inspect-1.schema.json")) as fh:
        inspect_schema = json.load(fh)
    merged = json.loads(json.dumps(scan_schema).replace(inspect_schema["$id"] + "#/$defs/",
                                                        "#/$defs/"))
    merged["$defs"].update(inspect_schema["$defs"])
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in jsonschema.Draft202012Validator(merged).iter_errors(report)]
    assert not errors, f"the re-dated scan report does not validate: {errors[:5]}"
# The report must carry the installer's ioc.hash finding and nothing high on the benign files.
by_path = {f["path"]: f for f in report["files"]}
assert [x["id"] for x in by_path[placement["installer"]]["findings"]] == ["ioc.hash"], by_path
for key in ("notes", "vpn"):
    assert not [x for x in by_path[placement[key]]["findings"]
                if x["severity"] in ("high", "critical") or x["id"].startswith(("ioc.", "yara."))]

# --- builds (real `cascade attest`) ----------------------------------------------------------
keys = os.path.join(OUT, "keys")
os.makedirs(keys)
run([CASCADE, "key", "generate", "-o", os.path.join(keys, "ci")])
BUNDLE = "docs/builds.intoto.jsonl"


def attest(output, invocation, started, finished, materials, products, append):
    args = [CASCADE, "attest", "--builder-id", BUILDER,
            "--build-type", "https://example.com/3cx/msbuild/v1",
            "--key", os.path.join(keys, "ci.key"), "--invocation-id", invocation,
            "--started", started, "--finished", finished, "--threads", "1",
            "--param", "configuration=Release", "-o", os.path.join(OUT, output),
            "--materials"] + [os.path.join(FILES, placement[k]) for k in materials] + \
           ["--products"] + [os.path.join(FILES, placement[k]) for k in products]
    run(args + (["--append"] if append else []))


def build_facts(doc, invocation, started, finished, materials, products):
    build = "build:" + invocation
    fact(doc, "built-on", build, "host:" + BUILD_HOST, started, finished)
    for key in materials:
        fact(doc, "consumed", build, A[key], started)
        name(doc, A[key], os.path.basename(placement[key]))
    for key in products:
        fact(doc, "produced", build, A[key], finished)
        name(doc, A[key], os.path.basename(placement[key]))


OLD = (OLD_BUILD, T_OLD_START, T_OLD_END, ["src_old"], ["exe", "ffmpeg_clean"])
NEW = (NEW_BUILD, T_NEW_START, T_NEW_END, ["src_new"], ["ffmpeg_bad", "d3d"])
attest(BUNDLE, *OLD, append=False)
attest(BUNDLE, *NEW, append=True)
build_facts(BUNDLE, *OLD)
build_facts(BUNDLE, *NEW)
doc_list.append(BUNDLE)
doc_formats[BUNDLE] = "in-toto"
with open(os.path.join(OUT, BUNDLE)) as f:
    envelopes = [json.loads(line) for line in f if line.strip()]
assert len(envelopes) == 2


# --- SBOMs (hand-written standard documents) --------------------------------------------------
def cdx_component(kind, name_, key=None, ref=None, upper=False, children=None, sha1=False):
    comp = {"type": kind, "bom-ref": ref or name_, "name": name_}
    if key:
        digest = H[key].upper() if upper else H[key]
        comp["hashes"] = [{"alg": "SHA-256", "content": digest}]
        if sha1:
            comp["hashes"].insert(0, {"alg": "SHA-1",
                                      "content": hashlib.sha1(content[key]).hexdigest()})
    if children:
        comp["components"] = children
    return comp


def cyclonedx(spec, release, timestamp, components, top_key=None, serial="0"):
    product, version = release.split("@")
    top = {"type": "application", "bom-ref": "release", "name": product, "version": version}
    if top_key:
        top["hashes"] = [{"alg": "SHA-256", "content": H[top_key]}]
    tool = {"vendor": "cascade tests", "name": "make-scenario.py", "version": "1"}
    tools = [tool] if spec == "1.4" else {"components": [
        {"type": "application", "name": "make-scenario.py", "version": "1"}]}
    return {"bomFormat": "CycloneDX", "specVersion": spec,
            "serialNumber": f"urn:uuid:6c0d3a39-4f7e-4b8e-9a51-0000000000{serial}",
            "version": 1,
            "metadata": {"timestamp": timestamp, "tools": tools, "component": top},
            "components": components,
            "dependencies": [{"ref": "release", "dependsOn": [c["bom-ref"] for c in components]}]}


def spdx(release, created, files, namespace):
    product, version = release.split("@")
    file_entries, checksums_sha1 = [], []
    for i, (key, file_name) in enumerate(files):
        sha1 = hashlib.sha1(content[key]).hexdigest()
        checksums_sha1.append(sha1)
        file_entries.append({"SPDXID": f"SPDXRef-File-{i}", "fileName": file_name,
                             "checksums": [{"algorithm": "SHA1", "checksumValue": sha1},
                                           {"algorithm": "SHA256", "checksumValue": H[key]}]})
    verification = hashlib.sha1("".join(sorted(checksums_sha1)).encode()).hexdigest()
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": f"{product}-{version}",
            "documentNamespace": f"https://example.invalid/spdx/{namespace}",
            "creationInfo": {"created": created, "creators": ["Tool: cascade-make-scenario-1"]},
            "documentDescribes": ["SPDXRef-Package-app"],
            "packages": [{"SPDXID": "SPDXRef-Package-app", "name": product,
                          "versionInfo": version, "downloadLocation": "NOASSERTION",
                          "filesAnalyzed": True,
                          "packageVerificationCode": {"packageVerificationCodeValue":
                                                      verification},
                          "hasFiles": [f["SPDXID"] for f in file_entries]}],
            "files": file_entries,
            "relationships": [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType":
                               "DESCRIBES", "relatedSpdxElement": "SPDXRef-Package-app"}] +
                             [{"spdxElementId": "SPDXRef-Package-app",
                               "relationshipType": "CONTAINS",
                               "relatedSpdxElement": f["SPDXID"]} for f in file_entries]}


def release_facts(doc, release, timestamp, contained):
    for key, text in contained:
        # A release holds its content from its creation: the SBOM's time is not the fact's.
        fact(doc, "contains", "release:" + release, A[key], None)
        name(doc, A[key], text)


# 18.12.416: the tampered ffmpeg.dll nested under a resources component without a digest (not
# an artifact, not an error), its digest in upper case (artifact keys are lower-cased), the
# unchanged exe shared with 18.12.407, and an app.asar no build produced.
CDX_416 = "docs/3CXDesktopApp-18.12.416.cdx.json"
write_json(os.path.join(OUT, CDX_416), cyclonedx("1.5", REL_416, T_SBOM_416, [
    cdx_component("application", "3CXDesktopApp.exe", "exe", sha1=True),
    cdx_component("library", "3CXDesktopApp-native", ref="native", children=[
        cdx_component("file", "ffmpeg.dll", "ffmpeg_bad", upper=True),
        cdx_component("file", "d3dcompiler_47.dll", "d3d")]),
    cdx_component("file", "app.asar", "asar")], serial="16"))
release_facts(CDX_416, REL_416, T_SBOM_416, [("exe", "3CXDesktopApp.exe"),
                                             ("ffmpeg_bad", "ffmpeg.dll"),
                                             ("d3d", "d3dcompiler_47.dll"),
                                             ("asar", "app.asar")])
SPDX_407 = "docs/3CXDesktopApp-18.12.407.spdx.json"
write_json(os.path.join(OUT, SPDX_407), spdx(REL_407, T_SBOM_407, [
    ("exe", "./3CXDesktopApp.exe"), ("ffmpeg_clean", "./ffmpeg.dll")], "3cx-18.12.407-0001"))
release_facts(SPDX_407, REL_407, T_SBOM_407, [("exe", "./3CXDesktopApp.exe"),
                                             ("ffmpeg_clean", "./ffmpeg.dll")])
# The unrelated release: CycloneDX 1.4 (tools as an array), the top component hashed too.
CDX_NOTES = "docs/ExampleNotes-2.1.0.cdx.json"
write_json(os.path.join(OUT, CDX_NOTES), cyclonedx("1.4", REL_NOTES, T_SBOM_NOTES, [
    cdx_component("library", "libnotes.dll", "notes_lib"),
    cdx_component("file", "resources.pak", "notes_res")], top_key="notes_app", serial="21"))
release_facts(CDX_NOTES, REL_NOTES, T_SBOM_NOTES, [("notes_app", "ExampleNotes"),
                                                  ("notes_lib", "libnotes.dll"),
                                                  ("notes_res", "resources.pak")])
doc_list += [CDX_416, SPDX_407, CDX_NOTES]
doc_formats.update({CDX_416: "cyclonedx", SPDX_407: "spdx", CDX_NOTES: "cyclonedx"})


# --- events (docs/events.md) ------------------------------------------------------------------
# The one place that spells the events format.
def event(kind, **fields):
    return json.dumps({"event": kind, **fields}, separators=(",", ":"))


def ev_ran_on(key, host, time, path=None):
    fields = {"artifact": A[key], "host": host, "time": time}
    if path:
        fields["name"] = path
    return event("ran-on", **fields)


def ev_access(src, dst, time, until=None, via=None):
    fields = {"from": src, "to": dst, "time": time}
    if until:
        fields["until"] = until
    if via:
        fields["via"] = via
    return event("access", **fields)


def ev_deployed(release, host, time):
    return event("deployed-on", release=release, host=host, time=time)


def ev_owned(host, org):
    return event("owned-by", host=host, org=org)


EVENTS = "docs/events.jsonl"
MALFORMED_LINE = 5
event_lines = [
    (ev_access("dev-pc-07", BUILD_HOST, T_ACCESS_BUILD01, via="rdp"),
     ("access", "host:dev-pc-07", "host:" + BUILD_HOST, T_ACCESS_BUILD01, None, "rdp")),
    (ev_access("dev-pc-07", "build02", T_ACCESS_BUILD02, T_ACCESS_BUILD02_END),
     ("access", "host:dev-pc-07", "host:build02", T_ACCESS_BUILD02, T_ACCESS_BUILD02_END, "")),
    (ev_access("dev-pc-07", "hr-laptop", T_ACCESS_HR, T_ACCESS_HR_END),
     ("access", "host:dev-pc-07", "host:hr-laptop", T_ACCESS_HR, T_ACCESS_HR_END, "")),
    (ev_deployed(REL_416, "cust-a-01", T_DEPLOY_A),
     ("deployed-on", "release:" + REL_416, "host:cust-a-01", T_DEPLOY_A, None, "")),
    # line 5: malformed (cut off mid-object); skipped, reported as PATH:5, the rest ingested
    ('{"event":"deployed-on","release":"' + REL_416 + '","host":"cust-z-01","ti', None),
    (ev_deployed(REL_416, "cust-b-01", T_DEPLOY_B),
     ("deployed-on", "release:" + REL_416, "host:cust-b-01", T_DEPLOY_B, None, "")),
    (ev_deployed(REL_416, "cust-c-01", T_DEPLOY_C),
     ("deployed-on", "release:" + REL_416, "host:cust-c-01", T_DEPLOY_C, None, "")),
    (ev_deployed(REL_407, "cust-d-01", T_DEPLOY_D),
     ("deployed-on", "release:" + REL_407, "host:cust-d-01", T_DEPLOY_D, None, "")),
    (ev_deployed(REL_NOTES, "cust-a-01", T_DEPLOY_NOTES_A),
     ("deployed-on", "release:" + REL_NOTES, "host:cust-a-01", T_DEPLOY_NOTES_A, None, "")),
    (ev_owned("cust-a-01", "Customer A"), ("owned-by", "host:cust-a-01", "org:Customer A")),
    (ev_owned("cust-b-01", "Customer B"), ("owned-by", "host:cust-b-01", "org:Customer B")),
    (ev_owned("cust-c-01", "Customer C"), ("owned-by", "host:cust-c-01", "org:Customer C")),
    (ev_owned("cust-d-01", "Customer D"), ("owned-by", "host:cust-d-01", "org:Customer D")),
]
assert event_lines[MALFORMED_LINE - 1][1] is None
write(os.path.join(OUT, EVENTS), "".join(line + "\n" for line, _ in event_lines))
for _, f in event_lines:
    if f:
        fact(EVENTS, f[0], f[1], f[2], *f[3:])
doc_list.append(EVENTS)
doc_formats[EVENTS] = "events"

# --- variants: the same facts through other formats ------------------------------------------
# Each variant is a full document list; the answers must equal the main scenario's.
variants = {}
VAR = "variants"


def variant(name_, replace, extra_docs):
    docs = [d for d in doc_list if d not in replace] + extra_docs
    variants[name_] = {"documents": docs, "replaces": replace}


# 1. The installer's (and the benign files') ran-on facts as events lines, not a scan report.
EV_RAN = f"{VAR}/ran-on-events/dev-pc-07.events.jsonl"
# The installer's line names its path (as the scan report does); the benign files' lines do not.
write(os.path.join(OUT, EV_RAN), ev_ran_on("installer", "dev-pc-07", T_INSTALL,
                                           placement["installer"]) + "\n" +
      "".join(ev_ran_on(k, "dev-pc-07", T_INSTALL) + "\n" for k in ("notes", "vpn")))
for key in ("installer", "notes", "vpn"):
    fact(EV_RAN, "ran-on", A[key], "host:dev-pc-07", T_INSTALL)
name(EV_RAN, A["installer"], placement["installer"])
variant("ran-on-events", [SCAN_DEV], [EV_RAN])
doc_formats[EV_RAN] = "events"

# 2. dev-pc-07's scan as JSON Lines, unrelated-pc's as one JSON document.
SCAN_DEV_JSONL = scan("dev-pc-07", "dev-pc-07", T_INSTALL, T_INSTALL_END, True,
                      f"{VAR}/scan-formats/scan-dev-pc-07.jsonl")
scan_facts(SCAN_DEV_JSONL, "dev-pc-07", ["installer", "notes", "vpn"], T_INSTALL)
SCAN_UNRELATED_JSON = scan("unrelated-pc", "unrelated-pc", T_UNRELATED_SCAN, T_UNRELATED_SCAN,
                           False, f"{VAR}/scan-formats/scan-unrelated-pc.json")
scan_facts(SCAN_UNRELATED_JSON, "unrelated-pc", ["todo", "wallpaper"], T_UNRELATED_SCAN)
variant("scan-formats", [SCAN_DEV, SCAN_UNRELATED], [SCAN_DEV_JSONL, SCAN_UNRELATED_JSON])
doc_formats.update({SCAN_DEV_JSONL: "scan", SCAN_UNRELATED_JSON: "scan"})

# 3. SBOM formats swapped: 18.12.416 as SPDX 2.3, 18.12.407 and ExampleNotes as CycloneDX 1.6.
SPDX_416 = f"{VAR}/sbom-swapped/3CXDesktopApp-18.12.416.spdx.json"
write_json(os.path.join(OUT, SPDX_416), spdx(REL_416, T_SBOM_416, [
    ("exe", "./3CXDesktopApp.exe"), ("ffmpeg_bad", "./native/ffmpeg.dll"),
    ("d3d", "./native/d3dcompiler_47.dll"), ("asar", "./resources/app.asar")],
    "3cx-18.12.416-0001"))
release_facts(SPDX_416, REL_416, T_SBOM_416, [("exe", "./3CXDesktopApp.exe"),
                                             ("ffmpeg_bad", "./native/ffmpeg.dll"),
                                             ("d3d", "./native/d3dcompiler_47.dll"),
                                             ("asar", "./resources/app.asar")])
CDX_407 = f"{VAR}/sbom-swapped/3CXDesktopApp-18.12.407.cdx.json"
write_json(os.path.join(OUT, CDX_407), cyclonedx("1.6", REL_407, T_SBOM_407, [
    cdx_component("application", "3CXDesktopApp.exe", "exe"),
    cdx_component("file", "ffmpeg.dll", "ffmpeg_clean")], serial="07"))
release_facts(CDX_407, REL_407, T_SBOM_407, [("exe", "3CXDesktopApp.exe"),
                                            ("ffmpeg_clean", "ffmpeg.dll")])
CDX16_NOTES = f"{VAR}/sbom-swapped/ExampleNotes-2.1.0.cdx.json"
write_json(os.path.join(OUT, CDX16_NOTES), cyclonedx("1.6", REL_NOTES, T_SBOM_NOTES, [
    cdx_component("library", "libnotes.dll", "notes_lib", children=[
        cdx_component("file", "resources.pak", "notes_res")])],
    top_key="notes_app", serial="22"))
release_facts(CDX16_NOTES, REL_NOTES, T_SBOM_NOTES, [("notes_app", "ExampleNotes"),
                                                    ("notes_lib", "libnotes.dll"),
                                                    ("notes_res", "resources.pak")])
variant("sbom-swapped", [CDX_416, SPDX_407, CDX_NOTES], [SPDX_416, CDX_407, CDX16_NOTES])
doc_formats.update({SPDX_416: "spdx", CDX_407: "cyclonedx", CDX16_NOTES: "cyclonedx"})

# 4. The attestations in other in-toto forms: the clean build as a bare Statement v1 (the
# envelope's payload), the tampered one as a pretty-printed DSSE envelope inside a Sigstore
# bundle (v0.3 shape, key hint; nothing online).
ST_OLD = f"{VAR}/intoto-forms/{OLD_BUILD}.statement.json"
write(os.path.join(OUT, ST_OLD), base64.b64decode(envelopes[0]["payload"]))
assert json.loads(base64.b64decode(envelopes[0]["payload"]))[
    "predicate"]["runDetails"]["metadata"]["invocationId"] == OLD_BUILD
build_facts(ST_OLD, *OLD)
SIG_NEW = f"{VAR}/intoto-forms/{NEW_BUILD}.sigstore.json"
key_id = run([CASCADE, "key", "id", os.path.join(keys, "ci.pub")]).decode().split()[-1]
write_json(os.path.join(OUT, SIG_NEW), {
    "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
    "verificationMaterial": {"publicKey": {"hint": key_id}, "tlogEntries": []},
    "dsseEnvelope": envelopes[1]})
build_facts(SIG_NEW, *NEW)
variant("intoto-forms", [BUNDLE], [ST_OLD, SIG_NEW])
doc_formats.update({ST_OLD: "in-toto", SIG_NEW: "in-toto"})

# 5. One DSSE envelope a file (pretty JSON), and the events split in two files in another order.
ENV_OLD = f"{VAR}/split/{OLD_BUILD}.dsse.json"
ENV_NEW = f"{VAR}/split/{NEW_BUILD}.dsse.json"
write_json(os.path.join(OUT, ENV_OLD), envelopes[0])
write_json(os.path.join(OUT, ENV_NEW), envelopes[1])
build_facts(ENV_OLD, *OLD)
build_facts(ENV_NEW, *NEW)
good_events = [(line, f) for line, f in event_lines if f]
halves = {f"{VAR}/split/events-1.jsonl": good_events[1::2][::-1],
          f"{VAR}/split/events-2.jsonl": good_events[0::2][::-1]}
for rel, lines in halves.items():
    write(os.path.join(OUT, rel), "".join(line + "\n" for line, _ in lines))
    for _, f in lines:
        fact(rel, f[0], f[1], f[2], *f[3:])
    doc_formats[rel] = "events"
variant("split", [BUNDLE, EVENTS], [ENV_OLD, ENV_NEW] + list(halves))
doc_formats.update({ENV_OLD: "in-toto", ENV_NEW: "in-toto"})

# --- the answers, by hand from the rules in docs/graph.md --------------------------------------
# Forward from the installer (a = -inf at the seed):
#   ran-on    installer -> dev-pc-07            always          max(-inf, T_INSTALL) = T_INSTALL
#   access    dev-pc-07 -> build01 (no until)   a <= +inf       max(T_INSTALL, 2022-12-01)
#   access    dev-pc-07 -> build02 (u 06-01)    04-05 <= 06-01  max(T_INSTALL, 2022-01-10)
#   access    dev-pc-07 -> hr-laptop (u 03-01)  04-05 > 03-01   NOT propagated
#   built-on  build01 -> 1041 (u 2022-11-20)    12-01 > 11-20   NOT propagated (finished before)
#   built-on  build01 -> 1187 (u 2023-01-10)    12-01 <= u      max(12-01, T_NEW_START)
#   produced  1187 -> ffmpeg.dll, d3dcompiler   always          max(T_NEW_START, T_NEW_END)
#   contains  ffmpeg.dll -> 18.12.416           always          a = T_NEW_END
#   deployed  416 -> cust-a-01 (02-01)          11:00 <= 02-01  T_DEPLOY_A
#   deployed  416 -> cust-b-01 (02-15)          yes             T_DEPLOY_B
#   deployed  416 -> cust-c-01 (2022-12-15)     2023-01-10 > t  NOT propagated
#   owned-by  cust-a-01 -> Customer A, cust-b-01 -> Customer B  a
# Not reached at all: the benign files, the materials (nothing propagates host -> artifact or
# build -> material), the exe (only the clean build made it), 18.12.407, cust-d-01, ExampleNotes.
forward = {  # node -> (earliest time, hops of the shortest earliest path)
    "host:dev-pc-07": (T_INSTALL, 1),
    "host:build02": (T_INSTALL, 2),
    "host:" + BUILD_HOST: (T_ACCESS_BUILD01, 2),
    "build:" + NEW_BUILD: (T_NEW_START, 3),
    A["ffmpeg_bad"]: (T_NEW_END, 4),
    A["d3d"]: (T_NEW_END, 4),
    "release:" + REL_416: (T_NEW_END, 5),
    "host:cust-a-01": (T_DEPLOY_A, 6),
    "host:cust-b-01": (T_DEPLOY_B, 6),
    "org:Customer A": (T_DEPLOY_A, 7),
    "org:Customer B": (T_DEPLOY_B, 7),
}
forward_summary = {"artifact": 2, "host": 5, "build": 1, "release": 1, "org": 2, "package": 0}
# The same with --since 2022-12-02: dev-pc-07 = max(since, T_INSTALL) = since; build02's access
# ended 2022-06-01 < since: NOT propagated; build01 = max(since, 12-01) = since; 1187 still runs
# after it (since <= T_NEW_END), so the rest is unchanged.
SINCE = "2022-12-02T00:00:00Z"
forward_since = {
    "host:dev-pc-07": (SINCE, 1),
    "host:" + BUILD_HOST: (SINCE, 2),
    "build:" + NEW_BUILD: (T_NEW_START, 3),
    A["ffmpeg_bad"]: (T_NEW_END, 4),
    A["d3d"]: (T_NEW_END, 4),
    "release:" + REL_416: (T_NEW_END, 5),
    "host:cust-a-01": (T_DEPLOY_A, 6),
    "host:cust-b-01": (T_DEPLOY_B, 6),
    "org:Customer A": (T_DEPLOY_A, 7),
    "org:Customer B": (T_DEPLOY_B, 7),
}
forward_since_summary = {"artifact": 2, "host": 4, "build": 1, "release": 1, "org": 2,
                         "package": 0}
must_not = ["host:hr-laptop", "build:" + OLD_BUILD, A["exe"], A["ffmpeg_clean"],
            "release:" + REL_407, "host:cust-c-01", "host:cust-d-01", "org:Customer C",
            "org:Customer D", "host:unrelated-pc", A["notes"], A["vpn"], A["src_new"],
            A["src_old"], A["asar"], "release:" + REL_NOTES]

# Root cause of host:cust-a-01 (L = +inf): every node with a rule-respecting path to it, with
# the latest time it could have been compromised and still reach it, and its fewest hops.
#   416 -> cust-a-01 deployed 02-01: a <= T_DEPLOY_A            L(416) = T_DEPLOY_A
#   ExampleNotes -> cust-a-01 deployed 03-01                    L = T_DEPLOY_NOTES_A
#   contents (contains, time = a): exe, ffmpeg.dll, d3d, app.asar -> 416; notes files -> Notes
#   1187, 1041 (produced, finish <= L): L = T_DEPLOY_A; their materials likewise (started <= L)
#   build01 (built-on, a <= finished): max(1187: T_NEW_END, 1041: T_OLD_END) = T_NEW_END
#   dev-pc-07 (access from 12-01, no until, max(a, 12-01) <= T_NEW_END)      = T_NEW_END
#   installer, meeting notes, vpn conf (ran-on at T_INSTALL <= T_NEW_END)      = T_NEW_END
# Not candidates: build02, hr-laptop (no way on to cust-a-01), 18.12.407 and its clean ffmpeg.dll
# (never deployed there), cust-b/c/d, orgs, unrelated-pc and its files.
root_cause_seed = "host:cust-a-01"
root_cause = {  # node -> (latest time, hops, known-bad signals on its path)
    A["installer"]: (T_NEW_END, 6, 1),
    "release:" + REL_416: (T_DEPLOY_A, 1, 0),
    "release:" + REL_NOTES: (T_DEPLOY_NOTES_A, 1, 0),
    A["exe"]: (T_DEPLOY_A, 2, 0),
    A["ffmpeg_bad"]: (T_DEPLOY_A, 2, 0),
    A["d3d"]: (T_DEPLOY_A, 2, 0),
    A["asar"]: (T_DEPLOY_A, 2, 0),
    A["notes_app"]: (T_DEPLOY_NOTES_A, 2, 0),
    A["notes_lib"]: (T_DEPLOY_NOTES_A, 2, 0),
    A["notes_res"]: (T_DEPLOY_NOTES_A, 2, 0),
    "build:" + OLD_BUILD: (T_DEPLOY_A, 3, 0),
    "build:" + NEW_BUILD: (T_DEPLOY_A, 3, 0),
    "host:" + BUILD_HOST: (T_NEW_END, 4, 0),
    A["src_old"]: (T_DEPLOY_A, 4, 0),
    A["src_new"]: (T_DEPLOY_A, 4, 0),
    "host:dev-pc-07": (T_NEW_END, 5, 0),
    A["notes"]: (T_NEW_END, 6, 0),
    A["vpn"]: (T_NEW_END, 6, 0),
}
# Ranking: signals (more first), then hops (fewer first), then the node string.
rank_tiers = [[A["installer"]],
              ["release:" + REL_416, "release:" + REL_NOTES],
              [A["exe"], A["ffmpeg_bad"], A["d3d"], A["asar"], A["notes_app"], A["notes_lib"],
               A["notes_res"]],
              ["build:" + OLD_BUILD, "build:" + NEW_BUILD],
              ["host:" + BUILD_HOST, A["src_old"], A["src_new"]],
              ["host:dev-pc-07"],
              [A["notes"], A["vpn"]]]
assert sorted(n for tier in rank_tiers for n in tier) == sorted(root_cause)
root_cause_order = [n for tier in rank_tiers for n in sorted(tier)]

# Node and edge counts of the main scenario's graph (the distinct nodes the ledger names; each
# document's facts are stored as its own rows).
main_facts = [f for f in facts if f["doc"] in doc_list]
nodes = set()
for f in main_facts:
    nodes.update((f["src"], f["dst"]))


def doc_info(rel):
    with open(os.path.join(OUT, rel), "rb") as fh:
        data = fh.read()
    own = [f for f in facts if f["doc"] == rel]
    named = set()
    for f in own:
        named.update((f["src"], f["dst"]))
    return {"path": rel, "sha256": sha256(data), "format": doc_formats[rel],
            "edges": len({(f["kind"], f["src"], f["dst"], f["time"], f["until"], f["note"])
                          for f in own}),
            "nodes": len(named)}


all_docs = sorted({d for d in doc_list} | {d for v in variants.values() for d in v["documents"]})
expected = {
    "schema": "cascade-tests.graph-scenario/1",
    "note": "answers written by hand from the propagation rules (make-scenario.py)",
    "documents": doc_list,
    "document_info": {rel: doc_info(rel) for rel in all_docs},
    "malformed": {"path": EVENTS, "line": MALFORMED_LINE},
    "facts": facts,
    "names": {doc: {node: sorted(texts) for node, texts in by_node.items()}
              for doc, by_node in names.items()},
    "graph": {"nodes": len(nodes), "edges": len(main_facts)},
    "seed": A["installer"],
    "forward": {"affected": {n: {"time": t, "hops": h} for n, (t, h) in forward.items()},
                "summary": forward_summary, "must_not": must_not},
    "forward_since": {"since": SINCE,
                      "affected": {n: {"time": t, "hops": h} for n, (t, h) in
                                   forward_since.items()},
                      "summary": forward_since_summary},
    "root_cause": {"seed": root_cause_seed,
                   "candidates": {n: {"time": t, "hops": h, "signals": s}
                                  for n, (t, h, s) in root_cause.items()},
                   "top": A["installer"], "order": root_cause_order,
                   "signal_finding": "ioc.hash"},
    "variants": variants,
    "artifacts": {key: A[key] for key in content},
}
write_json(os.path.join(OUT, "expected.json"), expected)
print(f"scenario in {OUT}: {len(doc_list)} documents, {len(main_facts)} facts, "
      f"{len(variants)} variants")
