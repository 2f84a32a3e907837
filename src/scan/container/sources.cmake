# scan's container readers (libarchive formats, Electron asar and MSI streams), added to libcascade by the
# top-level CMakeLists.txt.
target_sources(cascade PRIVATE
  ${CMAKE_SOURCE_DIR}/src/scan/container/container.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/expansion_guard.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/expansion_memory.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/archive_reader.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/asar_reader.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/asar_coverage.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/msi_expansion.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/zip_records.cc
  ${CMAKE_SOURCE_DIR}/src/scan/container/zip_views.cc
)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
target_link_libraries(cascade PUBLIC PkgConfig::LIBARCHIVE)
find_package(ZLIB REQUIRED)
target_link_libraries(cascade PUBLIC ZLIB::ZLIB)
