// cascade serve: the inventory as an HTTP API (docs/serve.md). The server keeps the graph hot in
// memory (hot_graph.h), checks a bearer token and its scope on every route but /healthz, limits
// each token's rate, and writes an audit row for every request a token was presented with.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.h"

namespace cascade::serve {

struct ServeOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 0;          // 0: any free port (port() says which)
  std::string tls_cert;  // both or neither
  std::string tls_key;
  bool insecure_http = false;  // plain HTTP on an address other than loopback
  std::size_t max_body = std::size_t{64} << 20;
  std::size_t threads = 8;
  double rate_per_second = 50;  // per token; 0: no limit
  double rate_burst = 100;
  std::chrono::milliseconds poll{3000};  // how often other writers' documents are looked for
};

// Whether `host` names the loopback interface (127.0.0.0/8, ::1, localhost).
bool is_loopback(const std::string& host);

class Server {
 public:
  // Opens the store, loads the graph, binds the address and starts answering on a thread.
  static Result<std::unique_ptr<Server>> start(const ServeOptions& options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // stops

  int port() const;
  bool tls() const;
  void stop();
  void wait();  // until stopped

  struct State;

 private:
  Server() = default;
  std::unique_ptr<State> state_;
};

}  // namespace cascade::serve
