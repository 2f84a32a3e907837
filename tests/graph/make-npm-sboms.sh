#!/bin/bash
# Real `npm sbom` output for tests/unit/graph_package_npm_test.cc: a throwaway project with
# debug@2.6.9, which depends on ms@2.0.0 (a real dependency edge), installed from the npm
# registry, then its SBOM in both formats: OUTDIR/cyclonedx.json and OUTDIR/spdx.json.
# When the registry cannot be reached, OUTDIR/SKIPPED says why and the tests skip, saying so;
# any other failure fails this set-up.
set -u
# `npm sbom`, through a pinned newer npm where the installed one predates it.
npm_sbom=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)/npm-sbom
out=${1:?usage: make-npm-sboms.sh OUTDIR}
rm -rf "$out"
# npm names CycloneDX's metadata.component after the directory, SPDX's described package after
# package.json: the same name keeps the two documents one release.
mkdir -p "$out/cascade-npm-fixture"
skip() {
  echo "$1" >"$out/SKIPPED"
  echo "make-npm-sboms: the npm SBOM tests will skip: $1" >&2
  exit 0
}
command -v npm >/dev/null || skip "npm is not installed"
export npm_config_cache="$out/npm-cache" npm_config_update_notifier=false
cd "$out/cascade-npm-fixture"
if ! timeout 60 npm ping >"$out/ping.log" 2>&1; then
  skip "npm cannot reach the registry: $(tail -n 2 "$out/ping.log" | tr '\n' ' ')"
fi
cat >package.json <<'JSON'
{"name": "cascade-npm-fixture", "version": "1.0.0", "private": true}
JSON
timeout 300 npm install --no-audit --no-fund ms@2.0.0 debug@2.6.9 >"$out/install.log" 2>&1 ||
  { echo "make-npm-sboms: npm install failed:" >&2; cat "$out/install.log" >&2; exit 1; }
"$npm_sbom" --sbom-format cyclonedx >"$out/cyclonedx.json" &&
  "$npm_sbom" --sbom-format spdx >"$out/spdx.json" ||
  { echo "make-npm-sboms: npm sbom failed" >&2; exit 1; }
