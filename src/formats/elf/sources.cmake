# ELF parser sources, added to libcascade by the top-level CMakeLists.txt.
target_sources(cascade PRIVATE
  ${CMAKE_SOURCE_DIR}/src/formats/elf/elf_parser.cc
  ${CMAKE_SOURCE_DIR}/src/formats/elf/elf_dynamic.cc
  ${CMAKE_SOURCE_DIR}/src/formats/elf/elf_symbols.cc
  ${CMAKE_SOURCE_DIR}/src/formats/elf/elf_notes.cc
  ${CMAKE_SOURCE_DIR}/src/formats/elf/elf_names.cc
)
