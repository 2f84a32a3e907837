# Indicator feeds (hash lists, CSV, STIX 2.1, signer block-lists) and YARA through libyara,
# added to libcascade by the top-level CMakeLists.txt.
find_package(PkgConfig REQUIRED)
pkg_check_modules(YARA REQUIRED IMPORTED_TARGET yara)
target_sources(cascade PRIVATE
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/large_buffer.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/digest_table.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/feed_common.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/hash_list.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/csv_feed.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/signer_list.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/issuer_name.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/stix_pattern.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/stix_feed.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/indicators.cc
  ${CMAKE_SOURCE_DIR}/src/scan/ioc/yara_rules.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::YARA)
