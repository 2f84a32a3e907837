#include "serve/server.h"

#include <arpa/inet.h>

#include <iostream>
#include <utility>

#include "serve/server_state.h"
#include "serve/tokens.h"

namespace cascade::serve {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr int kStartWaitSteps = 5000;
constexpr std::string_view kFormType = "application/x-www-form-urlencoded";

void audit(Server::State& state, const httplib::Request& request, const httplib::Response& response,
           const RequestContext& context) {
  graph::AuditRow row;
  row.at = static_cast<std::int64_t>(std::time(nullptr));
  row.token = context.token;
  row.address = request.remote_addr;
  row.method = request.method;
  row.route = std::string(route_label(context.route));
  row.document = context.document;
  row.status = response.status;
  auto store = state.stores->borrow();
  if (auto written = store->put_audit(row); !written) {
    // The answer has gone out; the operator must hear that its audit row did not get stored.
    std::cerr << "cascade serve: audit row not stored: " << written.error().message << '\n';
  }
}

// Checks the token and its scope before the body is read, so nobody without a token can make
// the server read a large body.
httplib::Server::HandlerResponse check_access(Server::State& state, const httplib::Request& request,
                                              httplib::Response& response) {
  RequestContext& context = current_request();
  context = RequestContext{
      route_of(request.method, request.path), {}, {}, std::chrono::steady_clock::now()};
  if (!needs_token(context.route)) return httplib::Server::HandlerResponse::Unhandled;
  const std::string header = request.get_header_value("Authorization");
  if (!header.starts_with(kBearer)) {
    response.set_header("WWW-Authenticate", "Bearer");
    send_error(response, 401, "unauthorized", "an Authorization: Bearer TOKEN header is needed");
    return httplib::Server::HandlerResponse::Handled;
  }
  std::optional<graph::TokenRow> token;
  {
    auto store = state.stores->borrow();
    auto tokens = store->tokens();
    if (!tokens) {
      send_error(response, 500, "store-failed", tokens.error().message);
      return httplib::Server::HandlerResponse::Handled;
    }
    token = match_token(*tokens, std::string_view(header).substr(kBearer.size()));
  }
  if (!token) {
    response.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    send_error(response, 401, "unauthorized", "the token is unknown or revoked");
    return httplib::Server::HandlerResponse::Handled;
  }
  context.token = token->name;
  if (!state.limiter->allow(token->name, context.started)) {
    response.set_header("Retry-After", "1");
    send_error(response, 429, "rate-limited", "too many requests for this token; retry later");
    return httplib::Server::HandlerResponse::Handled;
  }
  if (!scope_allows(token->scope, context.route) && context.route != Route::kUnknown) {
    send_error(response, 403, "forbidden",
               "a token of scope " + std::string(graph::token_scope_name(token->scope)) +
                   " may not use " + request.method + " " +
                   std::string(route_label(context.route)));
    return httplib::Server::HandlerResponse::Handled;
  }
  if (context.route == Route::kUnknown) {
    send_error(response, 404, "not-found", "no such route");
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

void log_request(Server::State& state, const httplib::Request& request,
                 const httplib::Response& response) {
  const RequestContext& context = current_request();
  state.metrics.request_done(context.route, response.status,
                             std::chrono::steady_clock::now() - context.started);
  if (!context.token.empty()) audit(state, request, response, context);
}

}  // namespace

RequestContext& current_request() {
  thread_local RequestContext context;
  return context;
}

void send_error(httplib::Response& response, int status, std::string_view code,
                std::string_view message) {
  response.status = status;
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

Result<std::unique_ptr<Server>> Server::start(const ServeOptions& options) {
  const bool tls = !options.tls_cert.empty() || !options.tls_key.empty();
  if (tls && (options.tls_cert.empty() || options.tls_key.empty())) {
    return make_error(ErrorCode::kUsage, "--tls-cert and --tls-key go together");
  }
  if (!tls && !options.insecure_http && !is_loopback(options.host)) {
    return make_error(ErrorCode::kUsage,
                      "plain HTTP is served only on a loopback address: give --tls-cert and "
                      "--tls-key, or --insecure-http to send tokens and documents unencrypted");
  }
  std::unique_ptr<Server> server(new Server());
  auto state = std::make_unique<State>();
  state->options = options;
  state->limiter = std::make_unique<RateLimiter>(options.rate_per_second, options.rate_burst);
  auto stores = StorePool::open(options.db, options.threads);
  if (!stores) return stores.error();
  state->stores = std::move(stores).value();
  auto graph_store = graph::open_store(options.db, graph::OpenMode::kExisting);
  if (!graph_store) return graph_store.error();
  auto graph = HotGraph::start(options.db, std::move(graph_store).value(), options.poll);
  if (!graph) return graph.error();
  state->graph = std::move(graph).value();

  if (tls) {
    state->http =
        std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
  } else {
    state->http = std::make_unique<httplib::Server>();
  }
  if (!state->http->is_valid()) {
    return make_error(ErrorCode::kCrypto, "cannot use the TLS certificate " + options.tls_cert +
                                              " with the key " + options.tls_key);
  }
  const std::size_t threads = std::max<std::size_t>(options.threads, 1);
  state->http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  state->http->set_payload_max_length(options.max_body);
  State* raw = state.get();
  state->http->set_pre_routing_handler(
      [raw](const httplib::Request& request, httplib::Response& response) {
        return check_access(*raw, request, response);
      });
  state->http->set_logger(
      [raw](const httplib::Request& request, const httplib::Response& response) {
        log_request(*raw, request, response);
      });
  // What the library answers by itself (413 above --max-body, 400 for a malformed request)
  // gets the API's JSON error too.
  state->http->set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    if (response.status != 413) {
      send_error(response, response.status, "bad-request", "malformed request");
    } else if (request.get_header_value("Content-Type") == kFormType) {
      // cpp-httplib parses form bodies itself and caps them at 8 KiB, before any handler.
      send_error(response, 413, "too-large",
                 "a form-encoded body is limited to 8 KiB: send documents and feeds as "
                 "application/json or application/octet-stream");
    } else {
      send_error(response, 413, "too-large", "the body is larger than --max-body");
    }
  });
  register_handlers(*state);

  if (options.port == 0) {
    state->port = state->http->bind_to_any_port(options.host);
  } else if (state->http->bind_to_port(options.host, options.port)) {
    state->port = options.port;
  } else {
    state->port = -1;
  }
  if (state->port <= 0) {
    return make_error(ErrorCode::kIo,
                      "cannot listen on " + options.host + ":" + std::to_string(options.port));
  }
  state->listener = std::thread([raw] { raw->http->listen_after_bind(); });
  // stop() before the listener runs would find nothing to stop and leave it running.
  for (int waited = 0; !raw->http->is_running() && waited < kStartWaitSteps; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server->state_ = std::move(state);
  return server;
}

Server::~Server() {
  stop();
}

int Server::port() const {
  return state_->port;
}

bool Server::tls() const {
  return !state_->options.tls_cert.empty();
}

void Server::stop() {
  if (!state_) return;
  state_->http->stop();
  if (state_->listener.joinable()) state_->listener.join();
}

void Server::wait() {
  if (state_ && state_->listener.joinable()) state_->listener.join();
}

}  // namespace cascade::serve
