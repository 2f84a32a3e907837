# diff: two generated releases (trees, MSIs), the model tests in cascade-tests, and the CLI
# checked end to end against the fixture's expected.txt, from trees, MSIs and saved reports.
add_test(NAME setup.diff_fixtures
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/fixtures/diff/make-diff-fixtures.sh ${FIXTURE_DIR}/diff
          ${FIXTURE_DIR}/pki)
set_tests_properties(setup.diff_fixtures PROPERTIES
  FIXTURES_SETUP diff_fixtures FIXTURES_REQUIRED pe_fixtures TIMEOUT 300)
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/diff_model_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/diff_fixture_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/diff_install_scripts_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/line_diff_test.cc
)
add_test(NAME diff.cli_releases
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/diff/check_diff.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR}/diff ${FIXTURE_DIR}/pki/ca.pem ${CMAKE_SOURCE_DIR})
set_tests_properties(diff.cli_releases PROPERTIES
  FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 600)

# No false alarms on real updates: two versions of a few Debian packages (scripts/fetch-diff-corpus:
# signed and unsigned EFI PE files, ELF libraries and an executable) differ by ordinary rebuilds;
# diff must raise nothing above low. The finding counts are printed.
add_test(NAME peer.fetch_diff_corpus
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/fetch-diff-corpus ${CMAKE_BINARY_DIR}/diff-corpus)
set_tests_properties(peer.fetch_diff_corpus PROPERTIES
  FIXTURES_SETUP diff_corpus LABELS peer TIMEOUT 900)
add_test(NAME peer.diff_debian_updates
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/diff/check_debian_updates.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_BINARY_DIR}/diff-corpus)
set_tests_properties(peer.diff_debian_updates PROPERTIES
  FIXTURES_REQUIRED diff_corpus LABELS peer TIMEOUT 600)

# Install-time scripts (npm hooks, Debian maintainer scripts, setup.py and .pth, Electron main):
# npm tarballs and .debs built at test time with npm pack and dpkg-deb, diffed both ways, against
# their unpacked trees (--strip-prefix), and a package from the apt cache against itself.
add_test(NAME diff.cli_install_scripts
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/diff/check_install_scripts.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_SOURCE_DIR})
set_tests_properties(diff.cli_install_scripts PROPERTIES LABELS unit TIMEOUT 300)
