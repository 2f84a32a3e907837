# provenance: policies (JSON, YAML), attestation files (DSSE, bundles, in-toto links), statement
# payloads and keys as attacker input (seeds from fuzz/provenance-seeds.sh).
list(APPEND CASCADE_FUZZERS provenance_fuzzer)
