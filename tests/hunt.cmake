# cascade hunt end to end: a small inventory ingested from hand-written documents, feeds written
# by the test (hash lists, a signer list, OSV advisories), answers written by hand, exit codes
# and the JSON against docs/schema/cascade.hunt-1.schema.json.
add_test(NAME hunt.end_to_end
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hunt/check_hunt.py $<TARGET_FILE:cascade-cli>
          ${CMAKE_SOURCE_DIR}/docs/schema/cascade.hunt-1.schema.json
          ${CMAKE_CURRENT_BINARY_DIR}/hunt-scratch)
set_tests_properties(hunt.end_to_end PROPERTIES LABELS unit TIMEOUT 300)
