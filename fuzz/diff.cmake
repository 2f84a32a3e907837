# diff: saved reports (JSON, JSON Lines), baseline policies and capability tables as attacker
# input, and the diff of what loaded against a perturbed copy (seeds from fuzz/diff-seeds.sh).
list(APPEND CASCADE_FUZZERS diff_report_fuzzer install_scripts_fuzzer)
