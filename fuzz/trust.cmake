# Trust: certificate trust lists (catalogs and root lists), read as a catalog, as a root program
# and as a bare CTL (seeds from fuzz/trust-seeds.sh).
list(APPEND CASCADE_FUZZERS trust_list_fuzzer)
