// What the server's parts share: the store connections, the hot graph, the paging cache, the
// limits and the counters. Internal to src/serve.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "serve/hot_graph.h"
#include "serve/metrics.h"
#include "serve/openapi.h"
#include "serve/rate_limit.h"
#include "serve/routes.h"
#include "serve/server.h"
#include "serve/store_pool.h"
#include "serve/trace_pages.h"

namespace cascade::serve {

// The request a worker thread is answering. cpp-httplib hands the pre-routing check, the route's
// handler and the logger the same request on the same thread but no place to carry what the
// check found (the token) to the others, so it lives here for the request's duration.
struct RequestContext {
  Route route = Route::kUnknown;
  std::string token;     // the name of the token presented, once matched
  std::string document;  // SHA-256 of a posted document, for the audit row
  std::chrono::steady_clock::time_point started;
};
RequestContext& current_request();

struct Server::State {
  ServeOptions options;
  std::unique_ptr<StorePool> stores;
  std::unique_ptr<HotGraph> graph;
  TracePages pages;
  std::unique_ptr<RateLimiter> limiter;
  Metrics metrics;
  std::unique_ptr<httplib::Server> http;
  int port = 0;
  std::thread listener;
};

// Sets `{"error": {"code": CODE, "message": MESSAGE}}` as the answer with `status`.
void send_error(httplib::Response& response, int status, std::string_view code,
                std::string_view message);

// The routes' handlers (handlers.cc, node_handlers.cc).
void register_handlers(Server::State& state);
void register_node_handlers(Server::State& state);
void send_json(httplib::Response& response, int status, const nlohmann::json& body);

}  // namespace cascade::serve
