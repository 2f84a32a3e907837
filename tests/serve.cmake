# serve: cascade serve's API against a real server on 127.0.0.1, on SQLite and on the throwaway
# PostgreSQL server of the graph tests (graph.cmake), through cpp-httplib's client; the TLS test
# makes its CA with the openssl command.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/serve_api_test.cc)
# The clients (scan --report-to and its spool, graph ingest --to, attest --report-to, trace
# --server) against a real server on 127.0.0.1 with a SQLite store, run as the CLI.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/serve_clients_test.cc)

# Crash safety: 16 clients post distinct documents concurrently to a real `cascade serve`, which
# is killed with SIGKILL at seeded random moments and restarted on the same store; every 2xx must
# be there whole, nothing half stored, the restarted server's graph equal to the store's.
add_test(NAME serve.crash_safety_sqlite
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/serve/crash_safety.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_CURRENT_BINARY_DIR}/serve-scratch/crash-sqlite)
set_tests_properties(serve.crash_safety_sqlite PROPERTIES
  FIXTURES_REQUIRED fixtures LABELS unit TIMEOUT 600)
add_test(NAME serve.crash_safety_postgres
  COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/serve/crash_safety.py
          $<TARGET_FILE:cascade-cli> ${CMAKE_CURRENT_BINARY_DIR}/serve-scratch/crash-postgres
          --db-uri-file ${FIXTURE_DIR}/graph/pg/uri)
set_tests_properties(serve.crash_safety_postgres PROPERTIES
  FIXTURES_REQUIRED "fixtures;graph_postgres" LABELS unit TIMEOUT 600 SKIP_RETURN_CODE 77)
# Replicas: two servers over one store; PostgreSQL's LISTEN/NOTIFY against SQLite's poll.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/serve_replicas_test.cc)
