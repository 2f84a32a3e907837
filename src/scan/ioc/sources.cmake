# Indicator feeds (hash lists, CSV, STIX 2.1, signer block-lists, OSV advisories with the
# ecosystems' version orderings) and YARA through libyara,
# added to libcascade by the top-level CMakeLists.txt.
find_package(PkgConfig REQUIRED)
pkg_check_modules(YARA REQUIRED IMPORTED_TARGET yara)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/large_buffer.cc
  ${CMAKE_CURRENT_LIST_DIR}/digest_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/feed_common.cc
  ${CMAKE_CURRENT_LIST_DIR}/hash_list.cc
  ${CMAKE_CURRENT_LIST_DIR}/csv_feed.cc
  ${CMAKE_CURRENT_LIST_DIR}/signer_list.cc
  ${CMAKE_CURRENT_LIST_DIR}/issuer_name.cc
  ${CMAKE_CURRENT_LIST_DIR}/stix_pattern.cc
  ${CMAKE_CURRENT_LIST_DIR}/stix_feed.cc
  ${CMAKE_CURRENT_LIST_DIR}/ecosystems.cc
  ${CMAKE_CURRENT_LIST_DIR}/semver_version.cc
  ${CMAKE_CURRENT_LIST_DIR}/debian_version.cc
  ${CMAKE_CURRENT_LIST_DIR}/pep440_version.cc
  ${CMAKE_CURRENT_LIST_DIR}/osv_feed.cc
  ${CMAKE_CURRENT_LIST_DIR}/osv_match.cc
  ${CMAKE_CURRENT_LIST_DIR}/indicators.cc
  ${CMAKE_CURRENT_LIST_DIR}/yara_rules.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::YARA)
