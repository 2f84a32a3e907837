#!/usr/bin/env bash
# Seeds for scan_cache_fuzzer: an entry list as the scan cache stores it (a signed PE on disk),
# and one holding a container entry before its file.
# Usage: scan-seeds.sh SEED_ROOT FIXTURE_DIR
set -euo pipefail
dir=$1/scan_cache
mkdir -p "$dir"
cat >"$dir/signed-pe" <<'JSON'
[{"certificates":[{"issuer":"O=Cascade Test,CN=Cascade Test Root CA","not_after":"2045-12-31T23:59:59Z","not_after_epoch":2398377599,"not_before":"2020-01-01T00:00:00Z","not_before_epoch":1577836800,"serial":"1001","sha1":"14cb770ef3a92c87dd927823bcdb8180beb54482","sha256":"32c0ebba8f6cf0b80da8e9bcd4a1d0463a69d4ceabc6599158fac23fd2efc174","subject":"O=Cascade Test,CN=Cascade Test Signer"}],"depth":0,"error":"","facts":{"certificate_table":{"entries":[{"der_size":5649,"length":5664,"offset":15872,"revision":512,"type":2}],"errors":[],"offset":15872,"size":5664},"format":"pe","imphash":"8a98287583280596621b430fd66919dd","overlay":null},"findings":[],"format":"pe","manifest":{"incomplete":[],"os_release":null,"packages":[]},"md5":null,"path":"tree/timestamped.exe","sha1":null,"sha256":"0f9662c5e0902965fcc439dd2ab0e0e050fc638167ba6afe62a4043072e89cef","size":21536,"yara":[],"yara_variables":"6ffc9d66aac7fc4c1905b5ec373f542f8e5900a07f53246ea6abe1251343e6db"}]
JSON
cat >"$dir/container" <<'JSON'
[{"certificates":[],"depth":1,"error":"","facts":{"format":"zip"},"findings":[{"id":"pe.overlay","severity":"info","message":"m"}],"format":"unknown","manifest":{"incomplete":[],"os_release":null,"packages":[{"ecosystem":"npm","name":"ms","version":"2.0.0","purl":"pkg:npm/ms@2.0.0","source":"a!package.json"}]},"md5":null,"path":"a.zip!x","sha1":null,"sha256":"abababababababababababababababababababababababababababababababab","size":1,"yara":[],"yara_variables":""},{"certificates":[],"depth":0,"error":"","facts":{},"findings":[],"format":"zip","manifest":{"incomplete":[],"os_release":null,"packages":[]},"md5":null,"path":"a.zip","sha1":null,"sha256":"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd","size":2,"yara":[],"yara_variables":""}]
JSON
