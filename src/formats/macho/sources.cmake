# Mach-O: thin and fat images, load commands, symbols, and the embedded code signature.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/macho_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/macho_load_commands.cc
  ${CMAKE_CURRENT_LIST_DIR}/macho_symbols.cc
  ${CMAKE_CURRENT_LIST_DIR}/macho_names.cc
  ${CMAKE_CURRENT_LIST_DIR}/codesign_parse.cc
  ${CMAKE_CURRENT_LIST_DIR}/codesign_verify.cc
)
