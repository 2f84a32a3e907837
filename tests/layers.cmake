# The layer order of docs/architecture.md: no #include in src/ runs back up it, and the check
# itself fails on trees that break it.
add_test(NAME layers.includes
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/check-layers ${CMAKE_SOURCE_DIR})
add_test(NAME layers.checker_fails
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/layers/check_layers_test.py
          ${CMAKE_SOURCE_DIR}/scripts/check-layers)
set_tests_properties(layers.includes layers.checker_fails PROPERTIES LABELS unit TIMEOUT 60)
