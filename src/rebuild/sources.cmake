# rebuild-compare: layouts (normalised fields, sections, exports, imports) of PE, ELF and
# Mach-O, the masked byte comparison, and its JSON and text outputs.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/layout.cc
  ${CMAKE_CURRENT_LIST_DIR}/layout_pe.cc
  ${CMAKE_CURRENT_LIST_DIR}/layout_elf.cc
  ${CMAKE_CURRENT_LIST_DIR}/layout_macho.cc
  ${CMAKE_CURRENT_LIST_DIR}/regions.cc
  ${CMAKE_CURRENT_LIST_DIR}/compare.cc
  ${CMAKE_CURRENT_LIST_DIR}/report.cc
)
