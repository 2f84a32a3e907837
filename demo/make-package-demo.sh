#!/usr/bin/env bash
# make-package-demo.sh OUTDIR: the package part of `make demo`, offline (npm reads only local
# tarballs). An invented dependency, cascade-demo-logger, is published as 1.0.0 and then as a
# hijacked 1.0.1 whose only change is a postinstall script printing a marker. The web front end
# of ExamplePhone (example-phone-web 2.4.0) takes 1.0.1, its SBOM comes from `npm sbom`, it is
# deployed on two clinics' web hosts, and an advisory in OSV format names the bad version.
# Writes OUTDIR/{cascade-demo-logger-1.0.0.tgz, cascade-demo-logger-1.0.1.tgz,
# example-phone-web/, example-phone-web-2.4.0.cdx.json, web-events.jsonl, MAL-DEMO-0001.json}.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/packages" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Both versions of the dependency, packed by npm itself.
cp -r "$src/cascade-demo-logger" "$work/1.0.0"
cp -r "$src/cascade-demo-logger" "$work/1.0.1"
/usr/bin/python3 - "$work/1.0.1/package.json" <<'PY'
import json, sys
path = sys.argv[1]
package = json.load(open(path))
package["version"] = "1.0.1"
package["scripts"] = {"postinstall": "echo CASCADE-DEMO-MARKER"}
json.dump(package, open(path, "w"), indent=2)
PY
for version in 1.0.0 1.0.1; do
  (cd "$work/$version" && npm pack --silent --pack-destination "$out" >/dev/null)
done

# The web front end, installed with the hijacked version. --ignore-scripts: the demo never
# runs what it installs.
app=$out/example-phone-web
rm -rf "$app"
mkdir -p "$app"
cat >"$app/package.json" <<'JSON'
{"name": "example-phone-web", "version": "2.4.0", "private": true, "license": "MIT"}
JSON
(cd "$app" && npm install --offline --ignore-scripts --silent "$out/cascade-demo-logger-1.0.1.tgz")
# npm-sbom: `npm sbom`, through a pinned newer npm where the installed one predates it.
(cd "$app" && "$src/../../scripts/npm-sbom" --sbom-format cyclonedx) \
  >"$out/example-phone-web-2.4.0.cdx.json"

cat >"$out/web-events.jsonl" <<'JSON'
{"event": "deployed-on", "release": "example-phone-web@2.4.0", "host": "clinic-web", "time": "2024-03-12T09:00:00Z"}
{"event": "deployed-on", "release": "example-phone-web@2.4.0", "host": "pharmacy-web", "time": "2024-03-13T14:30:00Z"}
{"event": "owned-by", "host": "clinic-web", "org": "Northside Clinic"}
{"event": "owned-by", "host": "pharmacy-web", "org": "Harbour Pharmacy"}
JSON

# The advisory, in the format of the OpenSSF malicious-packages database (invented id).
cat >"$out/MAL-DEMO-0001.json" <<'JSON'
{
  "schema_version": "1.5.0",
  "id": "MAL-DEMO-0001",
  "modified": "2024-03-20T00:00:00Z",
  "published": "2024-03-20T00:00:00Z",
  "summary": "Hijacked release of cascade-demo-logger (demo advisory, invented package)",
  "details": "Version 1.0.1 adds a postinstall script. This advisory exists for cascade's demo only.",
  "affected": [
    {
      "package": {"ecosystem": "npm", "name": "cascade-demo-logger", "purl": "pkg:npm/cascade-demo-logger"},
      "versions": ["1.0.1"]
    }
  ]
}
JSON
