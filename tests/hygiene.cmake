# Hygiene: no input can make cascade wait forever or write to the terminal. Each check makes
# its own inputs (FIFOs, hostile names) with python and cascade itself.
add_test(NAME hygiene.fifo_inputs
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hygiene/check_fifo.py
          $<TARGET_FILE:cascade-cli>)
set_tests_properties(hygiene.fifo_inputs PROPERTIES LABELS unit TIMEOUT 900)
# Terminal escapes, line breaks and bidi overrides in sonames, version strings, dylib names,
# file and zip entry names never reach the text output raw; JSON keeps them exactly.
add_test(NAME hygiene.printable_text
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hygiene/check_text.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(hygiene.printable_text PROPERTIES LABELS unit TIMEOUT 600)
# Names that differ only in bytes that are not UTF-8 stay apart in scan, inspect and diff JSON
# and in the graph (lossless paths, docs/json-schema.md).
add_test(NAME hygiene.lossless_paths
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hygiene/check_paths.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(hygiene.lossless_paths PROPERTIES LABELS unit TIMEOUT 600)
