# graph: the inventory graph (model, document readers, SQLite and PostgreSQL stores, CSR loader,
# trace searches). SQLite is the embedded default store; libpq talks to shared PostgreSQL ones.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
file(GLOB CASCADE_GRAPH_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cc)
target_sources(cascade PRIVATE ${CASCADE_GRAPH_SOURCES})
target_link_libraries(cascade PUBLIC PkgConfig::SQLITE3 PkgConfig::LIBPQ)
