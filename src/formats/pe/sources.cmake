# PE: headers, sections, imports, exports, resources, imphash, the certificate table and the
# Authenticode analysis of a PE image.
# imphash resolves ordinal imports exactly as pefile does, from pefile's own table.
set(ORDINAL_NAMES_CC ${CMAKE_BINARY_DIR}/generated/ordinal_names.cc)
add_custom_command(
  OUTPUT ${ORDINAL_NAMES_CC}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/scripts/gen-ordinal-names ${ORDINAL_NAMES_CC}
  DEPENDS ${CMAKE_SOURCE_DIR}/scripts/gen-ordinal-names
  COMMENT "Generating the ordinal name table from python3-pefile")
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/pe_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_imports.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_exports.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_resources.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_names.cc
  ${CMAKE_CURRENT_LIST_DIR}/imphash.cc
  ${ORDINAL_NAMES_CC}
  ${CMAKE_CURRENT_LIST_DIR}/pe_certificate_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_authenticode.cc
)
