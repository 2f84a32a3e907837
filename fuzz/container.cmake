# Containers: detect_container + expand_container on any bytes with small caps (every libarchive
# format and filter, and asar), and the asar header walker alone behind valid framing. Seeds from
# fuzz/container-seeds.sh. zip_views_fuzzer: a zip's central directory and local header views,
# compared, and their union rewritten (seeds: the same script, SEED_ROOT/zip_views/).
list(APPEND CASCADE_FUZZERS container_fuzzer asar_fuzzer zip_views_fuzzer)
