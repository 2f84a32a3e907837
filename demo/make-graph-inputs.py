#!/usr/bin/python3
"""The inventory facts of the demo's story, beside what the earlier demo steps produced.

A developer PC ran a trojanized trading-program installer (here: marker bytes only), the PC had
credentials for the vendor's CI host, the CI host built ExamplePhone 1.1, and 1.1 reached
customers. Writes into DEMO/graph: dev-pc/ (a folder to scan), feeds/installer.txt (the hash a
CERT would publish), the vendor's SBOMs (CycloneDX 1.5 for 1.1, SPDX 2.3 for 1.0) and
events.jsonl (facts no standard covers: when the installer ran, access, deployments, owners).
Usage: make-graph-inputs.py DEMO_DIR
"""
import hashlib
import json
import os
import sys


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sha1(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def release_files(demo, release):
    folder = os.path.join(demo, release)
    return [(name, os.path.join(folder, name)) for name in sorted(os.listdir(folder))]


def cyclonedx(demo, release, version, timestamp):
    components = [{"type": "file", "bom-ref": name, "name": name,
                   "hashes": [{"alg": "SHA-256", "content": sha256(path)}]}
                  for name, path in release_files(demo, release)]
    return {"bomFormat": "CycloneDX", "specVersion": "1.5",
            "serialNumber": "urn:uuid:5f0c6a52-1b7e-4c55-9d8e-%012d" % int(version.replace(".", "")),
            "version": 1,
            "metadata": {"timestamp": timestamp,
                         "component": {"type": "application", "bom-ref": "app",
                                       "name": "ExamplePhone", "version": version}},
            "components": components}


def spdx(demo, release, version, created):
    files, ids = [], []
    for index, (name, path) in enumerate(release_files(demo, release)):
        ids.append("SPDXRef-File-%d" % index)
        files.append({"SPDXID": ids[-1], "fileName": "./" + name,
                      "checksums": [{"algorithm": "SHA1", "checksumValue": sha1(path)},
                                    {"algorithm": "SHA256", "checksumValue": sha256(path)}]})
    code = hashlib.sha1("".join(sorted(f["checksums"][0]["checksumValue"] for f in files))
                        .encode()).hexdigest()
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": "ExamplePhone-" + version,
            "documentNamespace": "https://example.invalid/spdx/ExamplePhone-" + version,
            "creationInfo": {"created": created, "creators": ["Tool: cascade-demo"]},
            "documentDescribes": ["SPDXRef-Package-app"],
            "packages": [{"SPDXID": "SPDXRef-Package-app", "name": "ExamplePhone",
                          "versionInfo": version, "downloadLocation": "NOASSERTION",
                          "filesAnalyzed": True,
                          "packageVerificationCode": {"packageVerificationCodeValue": code},
                          "hasFiles": ids}],
            "files": files}


def main():
    demo = sys.argv[1]
    out = os.path.join(demo, "graph")
    os.makedirs(os.path.join(out, "dev-pc", "Downloads"), exist_ok=True)
    os.makedirs(os.path.join(out, "feeds"), exist_ok=True)
    installer = os.path.join(out, "dev-pc", "Downloads", "TradingDesk_setup.exe")
    with open(installer, "wb") as f:  # marker bytes, never code
        f.write(b"cascade demo: stands for a trojanized trading-program installer\n" * 64)
    with open(os.path.join(out, "dev-pc", "notes.txt"), "w") as f:
        f.write("build checklist\n")
    installer_sha = sha256(installer)
    with open(os.path.join(out, "feeds", "installer.txt"), "w") as f:
        f.write("# trading-program installer, trojanized (demo)\n%s  TradingDesk_setup.exe\n"
                % installer_sha)
    with open(os.path.join(out, "ExamplePhone-1.1.cdx.json"), "w") as f:
        json.dump(cyclonedx(demo, "release-1.1", "1.1", "2024-03-09T16:30:00Z"), f, indent=1)
    with open(os.path.join(out, "ExamplePhone-1.0.spdx.json"), "w") as f:
        json.dump(spdx(demo, "release-1.0", "1.0", "2023-11-14T22:20:00Z"), f, indent=1)
    events = [
        {"event": "ran-on", "artifact": "sha256:" + installer_sha, "host": "dev-pc",
         "time": "2023-12-04T09:12:00Z", "name": "TradingDesk_setup.exe"},
        {"event": "access", "from": "dev-pc", "to": "ci.example.com",
         "time": "2024-01-15T08:00:00Z", "via": "developer's saved CI credentials"},
        {"event": "access", "from": "dev-pc", "to": "hr-share",
         "time": "2023-01-01T00:00:00Z", "until": "2023-06-30T00:00:00Z", "via": "old project"},
        {"event": "deployed-on", "release": "ExamplePhone@1.0", "host": "customer-pc",
         "time": "2023-11-20T10:00:00Z"},
        {"event": "deployed-on", "release": "ExamplePhone@1.1", "host": "customer-pc",
         "time": "2024-03-12T10:00:00Z"},
        {"event": "deployed-on", "release": "ExamplePhone@1.1", "host": "clinic-frontdesk",
         "time": "2024-03-13T15:30:00Z"},
        {"event": "deployed-on", "release": "ExamplePhone@1.0", "host": "school-office",
         "time": "2023-12-01T09:00:00Z"},
        {"event": "owned-by", "host": "customer-pc", "org": "Acme Dental"},
        {"event": "owned-by", "host": "clinic-frontdesk", "org": "Northside Clinic"},
        {"event": "owned-by", "host": "school-office", "org": "Hill School"},
    ]
    with open(os.path.join(out, "events.jsonl"), "w") as f:
        for event in events:
            f.write(json.dumps(event) + "\n")
    print(installer_sha)


if __name__ == "__main__":
    main()
