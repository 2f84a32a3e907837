# scan: the scan cache's stored entry lists.
list(APPEND CASCADE_FUZZERS scan_cache_fuzzer)
