# serve: what the clients of cascade serve read (a server's trace answer, a server URL) as
# attacker input.
list(APPEND CASCADE_FUZZERS serve_client_fuzzer)
