# Containers: detect_container + expand_container on any bytes with small caps (every libarchive
# format and filter, and asar), and the asar header walker alone behind valid framing. Seeds from
# fuzz/container-seeds.sh.
list(APPEND CASCADE_FUZZERS container_fuzzer asar_fuzzer)
