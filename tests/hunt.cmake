# cascade hunt end to end: a small inventory ingested from hand-written documents, feeds written
# by the test (hash lists, a signer list, OSV advisories), answers written by hand, exit codes
# and the JSON against docs/schema/cascade.hunt-1.schema.json.
add_test(NAME hunt.end_to_end
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hunt/check_hunt.py $<TARGET_FILE:cascade-cli>
          ${CMAKE_SOURCE_DIR}/docs/schema/cascade.hunt-1.schema.json
          ${CMAKE_CURRENT_BINARY_DIR}/hunt-scratch)
set_tests_properties(hunt.end_to_end PROPERTIES LABELS unit TIMEOUT 300)

# Signer lists against the certificates of files signed at test time (the PKI and TSA of the PE
# fixtures), checked by hand and against scan --ioc with the same feeds.
add_test(NAME hunt.signers
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hunt/check_hunt_signers.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_SOURCE_DIR}/docs/schema/cascade.hunt-1.schema.json
          ${FIXTURE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/hunt-signers-scratch)
set_tests_properties(hunt.signers PROPERTIES
  LABELS unit TIMEOUT 300 FIXTURES_REQUIRED pe_fixtures)
