# MSI: the OLE directory checks, libgsf behind them, the database tables, stream expansion with
# tiny caps and the signature digest (seeds from fuzz/msi-seeds.sh), and the cabinet file list the
# File table is checked against (cabinet_fuzzer; seeds from the same script).
list(APPEND CASCADE_FUZZERS msi_fuzzer cabinet_fuzzer)
