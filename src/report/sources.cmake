# report: text, JSON and SARIF writers for scan, diff, verify, rebuild-compare, trace and store
# checks, Graphviz output, and the terminal colours of severities.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/severity_color.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/hunt_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/text_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/scan_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/diff_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/verify_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/rebuild_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_read.cc
  ${CMAKE_CURRENT_LIST_DIR}/store_check_report.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_graphviz.cc
  ${CMAKE_CURRENT_LIST_DIR}/dot_runner.cc
)
