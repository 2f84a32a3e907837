# The CLI's manners: colour on a terminal, standard input, missing paths, the --help examples
# (each run), the generated man pages and completions.
add_test(NAME cli.manners
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/cli/check_cli.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR} ${CMAKE_BINARY_DIR}/man ${CMAKE_BINARY_DIR}/completions)
set_tests_properties(cli.manners PROPERTIES FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 600)
