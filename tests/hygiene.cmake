# Hygiene: no input can make cascade wait forever or write to the terminal. Each check makes
# its own inputs (FIFOs, hostile names) with python and cascade itself.
add_test(NAME hygiene.fifo_inputs
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/hygiene/check_fifo.py
          $<TARGET_FILE:cascade-cli>)
set_tests_properties(hygiene.fifo_inputs PROPERTIES LABELS unit TIMEOUT 900)
