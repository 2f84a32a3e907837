# Indicator feeds and YARA: GoogleTest cases in cascade-tests (feeds and rule files are written
# into a temporary directory by the tests themselves), and a check that the feeds generated from
# data/iocs/3cx-2023.csv are current.
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/ioc_feed_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/ioc_match_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/yara_rules_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/scan_yara_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/version_order_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/osv_feed_test.cc
)
add_test(NAME ioc.generated_feeds_current
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/gen-ioc-feeds --check)
set_tests_properties(ioc.generated_feeds_current PROPERTIES LABELS unit)
