#!/usr/bin/env bash
# Wall-time comparison of cascade diff against the tools people use to compare two releases, on
# two copies of wine's PE DLL set (the corpus of scripts/fetch-corpus) in which a handful of
# files were modified, page cache hot, in one run:
#   (a) diff -rq OLD NEW                              (which files differ, nothing more)
#   (b) cascade diff --json OLD NEW (2 threads)       (inspects every file of both releases)
#   (c) diffoscope --text on the modified files only  (a deep, slow diff of just those)
# Target: (b) at most 3x (a). (a) and (b) run three times, alternating (medians reported);
# (c), which takes minutes, once.
# Usage: bench/diff_vs_peers.sh BUILD_DIR CORPUS_DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR CORPUS_DIR" >&2; exit 2; }
cascade=$1/cascade
dir=$2/libwine/usr/lib/x86_64-linux-gnu/wine
[[ -x $cascade && -d $dir ]] || { echo "need $cascade and $dir (scripts/fetch-corpus)" >&2; exit 2; }
command -v diffoscope >/dev/null || { echo "diffoscope is not installed (scripts/install-deps)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Real copies: hard links would let diff -rq skip identical files by inode.
cp -r "$dir" "$work/old"
cp -r "$dir" "$work/new"
mapfile -t dlls < <(cd "$work/new" && find . -name '*.dll' -size +64k | sort | awk 'NR % 97 == 1' | head -5)
# Modify: bytes overwritten inside the image, data appended, one file replaced by another.
/usr/bin/python3 - "$work/new" "${dlls[@]}" <<'PY'
import os, random, sys
root, files = sys.argv[1], sys.argv[2:]
rng = random.Random(5)
for i, name in enumerate(files):
    path = os.path.join(root, name)
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if i % 2 == 0:
            at = len(data) // 2
            data[at:at + 256] = rng.randbytes(256)
        else:
            data += b"CASCADE-BENCH-MARKER" + rng.randbytes(4096)
        f.seek(0)
        f.write(data)
PY
rm -f "$work/new/$(cd "$work/new" && find . -name '*.dll' | sort | sed -n 300p)"

files=$(find "$dir" -type f | wc -l)
bytes=$(find "$dir" -type f -print0 | xargs -0 cat | wc -c)  # also the warm-up read
cat "$work"/old/* "$work"/new/* >/dev/null 2>&1 || true
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
time_of() { local a b; a=$(now); "$@" >/dev/null 2>&1 || true; b=$(now); elapsed "$a" "$b"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
diffoscope_modified() {
  for f in "${dlls[@]}"; do diffoscope --text - "$work/old/$f" "$work/new/$f" >/dev/null 2>&1 || true; done
}
rq_runs=() cascade_runs=()
for _ in 1 2 3; do
  rq_runs+=("$(time_of diff -rq "$work/old" "$work/new")")
  cascade_runs+=("$(time_of "$cascade" diff --json --threads 2 --fail-on none "$work/old" "$work/new")")
done
rq_s=$(median "${rq_runs[@]}"); cascade_s=$(median "${cascade_runs[@]}")
# diffoscope takes minutes on these few files: once is enough for a ratio this large.
scope_s=$(time_of diffoscope_modified)
"$cascade" diff --json --threads 2 --fail-on none "$work/old" "$work/new" >"$work/diff.json"
found=$(/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["summary"]
m, r, u = d["modified"], d["removed"], d["unchanged"]
print(f"{m} modified, {r} removed, {u} unchanged")' "$work/diff.json")

mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "$files files, $mb MiB per release under $dir; ${#dlls[@]} modified, 1 removed"
printf '%-50s %8s\n' tool "wall s"
printf '%-50s %8s\n' "diff -rq OLD NEW" "$rq_s"
printf '%-50s %8s\n' "cascade diff --json --threads 2 OLD NEW" "$cascade_s"
printf '%-50s %8s\n' "diffoscope --text, the ${#dlls[@]} modified files only" "$scope_s"
awk -v c="$cascade_s" -v r="$rq_s" -v d="$scope_s" 'BEGIN {
  printf "ratio cascade/diff -rq:     %.2f (target <= 3.0)\n", c / r
  printf "ratio cascade/diffoscope:   %.2f (cascade on every file, diffoscope on the modified)\n", c / d
}'
echo "cascade found: $found"
