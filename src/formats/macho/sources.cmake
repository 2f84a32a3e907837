# Mach-O: thin and fat images, load commands, symbols, and the embedded code signature.
target_sources(cascade PRIVATE
  ${CMAKE_SOURCE_DIR}/src/formats/macho/macho_parser.cc
  ${CMAKE_SOURCE_DIR}/src/formats/macho/macho_load_commands.cc
  ${CMAKE_SOURCE_DIR}/src/formats/macho/macho_symbols.cc
  ${CMAKE_SOURCE_DIR}/src/formats/macho/macho_names.cc
  ${CMAKE_SOURCE_DIR}/src/formats/macho/codesign_parse.cc
  ${CMAKE_SOURCE_DIR}/src/formats/macho/codesign_verify.cc
)
