#!/usr/bin/env bash
# graph-seeds.sh SEED_ROOT [FIXTURE_DIR]: seeds for graph_fuzzer in SEED_ROOT/graph/: one document
# of every format graph ingest reads (scan JSON and JSON Lines, in-toto statement, DSSE envelope,
# .intoto.jsonl bundle, Sigstore bundle, in-toto link, CycloneDX, SPDX, events).
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 SEED_ROOT [FIXTURE_DIR]" >&2; exit 2; }
seeds=$1/graph
mkdir -p "$seeds"
a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
b=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB
c=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc

run='"tool":{"name":"cascade","version":"0.7.0"},"host":"ws01","started":"2024-05-01T10:00:00Z","roots":["C:/"],"feeds":[],"rules":[],"rule_count":0'
file_a='"path":"C:/x.dll","size":1,"format":"pe","sha256":"'$a'","findings":[{"id":"ioc.sha256","severity":"critical","message":"m"}]'
file_b='"path":"C:/s.msi!in.dll","size":1,"format":"pe","sha256":"'$c'","findings":[{"id":"pe.overlay","severity":"info","message":"m"}]'
summary='"summary":{"files":1,"nested_files":1,"bytes":2,"containers":1,"errors":0,"findings":{"critical":1,"high":0,"medium":0,"low":0,"info":1}}'
printf '{"schema":"cascade.scan/1",%s,"files":[{%s},{%s},{"path":"gone","size":0,"format":"unknown","sha256":null,"findings":[]}],"finished":"2024-05-01T10:05:00Z",%s}\n' \
  "$run" "$file_a" "$file_b" "$summary" >"$seeds/scan.json"
printf '{"record":"scan","schema":"cascade.scan-jsonl/1",%s}\n{"record":"file",%s}\n{"record":"file",%s}\n{"record":"summary","finished":"2024-05-01T10:05:00Z",%s}\n' \
  "$run" "$file_a" "$file_b" "$summary" >"$seeds/scan.jsonl"

statement='{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app.exe","digest":{"sha256":"'$a'"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"t","externalParameters":{},"resolvedDependencies":[{"uri":"git+https://x/y","digest":{"sha256":"'$c'"}}]},"runDetails":{"builder":{"id":"https://build01.example.com/r/7"},"metadata":{"invocationId":"run-1","startedOn":"2024-04-30T08:00:00Z","finishedOn":"2024-04-30T08:20:00Z"}}}}'
printf '%s' "$statement" >"$seeds/statement.json"
payload=$(printf '%s' "${statement/run-1/run-2}" | base64 -w0)
envelope='{"payload":"'$payload'","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"k","sig":"AAAA"}]}'
printf '%s' "$envelope" >"$seeds/envelope.json"
printf '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":%s}' \
  "$envelope" >"$seeds/sigstore.json"
printf '%s\n{"dsseEnvelope":%s}\n{"payload":"e30=","payloadType":"text/plain","signatures":[{"sig":"AA"}]}\n' \
  "$envelope" "$envelope" >"$seeds/bundle.intoto.jsonl"
printf '{"signatures":[{"keyid":"k","sig":"00"}],"signed":{"_type":"link","name":"compile","command":["make"],"materials":{"src/main.c":{"sha256":"%s"}},"products":{"bin/app":{"sha256":"%s"}},"byproducts":{},"environment":{}}}' \
  "$c" "$a" >"$seeds/package.link"

cat >"$seeds/cyclonedx.json" <<JSON
{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
 "metadata":{"timestamp":"2024-05-01T12:00:00Z","component":{"type":"application","name":"acme-app","version":"2.3.1",
   "hashes":[{"alg":"SHA-256","content":"$a"}]}},
 "components":[{"type":"library","name":"libfoo","version":"1.0","hashes":[{"alg":"SHA-256","content":"$b"}],
   "components":[{"type":"file","name":"libfoo.so.1","hashes":[{"alg":"SHA-256","content":"$c"}]}]}]}
JSON
cat >"$seeds/spdx.json" <<JSON
{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"acme",
 "documentNamespace":"https://example.invalid/spdx/acme","creationInfo":{"created":"2024-05-01T12:00:00Z","creators":["Tool: x"]},
 "documentDescribes":["SPDXRef-app"],
 "packages":[{"SPDXID":"SPDXRef-app","name":"acme-app","versionInfo":"2.3.1","downloadLocation":"NOASSERTION"},
   {"SPDXID":"SPDXRef-lib","name":"libfoo","downloadLocation":"NOASSERTION","checksums":[{"algorithm":"SHA256","checksumValue":"$b"}]}],
 "files":[{"SPDXID":"SPDXRef-f","fileName":"./bin/acme","checksums":[{"algorithm":"SHA256","checksumValue":"$a"}]}],
 "relationships":[{"spdxElementId":"SPDXRef-app","relationshipType":"DESCRIBED_BY","relatedSpdxElement":"SPDXRef-DOCUMENT"}]}
JSON
# Packages: purls, several digests, a weak one alone, a dependency graph with a cycle, a
# self-reference and an unknown ref; SPDX dependency relationships; scan report packages.
s512=$(printf '4%.0s' {1..128})
cat >"$seeds/cyclonedx-packages.json" <<JSON
{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
 "metadata":{"component":{"bom-ref":"app","name":"app","version":"1.0.0","purl":"pkg:npm/app@1.0.0"}},
 "components":[{"bom-ref":"debug","name":"debug","purl":"pkg:npm/debug@2.6.9","hashes":[{"alg":"SHA-512","content":"$s512"}],
   "components":[{"bom-ref":"ms","name":"ms","purl":"pkg:npm/%40scope/ms@2.0.0","hashes":[{"alg":"SHA-256","content":"$a"},{"alg":"SHA-1","content":"0123456789012345678901234567890123456789"}]}]},
   {"bom-ref":"old","name":"old.dll","hashes":[{"alg":"MD5","content":"0123456789abcdef0123456789abcdef"}]},
   {"bom-ref":"bad","name":"bad","purl":"pkg:npm/bad@%zz"}],
 "dependencies":[{"ref":"app","dependsOn":["debug","ms","nowhere"]},{"ref":"debug","dependsOn":["ms","debug"]},{"ref":"ms","dependsOn":["app"]}]}
JSON
cat >"$seeds/spdx-packages.json" <<JSON
{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","documentDescribes":["SPDXRef-app"],
 "packages":[{"SPDXID":"SPDXRef-app","name":"app","versionInfo":"1","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/App@1"}]},
   {"SPDXID":"SPDXRef-ms","name":"ms","versionInfo":"2","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:npm/ms@2.0.0"}],"checksums":[{"algorithm":"SHA512","checksumValue":"$s512"}]}],
 "relationships":[{"spdxElementId":"SPDXRef-ms","relationshipType":"DEPENDENCY_OF","relatedSpdxElement":"SPDXRef-app"},
   {"spdxElementId":"SPDXRef-app","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-ms"},
   {"spdxElementId":"SPDXRef-ms","relationshipType":"DEV_DEPENDENCY_OF","relatedSpdxElement":"SPDXRef-gone"}]}
JSON
packages='"packages":[{"purl":"pkg:deb/debian/xz-utils@5.6.1-1?arch=amd64","ecosystem":"deb","name":"xz-utils","version":"5.6.1-1","source":"/var/lib/dpkg/status"},{"purl":"pkg:","name":"x"}]'
printf '{"schema":"cascade.scan/1",%s,"files":[{%s}],%s,"finished":"2024-05-01T10:05:00Z",%s}\n' \
  "$run" "$file_a" "$packages" "$summary" >"$seeds/scan-packages.json"
printf '{"record":"scan","schema":"cascade.scan-jsonl/1",%s}\n{"record":"package","purl":"pkg:npm/ms@2.0.0","ecosystem":"npm","name":"ms","version":"2.0.0","source":"p/package.json"}\n' \
  "$run" >"$seeds/scan-packages.jsonl"
cat >"$seeds/events.jsonl" <<JSONL
{"event":"ran-on","artifact":"sha256:$a","host":"ws01","time":"2024-05-02T09:00:00Z","name":"C:/x.exe"}
{"event":"access","from":"ws01","to":"build01.example.com","time":"2024-05-02T10:00:00Z","until":"2024-05-03T10:00:00+02:00","via":"rdp"}
{"event":"deployed-on","release":"acme-app@2.3.1","host":"srv01","time":"2024-05-04T00:00:00Z"}
{"event":"owned-by","host":"srv01","org":"Customer A"}
{"event":"ran-on","artifact":"sha256:short","host":"h","time":"2024-05-02T09:00:00Z"}
{not json
JSONL
