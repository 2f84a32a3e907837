#!/usr/bin/env bash
# rebuild-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for rebuild_fuzzer in SEED_ROOT/rebuild/: pairs
# of the rebuild fixtures (generated into FIXTURE_DIR/rebuild by
# tests/fixtures/rebuild/make-rebuild-fixtures.sh) in the fuzzer's layout: a 4-byte
# little-endian split point (top bit: --include-build-id), then A, then B. Pairs above 64 KiB
# are left out (scripts/run-fuzzers runs with -max_len=65536).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=$1/rebuild
fixtures=$2/rebuild
bash "$root/tests/fixtures/rebuild/make-rebuild-fixtures.sh" "$fixtures"
mkdir -p "$seeds"
# The hostile-input trial's rebuild case: a signed build against a copy whose certificate table
# carries 1 KiB more that is no signature (the padding rebuild-compare must count).
/usr/bin/python3 "$root/tests/fixtures/petweak.py" pad-certtable "$fixtures/mathlib-1-signed.dll" \
    "$fixtures/mathlib-1-padded.dll" 1024 22
/usr/bin/python3 - "$fixtures" "$seeds" <<'PY'
import os
import struct
import sys

fixtures, seeds = sys.argv[1:3]
pairs = [("mathlib-1.dll", "mathlib-2.dll", 0), ("mathlib-1.dll", "mathlib-changed.dll", 0),
         ("mathlib-1.dll", "mathlib-1-signed.dll", 0), ("app-1.exe", "app-2.exe", 0),
         ("app-id1.elf", "app-id2.elf", 0), ("app-id1.elf", "app-id2.elf", 1),
         ("hello-a.macho", "hello-b.macho", 0), ("mathlib-1.dll", "app-id1.elf", 0),
         ("mathlib-1-signed.dll", "mathlib-1-padded.dll", 0)]
for a, b, include_build_id in pairs:
    with open(os.path.join(fixtures, a), "rb") as f:
        da = f.read()
    with open(os.path.join(fixtures, b), "rb") as f:
        db = f.read()
    if 4 + len(da) + len(db) > 65536:
        continue
    header = struct.pack("<I", len(da) | (0x80000000 if include_build_id else 0))
    name = f"{a}--{b}{'--build-id' if include_build_id else ''}"
    with open(os.path.join(seeds, name), "wb") as f:
        f.write(header + da + db)
PY
exit 0
