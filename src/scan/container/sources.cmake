# scan's container readers (libarchive formats, Electron asar and MSI streams), added to
# libcascade by the top-level CMakeLists.txt.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/container.cc
  ${CMAKE_CURRENT_LIST_DIR}/expansion_guard.cc
  ${CMAKE_CURRENT_LIST_DIR}/expansion_memory.cc
  ${CMAKE_CURRENT_LIST_DIR}/archive_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/asar_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/asar_coverage.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_expansion.cc
  ${CMAKE_CURRENT_LIST_DIR}/zip_records.cc
  ${CMAKE_CURRENT_LIST_DIR}/zip_views.cc
)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
target_link_libraries(cascade PUBLIC PkgConfig::LIBARCHIVE)
find_package(ZLIB REQUIRED)
target_link_libraries(cascade PUBLIC ZLIB::ZLIB)
