# MSI: the OLE directory checks, libgsf behind them, the database tables, stream expansion with
# tiny caps and the signature digest (seeds from fuzz/msi-seeds.sh).
list(APPEND CASCADE_FUZZERS msi_fuzzer)
