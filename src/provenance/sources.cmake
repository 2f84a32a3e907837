# provenance: keys, DSSE envelopes, in-toto statements and links, YAML/JSON release policies,
# attest and verify. libyaml reads YAML policies (an event parser: no recursion, no aliases).
find_package(PkgConfig REQUIRED)
pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/canonical_json.cc
  ${CMAKE_CURRENT_LIST_DIR}/keys.cc
  ${CMAKE_CURRENT_LIST_DIR}/dsse.cc
  ${CMAKE_CURRENT_LIST_DIR}/statement.cc
  ${CMAKE_CURRENT_LIST_DIR}/yaml_json.cc
  ${CMAKE_CURRENT_LIST_DIR}/policy.cc
  ${CMAKE_CURRENT_LIST_DIR}/attestations.cc
  ${CMAKE_CURRENT_LIST_DIR}/subject_names.cc
  ${CMAKE_CURRENT_LIST_DIR}/verifier.cc
  ${CMAKE_CURRENT_LIST_DIR}/attest.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::YAML)
