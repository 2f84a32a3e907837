#!/usr/bin/env bash
# Seeds for purl_fuzzer: purls of each shape the spec's examples cover.
# Usage: purl-seeds.sh SEED_ROOT FIXTURE_DIR
set -euo pipefail
dir=$1/purl
mkdir -p "$dir"
i=0
for purl in 'pkg:npm/%40babel/core@7.0.0' 'pkg:deb/debian/xz-utils@5.6.1-1?arch=amd64&distro=bookworm' \
  'pkg:pypi/Django_Rest@1.0#sub/path' 'pkg://maven/org.apache/commons@1.0?classifier=x' \
  'pkg:golang/github.com/gorilla/context@v1.1.1'; do
  printf '%s' "$purl" > "$dir/seed$i"; i=$((i + 1))
done
