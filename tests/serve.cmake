# serve: cascade serve's API against a real server on 127.0.0.1, on SQLite and on the throwaway
# PostgreSQL server of the graph tests (graph.cmake), through cpp-httplib's client; the TLS test
# makes its CA with the openssl command.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/serve_api_test.cc)
# The clients (scan --report-to and its spool, graph ingest --to, attest --report-to, trace
# --server) against a real server on 127.0.0.1 with a SQLite store, run as the CLI.
target_sources(cascade-tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/serve_clients_test.cc)
