# ELF: fixtures generated at test time from Debian's toolchains (gcc, clang-14, ld.lld-14) and
# described by readelf; GoogleTest cases in cascade-tests; a probe the readelf peer test drives.
add_test(NAME setup.elf_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/elf/make-elf-fixtures.sh ${FIXTURE_DIR}/elf)
set_tests_properties(setup.elf_fixtures PROPERTIES FIXTURES_SETUP elf_fixtures TIMEOUT 300)

target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/elf_test.cc)

# elf-probe FILE...: one JSON line per file with what parse_elf() found.
add_executable(elf-probe ${CMAKE_CURRENT_SOURCE_DIR}/unit/elf_probe.cc)
target_link_libraries(elf-probe PRIVATE cascade)

# Every ELF file under /usr/lib/x86_64-linux-gnu and /usr/bin, against readelf.
add_test(NAME peer.elf_vs_readelf
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/peer/elf_vs_readelf.py $<TARGET_FILE:elf-probe>
          /usr/lib/x86_64-linux-gnu /usr/bin)
set_tests_properties(peer.elf_vs_readelf PROPERTIES LABELS peer TIMEOUT 900)

# Debian's separate debug files (libc6-dbg, from scripts/fetch-corpus): no elf.malformed, the
# build-id they are named by, damaged copies still malformed; and the same files against readelf.
add_test(NAME peer.elf_debug_files
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/peer/elf_debug_files.py
          $<TARGET_FILE:cascade-cli> ${CORPUS_DIR})
add_test(NAME peer.elf_debug_vs_readelf
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/peer/elf_vs_readelf.py $<TARGET_FILE:elf-probe>
          ${CORPUS_DIR}/libc6-dbg/usr/lib/debug)
set_tests_properties(peer.elf_debug_files peer.elf_debug_vs_readelf PROPERTIES
  FIXTURES_REQUIRED peer_corpus LABELS peer TIMEOUT 600)
