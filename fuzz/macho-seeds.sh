#!/usr/bin/env bash
# macho-seeds.sh SEED_ROOT FIXTURE_DIR: seeds for macho_fuzzer (every Mach-O fixture, thin and
# fat) and codesign_fuzzer (each signed fixture as "u32le signature offset + file", as linked
# and, from the fixtures' *.cms-sig, with a CMS blob over its CodeDirectory), from
# FIXTURE_DIR/macho, which is generated first when missing.
set -euo pipefail
if [[ $# -ne 2 ]]; then
    echo "usage: $0 SEED_ROOT FIXTURE_DIR" >&2
    exit 2
fi
seeds=$1 fixtures=$2/macho
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -f $fixtures/expected.json ]] ||
    bash "$here/../tests/fixtures/macho/make-macho-fixtures.sh" "$fixtures"
mkdir -p "$seeds/macho" "$seeds/codesign"
CASCADE_BENCH_DIR=$here/../bench /usr/bin/python3 - "$fixtures" "$seeds" <<'PY'
import glob, json, os, shutil, struct, sys
fixtures, seeds = sys.argv[1], sys.argv[2]
with open(os.path.join(fixtures, "expected.json")) as f:
    expected = json.load(f)
names = [t["file"] for t in expected["thin"]] + [f["file"] for f in expected["fat"]]
names.append(expected["tampered"]["file"])
for name in names:
    shutil.copyfile(os.path.join(fixtures, name), os.path.join(seeds, "macho", name))
for t in expected["thin"]:
    if not t["code_signature"]:
        continue
    with open(os.path.join(fixtures, t["file"]), "rb") as f:
        data = f.read()
    offset = t["code_signature"]["offset"]
    with open(os.path.join(seeds, "codesign", t["file"] + ".sig"), "wb") as f:
        f.write(struct.pack("<I", offset) + data)
# The fixtures' CMS-signed signatures (openssl cms over a CodeDirectory) are in this format.
for path in glob.glob(os.path.join(fixtures, "*.cms-sig")):
    shutil.copyfile(path, os.path.join(seeds, "codesign", os.path.basename(path)))
# The hostile-input trial's cases (bench/hostile): a tampered binary whose CodeDirectory names
# an unknown hash type or a page size of 0, and damaged fat headers around real slices.
sys.path.insert(0, os.environ["CASCADE_BENCH_DIR"])
from hostile_cases import binaries
with open(os.path.join(fixtures, expected["tampered"]["file"]), "rb") as f:
    tampered = bytearray(f.read())
cd = binaries.macho_code_directory(tampered)
for name, field, value in (("hash-type-99", 37, 99), ("page-size-0", 39, 0)):
    case = bytearray(tampered)
    case[cd + field] = value
    with open(os.path.join(seeds, "macho", "hostile-" + name), "wb") as f:
        f.write(case)
with open(os.path.join(fixtures, "hello-universal"), "rb") as f:
    for name, case in binaries.fat_variants(f.read()).items():
        with open(os.path.join(seeds, "macho", "hostile-" + name), "wb") as out:
            out.write(case)
PY
