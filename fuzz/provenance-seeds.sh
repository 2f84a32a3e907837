#!/usr/bin/env bash
# provenance-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for provenance_fuzzer in SEED_ROOT/provenance/:
# a statement, an envelope, a bundle, JSON and YAML policies, and the in-toto link and key of
# the provenance fixtures when FIXTURE_DIR holds them.
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
seeds=$1/provenance
mkdir -p "$seeds"
sha=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
statement='{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a.dll","digest":{"sha256":"'$sha'"}},{"name":"b.pin","digest":{"sha256":"'$sha'"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"t","externalParameters":{},"resolvedDependencies":[{"name":"src","digest":{"sha256":"'$sha'"}}]},"runDetails":{"builder":{"id":"https://ci/x"},"metadata":{"invocationId":"1","startedOn":"2023-03-29T12:00:00Z","finishedOn":"2023-03-29T12:30:00.5+01:00"}}}}'
printf '%s' "$statement" >"$seeds/statement.json"
printf '%s' "${statement/provenance\/v1/provenance\/v0.2}" >"$seeds/statement-v02.json"
payload=$(printf '%s' "$statement" | base64 -w0)
envelope='{"payload":"'$payload'","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"k","sig":"AAAA"}]}'
printf '%s' "$envelope" >"$seeds/envelope.json"
printf '%s\n%s\n{"dsseEnvelope":%s}\n' "$envelope" "$envelope" "$envelope" >"$seeds/bundle.intoto.jsonl"
# A real key, so the seeds get past key loading.
pem=$(openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout)
pem_b64=$(printf '%s' "$pem" | sed -n 2p)
cat >"$seeds/policy.json" <<JSON
{"schema": "cascade.policy/1", "keys": [{"id": "k", "public_key_pem": "-----BEGIN PUBLIC KEY-----\\n$pem_b64\\n-----END PUBLIC KEY-----\\n", "builders": ["https://*"]}],
 "builders": ["https://ci/*"], "max_age": "90d", "ignore": ["*.pdb"],
 "files": [{"path": "ffmpeg.dll", "materials": [{"name": "src.tar", "digest": {"sha256": "aa"}}]},
           {"path": "d3d*.dll", "sha256": ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]}]}
JSON
cat >"$seeds/policy.yaml" <<YAML
schema: cascade.policy/1
keys:
  - id: k
    public_key_pem: |
      -----BEGIN PUBLIC KEY-----
      $pem_b64
      -----END PUBLIC KEY-----
builders: ["https://ci/*"]
max_age: 90d
files:
  - path: ffmpeg.dll
    materials: [{name: src.tar, sha256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}]
  - {path: "*.pin", sha256: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'}
YAML
# Documents that repeat a key (refused): a policy, a YAML mapping, an envelope, a statement.
printf '{"schema": "cascade.policy/1", "keys": [], "builders": ["a"], "builders": ["*"]}' \
  >"$seeds/dup-policy.json"
printf 'schema: cascade.policy/1\nfiles:\n  - path: a.dll\n    path: b.dll\n' >"$seeds/dup-policy.yaml"
printf '%s' "${envelope/\"payloadType\"/\"payloadType\":\"x\",\"payloadType\"}" >"$seeds/dup-envelope.json"
printf '%s' "${statement/\"sha256\"/\"sha256\":\"$sha\",\"sha256\"}" >"$seeds/dup-statement.json"
if [[ -d $2/provenance/intoto ]]; then
  cp -f "$2/provenance/intoto/package.link" "$seeds/package.link"
  cp -f "$2/provenance/intoto/functionary.pub" "$seeds/functionary.pub"
fi
