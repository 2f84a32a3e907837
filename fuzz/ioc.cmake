# Indicator feeds: every feed reader through parse_feed, plus the STIX pattern, serial and issuer
# parsers on the raw input (seeds from fuzz/ioc-seeds.sh).
list(APPEND CASCADE_FUZZERS ioc_feed_fuzzer package_manifest_fuzzer)
