#!/usr/bin/env bash
# elf-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for elf_fuzzer in SEED_ROOT/elf/: the small ELF
# fixtures (generated into FIXTURE_DIR/elf by tests/fixtures/elf/make-elf-fixtures.sh): both
# classes, both byte orders, objects, executables, shared objects, sstrip'd and overlay copies.
# Files above 64 KiB are left out (scripts/run-fuzzers runs with -max_len=65536).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$1/elf
fixtures=$2/elf
bash "$root/tests/fixtures/elf/make-elf-fixtures.sh" "$fixtures"
mkdir -p "$seeds"
for f in "$fixtures"/*; do
  [[ -f $f && $(head -c 4 "$f" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] || continue
  (($(stat -c %s "$f") <= 65536)) && cp -f "$f" "$seeds/"
done
exit 0
