# Mach-O: whole files (thin and fat) and the code signature parser/verifier on its own.
list(APPEND CASCADE_FUZZERS macho_fuzzer codesign_fuzzer)
