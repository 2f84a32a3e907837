# demo: `make demo`'s script, end to end, on its own copy of the demo's inputs (built with the
# fixtures' tools: mingw-w64, openssl, osslsigncode, npm), including its last step against a
# throwaway `cascade serve` on a loopback port.
add_test(NAME demo.run
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/demo/run_demo.sh ${CMAKE_SOURCE_DIR}
          $<TARGET_FILE:cascade-cli> ${CMAKE_CURRENT_BINARY_DIR}/demo-scratch)
# Labelled `demo` too: the sanitizer pass of `make test` leaves the end-to-end script to the
# main build (its commands' code paths are the unit tests' own).
set_tests_properties(demo.run PROPERTIES LABELS "unit;demo" TIMEOUT 600)
