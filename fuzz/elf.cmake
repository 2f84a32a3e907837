# ELF: parse_elf + measure_contents (seeds from fuzz/elf-seeds.sh).
list(APPEND CASCADE_FUZZERS elf_fuzzer)
