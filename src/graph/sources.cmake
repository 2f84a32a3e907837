# graph: the inventory graph (model, document readers, SQLite and PostgreSQL stores, CSR loader,
# trace searches). SQLite is the embedded default store; libpq talks to shared PostgreSQL ones.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
target_sources(cascade PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/csr.cc
  ${CMAKE_CURRENT_LIST_DIR}/ingest.cc
  ${CMAKE_CURRENT_LIST_DIR}/ingest_rows.cc
  ${CMAKE_CURRENT_LIST_DIR}/library_versions.cc
  ${CMAKE_CURRENT_LIST_DIR}/model.cc
  ${CMAKE_CURRENT_LIST_DIR}/pg_listener.cc
  ${CMAKE_CURRENT_LIST_DIR}/pg_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/pg_store_check.cc
  ${CMAKE_CURRENT_LIST_DIR}/pg_store_read.cc
  ${CMAKE_CURRENT_LIST_DIR}/pg_store_tokens.cc
  ${CMAKE_CURRENT_LIST_DIR}/pg_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_document.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_events.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_intoto.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_sbom.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_spdx.cc
  ${CMAKE_CURRENT_LIST_DIR}/sbom_identity.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_scan.cc
  ${CMAKE_CURRENT_LIST_DIR}/read_scan_signers.cc
  ${CMAKE_CURRENT_LIST_DIR}/schema.cc
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_checkpointer.cc
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/store.cc
  ${CMAKE_CURRENT_LIST_DIR}/store_check.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_path.cc
  ${CMAKE_CURRENT_LIST_DIR}/trace_search.cc
)
target_link_libraries(cascade PUBLIC PkgConfig::SQLITE3 PkgConfig::LIBPQ)
