# MSI reader sources, added to libcascade by the top-level CMakeLists.txt. libgsf reads the OLE
# compound file; it is linked PUBLIC because its headers appear in src/formats/msi/ole_file.h.
find_package(PkgConfig REQUIRED)
pkg_check_modules(GSF REQUIRED IMPORTED_TARGET libgsf-1)
target_sources(cascade PRIVATE
  ${CMAKE_SOURCE_DIR}/src/formats/msi/ole_directory.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/ole_file.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/msi_names.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/msi_database.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/msi_reader.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/msi_signature.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/cabinet_files.cc
  ${CMAKE_SOURCE_DIR}/src/formats/msi/msi_file_views.cc
  ${CMAKE_SOURCE_DIR}/src/inspect/msi_inspect.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::GSF)
