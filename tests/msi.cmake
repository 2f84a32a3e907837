# MSI: fixtures built at test time by wixl/msibuild (msitools), signed by osslsigncode with the
# PE fixtures' PKI, rewritten through libgsf by ole-rewrite (padding, version 4, a nested
# storage); osslsigncode's digests of them land in ${FIXTURE_DIR}/msi/expected.json.
add_executable(ole-rewrite ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/msi/ole_rewrite.cc)
target_link_libraries(ole-rewrite PRIVATE PkgConfig::GSF)
add_dependencies(cascade-tests ole-rewrite)

add_test(NAME setup.msi_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/msi/make-msi-fixtures.sh ${FIXTURE_DIR}/msi
          ${FIXTURE_DIR}/pki $<TARGET_FILE:ole-rewrite>)
set_tests_properties(setup.msi_fixtures PROPERTIES
  FIXTURES_SETUP msi_fixtures FIXTURES_REQUIRED pe_fixtures TIMEOUT 300)

target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/msi_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/msi_signature_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/msi_malformed_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/msi_file_views_test.cc
)

# tests/schema/validate_output.py covers the PE, ELF and Mach-O fixtures; this covers the MSI
# ones (and the damaged and non-MSI OLE files) against the same schema.
add_test(NAME schema.msi_output
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/peer/msi_schema.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR} ${CMAKE_SOURCE_DIR}/docs/schema/cascade.inspect-1.schema.json)
set_tests_properties(schema.msi_output PROPERTIES FIXTURES_REQUIRED fixtures LABELS unit)

# The CLI's MSI digests against `osslsigncode verify` on every signed fixture.
add_test(NAME peer.msi_vs_osslsigncode
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/peer/msi_vs_osslsigncode.py
          $<TARGET_FILE:cascade-cli> ${FIXTURE_DIR})
set_tests_properties(peer.msi_vs_osslsigncode PROPERTIES FIXTURES_REQUIRED fixtures LABELS peer)
