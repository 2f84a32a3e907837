# Container readers (src/scan/container): archives written at test time by libarchive's writer
# and by the real tools (zip, 7z, gcab; node runs tests/fixtures/container/make-asar.js, which
# lays an asar out byte for byte as @electron/asar does).
target_sources(cascade-tests PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/container_archive_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/container_asar_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/container_detect_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/container_limits_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/container_tools_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/container_zip_views_test.cc
)
target_compile_definitions(cascade-tests PRIVATE
  CASCADE_CONTAINER_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/fixtures/container")
