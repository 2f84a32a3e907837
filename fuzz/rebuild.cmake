# rebuild-compare: two builds analysed (PE, ELF, Mach-O layouts), compared and reported; seeds
# from fuzz/rebuild-seeds.sh pair small rebuilds of each format.
list(APPEND CASCADE_FUZZERS rebuild_fuzzer)
