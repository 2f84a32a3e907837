# graph: the inventory graph's document readers (scan reports, in-toto, CycloneDX, SPDX, events)
# as attacker input (seeds from fuzz/graph-seeds.sh).
list(APPEND CASCADE_FUZZERS graph_fuzzer)
