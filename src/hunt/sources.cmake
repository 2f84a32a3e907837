# hunt: indicator feeds matched against the whole inventory graph (cascade hunt).
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/hunt.cc
  ${CMAKE_CURRENT_LIST_DIR}/signer_hunt.cc
)
