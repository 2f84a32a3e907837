# graph: document readers (scan, in-toto, CycloneDX, SPDX, events) in cascade-tests.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_read_test.cc)
# Fast ingest and lean answers: row conversion, the two-thread ingest, the checkpoint thread,
# shared paths, huge pages.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_ingest_rows_test.cc)
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_checkpointer_test.cc)
# The searches' monotone priority queue.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_radix_queue_test.cc)

# The GraphStore contract on SQLite and on a throwaway PostgreSQL 15 server (tests/graph/pg-server):
# the server lives only for the test run, in the build tree, on a free 127.0.0.1 port.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_store_test.cc)
add_test(NAME setup.graph_postgres
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/graph/pg-server start ${FIXTURE_DIR}/graph/pg)
set_tests_properties(setup.graph_postgres PROPERTIES FIXTURES_SETUP graph_postgres TIMEOUT 180)
add_test(NAME cleanup.graph_postgres
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/graph/pg-server stop ${FIXTURE_DIR}/graph/pg)
# The unit tests require only the combined `fixtures` (tests/CMakeLists.txt), so the server is
# stopped after those tests too, not as soon as its own (empty) graph_postgres set is done.
set_tests_properties(cleanup.graph_postgres PROPERTIES
  FIXTURES_CLEANUP "fixtures;graph_postgres" TIMEOUT 120)

# graph end to end: the 3CX cascade as an inventory (tests/graph/make-scenario.py: real `cascade
# scan` and `cascade attest` output, CycloneDX, SPDX and events documents, the answers written by
# hand from the propagation rules), checked by tests/graph/check_graph.py on SQLite -- with
# per-format variants and the time rules -- and on the throwaway PostgreSQL server, whose answers
# must equal SQLite's.
add_test(NAME setup.graph_fixtures
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/graph/make-scenario.py
          ${FIXTURE_DIR}/graph/scenario $<TARGET_FILE:cascade-cli>)
set_tests_properties(setup.graph_fixtures PROPERTIES FIXTURES_SETUP graph_fixtures TIMEOUT 300)
add_test(NAME graph.scenario_sqlite
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/graph/check_graph.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR}/graph/scenario ${CMAKE_CURRENT_BINARY_DIR}/graph-scratch/sqlite)
set_tests_properties(graph.scenario_sqlite PROPERTIES
  FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 600)
add_test(NAME graph.scenario_postgres
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/graph/check_graph.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR}/graph/scenario ${CMAKE_CURRENT_BINARY_DIR}/graph-scratch/postgres
          --db-uri-file ${FIXTURE_DIR}/graph/pg/uri)
set_tests_properties(graph.scenario_postgres PROPERTIES
  FIXTURES_REQUIRED "fixtures;graph_postgres" LABELS unit TIMEOUT 600 SKIP_RETURN_CODE 77)
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_trace_test.cc)
# Packages: the NODE syntax, depends-on, installed-on and same-as in both searches; SBOM and
# scan-report packages.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_package_read_test.cc)
# The real output of `npm sbom`, both formats, for a project installed from the registry (the
# tests skip, saying why, when the registry cannot be reached).
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_package_npm_test.cc)
add_test(NAME setup.graph_npm_sboms
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/graph/make-npm-sboms.sh ${FIXTURE_DIR}/graph/npm)
set_tests_properties(setup.graph_npm_sboms PROPERTIES FIXTURES_SETUP graph_npm_sboms TIMEOUT 600)
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_package_trace_test.cc)
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/trace_graphviz_test.cc)
# The store is checked, not believed: forged rows never enter an answer; graph check finds them.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/graph_store_check_test.cc)
# The same end to end through the CLI on the scenario: forged keys refused by trace, graph check
# on a genuine store, a forged key, a deleted node row, a corrupted page (SQLite) and a dropped
# primary key (PostgreSQL).
add_test(NAME graph.store_check_sqlite
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/graph/check_store.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR}/graph/scenario ${CMAKE_CURRENT_BINARY_DIR}/graph-scratch/store-check-sqlite)
set_tests_properties(graph.store_check_sqlite PROPERTIES
  FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 300)
add_test(NAME graph.store_check_postgres
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/graph/check_store.py $<TARGET_FILE:cascade-cli>
          ${FIXTURE_DIR}/graph/scenario ${CMAKE_CURRENT_BINARY_DIR}/graph-scratch/store-check-pg
          --db-uri-file ${FIXTURE_DIR}/graph/pg/uri)
set_tests_properties(graph.store_check_postgres PROPERTIES
  FIXTURES_REQUIRED "fixtures;graph_postgres" LABELS unit TIMEOUT 300 SKIP_RETURN_CODE 77)
