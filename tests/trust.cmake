# Trust: the built-in stores, a test root program with each kind of limit, a CVE-2020-0601-style
# spoofed chain and signed catalogs, all made at test time (openssl, osslsigncode, the catalog
# and root-list generators in tests/fixtures/catalog and tests/fixtures/trust).
add_test(NAME setup.trust_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/trust/make-trust-fixtures.sh ${FIXTURE_DIR}/trust
          ${FIXTURE_DIR})
set_tests_properties(setup.trust_fixtures PROPERTIES
  FIXTURES_SETUP trust_fixtures FIXTURES_REQUIRED pe_fixtures TIMEOUT 300)
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/trust_store_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/catalog_test.cc
)
