#!/usr/bin/env bash
# Arrays are always present in JSON (issue 23): the docs' own `jq '.files[].signatures[]'` (and
# the same over findings, and over verify's evidence) must work on any input, signed or not, of
# any format: jq fails with "Cannot iterate over null" when an array is left out.
# usage: json_arrays.sh CASCADE FIXTURE_DIR
set -u
cascade=$1
fixtures=$2
failures=0
check() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what"
    failures=$((failures + 1))
  fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'plain text, no format\n' >"$work/notes.txt"
(cd "$work" && printf 'inside\n' >inner.txt && /usr/bin/python3 -c '
import zipfile
with zipfile.ZipFile("pack.zip", "w") as z:
    z.write("inner.txt")')

for file in "$fixtures/elf/app" "$fixtures/hello.exe" "$fixtures/signed-sha256.exe" \
  "$work/notes.txt" "$fixtures/msi/signed.msi" "$fixtures/msi/plain.doc"; do
  "$cascade" inspect --json "$file" >"$work/out.json"
  check "inspect $(basename "$file"): .files[].signatures[]" \
    jq '.files[].signatures[]' "$work/out.json"
  # -e fails on an empty result too, so the empty arrays are checked by type instead.
  check "inspect $(basename "$file"): signatures and findings are arrays" \
    jq -e '[.files[] | (.signatures | type) == "array" and (.findings | type) == "array"] | all' \
    "$work/out.json"
done
# An unsigned file's signatures are empty, a signed one's are not: the array is not a constant.
"$cascade" inspect --json "$fixtures/signed-sha256.exe" "$fixtures/elf/app" >"$work/two.json"
check "signed PE has signatures, ELF has none" \
  jq -e '[.files[].signatures | length] as $n | $n[0] > 0 and $n[1] == 0' "$work/two.json"

"$cascade" scan --json --fail-on none "$work/pack.zip" "$work/notes.txt" >"$work/scan.json"
check "scan of a zip: every file object has signatures" \
  jq -e '[.files[] | has("signatures")] | all and length == 3' "$work/scan.json"
check "scan of a zip: .files[].signatures[] and .catalogs[] iterate" \
  bash -c "jq '.files[].signatures[], .catalogs[]' '$work/scan.json'"
"$cascade" scan --jsonl --fail-on none "$work/pack.zip" >"$work/scan.jsonl"
check "scan --jsonl: every file record has signatures" \
  bash -c "jq -s -e '[.[] | select(.record == \"file\") | has(\"signatures\")] | all' '$work/scan.jsonl'"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
