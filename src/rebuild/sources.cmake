# rebuild-compare: layouts (normalised fields, sections, exports, imports) of PE, ELF and
# Mach-O, and the masked byte comparison (its JSON and text outputs are in report/).
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/layout.cc
  ${CMAKE_CURRENT_LIST_DIR}/layout_pe.cc
  ${CMAKE_CURRENT_LIST_DIR}/layout_elf.cc
  ${CMAKE_CURRENT_LIST_DIR}/layout_macho.cc
  ${CMAKE_CURRENT_LIST_DIR}/regions.cc
  ${CMAKE_CURRENT_LIST_DIR}/compare.cc
)
