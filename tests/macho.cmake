# Mach-O: fixtures built at test time with clang-14/ld64.lld-14/llvm-lipo-14 (no macOS SDK),
# described by llvm-objdump-14/llvm-nm-14 in ${FIXTURE_DIR}/macho/expected.json.
add_test(NAME setup.macho_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/macho/make-macho-fixtures.sh ${FIXTURE_DIR}/macho)
set_tests_properties(setup.macho_fixtures PROPERTIES FIXTURES_SETUP macho_fixtures TIMEOUT 300)
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/macho_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/macho_codesign_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/macho_malformed_test.cc
)

