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
