# authenticode: format-independent PKCS#7/CMS reading, certificate chains, trust stores and lists,
# root programs and signed catalogs, shared by PE, MSI and Mach-O.
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/trust_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/pkcs7_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/trust_list.cc
  ${CMAKE_CURRENT_LIST_DIR}/root_program.cc
  ${CMAKE_CURRENT_LIST_DIR}/root_program_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/builtin_trust.cc
  ${CMAKE_CURRENT_LIST_DIR}/catalog.cc
)
# The trust stores in data/trust/ are assembled into the library (.incbin), so the binary needs
# no data directory; the object is rebuilt when a store file changes.
set(CASCADE_TRUST_DATA_DIR ${CMAKE_SOURCE_DIR}/data/trust)
set(CASCADE_TRUST_FILES microsoft-authroot.stl microsoft-roots.pem secure-boot.pem shim-vendor.pem
  apple-roots.pem)
list(TRANSFORM CASCADE_TRUST_FILES PREPEND ${CASCADE_TRUST_DATA_DIR}/)
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/builtin_trust.cc PROPERTIES
  COMPILE_DEFINITIONS "CASCADE_TRUST_DATA_DIR=\"${CASCADE_TRUST_DATA_DIR}\""
  OBJECT_DEPENDS "${CASCADE_TRUST_FILES}")
