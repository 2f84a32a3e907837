# provenance: keys, envelopes, statements, policies and verdicts in cascade-tests; the CLI end to
# end against an independent DSSE implementation, Debian's in-toto, and a generated release.
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/provenance_crypto_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/provenance_verify_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/provenance_archive_test.cc
)
add_test(NAME setup.provenance_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/provenance/make-provenance-fixtures.sh
          ${FIXTURE_DIR}/provenance ${FIXTURE_DIR}/diff ${FIXTURE_DIR}/pki)
set_tests_properties(setup.provenance_fixtures PROPERTIES
  FIXTURES_SETUP provenance_fixtures FIXTURES_REQUIRED diff_fixtures TIMEOUT 300)
add_test(NAME provenance.dsse_peer_selftest
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/provenance/dsse_peer.py selftest)
set_tests_properties(provenance.dsse_peer_selftest PROPERTIES LABELS unit TIMEOUT 120)
add_test(NAME provenance.cli_release
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/provenance/check_provenance.py
          $<TARGET_FILE:cascade-cli> ${FIXTURE_DIR}/provenance ${CMAKE_SOURCE_DIR})
set_tests_properties(provenance.cli_release PROPERTIES
  FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 600)
