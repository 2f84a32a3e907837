# inspect: one file's format, hashes, signatures and findings, for every format cascade reads.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/file_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/format_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/inspect.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_inspect.cc
  ${CMAKE_CURRENT_LIST_DIR}/pe_findings.cc
  ${CMAKE_CURRENT_LIST_DIR}/elf_inspect.cc
  ${CMAKE_CURRENT_LIST_DIR}/macho_inspect.cc
  ${CMAKE_CURRENT_LIST_DIR}/msi_inspect.cc
  ${CMAKE_CURRENT_LIST_DIR}/catalog_inspect.cc
  ${CMAKE_CURRENT_LIST_DIR}/file_report_json.cc
  ${CMAKE_CURRENT_LIST_DIR}/format_json.cc
)
