# ELF parser sources, added to libcascade by the top-level CMakeLists.txt.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/elf_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/elf_dynamic.cc
  ${CMAKE_CURRENT_LIST_DIR}/elf_symbols.cc
  ${CMAKE_CURRENT_LIST_DIR}/elf_notes.cc
  ${CMAKE_CURRENT_LIST_DIR}/elf_names.cc
)
