# diff: release loading, per-file deltas, capability tags, baseline policy, ranking.
# data/capabilities.json is compiled in (a raw string) so the binary needs no data directory;
# --capabilities FILE replaces it at run time.
set(CASCADE_CAPABILITIES_JSON ${CMAKE_SOURCE_DIR}/data/capabilities.json)
set_property(DIRECTORY ${CMAKE_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${CASCADE_CAPABILITIES_JSON})
file(READ ${CASCADE_CAPABILITIES_JSON} CASCADE_CAPABILITIES_TEXT)
configure_file(${CMAKE_CURRENT_LIST_DIR}/builtin_capabilities.cc.in
  ${CMAKE_BINARY_DIR}/generated/builtin_capabilities.cc @ONLY)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/facts.cc
  ${CMAKE_CURRENT_LIST_DIR}/capabilities.cc
  ${CMAKE_BINARY_DIR}/generated/builtin_capabilities.cc
)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/release.cc
  ${CMAKE_CURRENT_LIST_DIR}/baseline.cc
  ${CMAKE_CURRENT_LIST_DIR}/delta.cc
  ${CMAKE_CURRENT_LIST_DIR}/differ.cc
  ${CMAKE_CURRENT_LIST_DIR}/install_scripts.cc
  ${CMAKE_CURRENT_LIST_DIR}/line_diff.cc
  ${CMAKE_CURRENT_LIST_DIR}/script_changes.cc
)
