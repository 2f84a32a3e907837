#!/usr/bin/env bash
# Seeds for package_manifest_fuzzer (a selector byte, then a manifest) and install_scripts_fuzzer.
# Usage: packages-seeds.sh SEED_ROOT FIXTURE_DIR
set -euo pipefail
manifests=$1/package_manifest scripts=$1/install_scripts
mkdir -p "$manifests" "$scripts"
printf '\000Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\nDescription: x\n more\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 1:1.2.13.dfsg-1\n' >"$manifests/dpkg"
printf '\001{"name":"app","lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/ms":{"version":"2.0.0"},"node_modules/@s/x":{"version":"1.0.0"},"node_modules/l":{"link":true}}}' >"$manifests/lock3"
printf '\001{"name":"app","lockfileVersion":1,"dependencies":{"debug":{"version":"2.6.9","dependencies":{"ms":{"version":"2.0.0"}}}}}' >"$manifests/lock1"
printf '\003{"name":"@scope/name","version":"1.2.3","scripts":{"postinstall":"echo x"}}' >"$manifests/package-json"
printf '\004Metadata-Version: 2.1\nName: Django_REST\nVersion: 3.14.0\n\nbody\n' >"$manifests/metadata"
printf '\006ID=debian\nVERSION_ID="12"\n' >"$manifests/os-release"
printf '{"name":"x","version":"1.0.1","main":"main.js","scripts":{"preinstall":"echo a","postinstall":"echo b"}}\nPackage: x\nVersion: 1\n#!/bin/sh\necho CASCADE-TEST-MARKER\nimport os\n' >"$scripts/mixed"
