# MSI reader sources, added to libcascade by the top-level CMakeLists.txt. libgsf reads the OLE
# compound file; it is linked PUBLIC because its headers appear in src/formats/msi/ole_file.h.
find_package(PkgConfig REQUIRED)
pkg_check_modules(GSF REQUIRED IMPORTED_TARGET libgsf-1)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ole_directory.cc
  ${CMAKE_CURRENT_LIST_DIR}/ole_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_names.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_database.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_custom_actions.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_signature.cc
  ${CMAKE_CURRENT_LIST_DIR}/cabinet_files.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_file_views.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::GSF)
