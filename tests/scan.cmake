# scan: a generated release in every container kind, feeds and rules that must find its DLL,
# hostile archives; engine tests in cascade-tests, CLI and SARIF checks as separate tests.
add_test(NAME setup.scan_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/scan/make-scan-fixtures.sh ${FIXTURE_DIR}/scan
          ${FIXTURE_DIR}/pki)
# The release is signed with the PKI the PE fixtures create.
set_tests_properties(setup.scan_fixtures PROPERTIES
  FIXTURES_SETUP scan_fixtures FIXTURES_REQUIRED pe_fixtures TIMEOUT 300)
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/walker_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/scan_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/scan_cache_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/scan_report_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/saved_report_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/scan_caps_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/format_table_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/installed_packages_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/package_advisories_test.cc
)

# The CLI's SARIF must validate against the SARIF 2.1.0 schema (and the schema must be able to
# reject bad logs); its JSON against the published scan schema.
add_test(NAME schema.sarif_selftest
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/schema/sarif_selftest.py)
add_test(NAME schema.scan_output
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/schema/validate_scan.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR}/scan ${CMAKE_SOURCE_DIR})
set_tests_properties(schema.sarif_selftest schema.scan_output PROPERTIES
  FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 300)

# Caps must not hide what follows them: the hostile archives of issue 22 (zeros, 200,000 entries,
# nine levels, a shared-range asar, four bombs on four workers), written by the script itself.
if(CASCADE_SANITIZE)
  set(HOSTILE_CAPS_SANITIZED --sanitized)
endif()
add_test(NAME scan.hostile_caps
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/scan/hostile_caps.py $<TARGET_FILE:cascade-cli>
    ${HOSTILE_CAPS_SANITIZED})
set_tests_properties(scan.hostile_caps PROPERTIES LABELS unit TIMEOUT 600)

# Same input, same output: -j 1 and -j 4/8 runs give the same JSON, JSON Lines, SARIF and text.
add_test(NAME scan.stable_order
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/scan/stable_order.py $<TARGET_FILE:cascade-cli>)
set_tests_properties(scan.stable_order PROPERTIES LABELS unit TIMEOUT 300)

# Arrays are always present in JSON: jq over signatures and findings on every kind of input.
add_test(NAME scan.json_arrays
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scan/json_arrays.sh $<TARGET_FILE:cascade-cli> ${FIXTURE_DIR})
set_tests_properties(scan.json_arrays PROPERTIES FIXTURES_REQUIRED fixtures LABELS unit)

# Installed packages against the package managers' own readers: this machine's dpkg status and
# Python metadata copied into a tree and a tarball (dpkg-query, pip list, importlib.metadata),
# and a real npm project installed from the registry (npm ls; skipped when it cannot be reached).
add_test(NAME scan.installed_packages
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/scan/installed_packages.py
          $<TARGET_FILE:cascade-cli> local)
set_tests_properties(scan.installed_packages PROPERTIES LABELS unit TIMEOUT 300)
# Installed packages against OSV advisories end to end: exit codes, the package entry's findings
# in JSON and JSON Lines (against the schema), the text summary and SARIF.
add_test(NAME scan.package_advisories
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/scan/package_advisories.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(scan.package_advisories PROPERTIES LABELS unit TIMEOUT 120)
add_test(NAME peer.scan_npm_packages
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/scan/installed_packages.py
          $<TARGET_FILE:cascade-cli> npm)
set_tests_properties(peer.scan_npm_packages PROPERTIES LABELS peer TIMEOUT 300 SKIP_RETURN_CODE 77)
