# rebuild-compare: real rebuilds made at test time (mingw-w64 with timestamps, osslsigncode,
# gcc build-ids, ld64.lld-14), the library tests in cascade-tests, and the CLI end to end.
add_test(NAME setup.rebuild_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/rebuild/make-rebuild-fixtures.sh
          ${FIXTURE_DIR}/rebuild)
set_tests_properties(setup.rebuild_fixtures PROPERTIES FIXTURES_SETUP rebuild_fixtures TIMEOUT 300)
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/rebuild_regions_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/rebuild_compare_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/rebuild_signing_test.cc
)
add_test(NAME rebuild.cli
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/rebuild/check_rebuild.py
          $<TARGET_FILE:cascade-cli> ${FIXTURE_DIR}/rebuild
          ${CMAKE_SOURCE_DIR}/docs/schema/cascade.rebuild-1.schema.json)
set_tests_properties(rebuild.cli PROPERTIES
  FIXTURES_REQUIRED rebuild_fixtures LABELS unit TIMEOUT 300)

# Debian's signed shim binaries against the unsigned build they sign (scripts/fetch-corpus).
add_test(NAME peer.rebuild_signed_vs_unsigned
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/peer/rebuild_signed_vs_unsigned.py
          $<TARGET_FILE:cascade-cli> ${CORPUS_DIR})
set_tests_properties(peer.rebuild_signed_vs_unsigned PROPERTIES
  FIXTURES_REQUIRED peer_corpus LABELS peer SKIP_RETURN_CODE 77 TIMEOUT 300)
