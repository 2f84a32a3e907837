#include "serve/routes.h"

namespace cascade::serve {
namespace {

constexpr std::string_view kDocumentPrefix = "/api/v1/documents/";
constexpr std::string_view kNodePrefix = "/api/v1/nodes/";

}  // namespace

Route route_of(std::string_view method, std::string_view path) {
  const bool get = method == "GET";
  const bool post = method == "POST";
  if (post && path == "/api/v1/documents") return Route::kPostDocument;
  if (get && path.starts_with(kDocumentPrefix) && path.size() > kDocumentPrefix.size() &&
      path.find('/', kDocumentPrefix.size()) == std::string_view::npos) {
    return Route::kGetDocument;
  }
  if (get && path == "/api/v1/trace") return Route::kTrace;
  if (post && path == "/api/v1/hunt") return Route::kHunt;
  if (get && path == "/api/v1/nodes") return Route::kSearchNodes;
  // A node's key may hold '/' (purls), so everything after the prefix is the node.
  if (get && path.starts_with(kNodePrefix) && path.size() > kNodePrefix.size()) {
    return Route::kGetNode;
  }
  if (get && path == "/api/v1/stats") return Route::kStats;
  if (get && path == "/api/v1/openapi.json") return Route::kOpenApi;
  if (get && path == "/healthz") return Route::kHealth;
  if (get && path == "/metrics") return Route::kMetrics;
  return Route::kUnknown;
}

std::string_view route_label(Route route) {
  switch (route) {
    case Route::kPostDocument:
      return "/api/v1/documents";
    case Route::kGetDocument:
      return "/api/v1/documents/{sha256}";
    case Route::kTrace:
      return "/api/v1/trace";
    case Route::kHunt:
      return "/api/v1/hunt";
    case Route::kSearchNodes:
      return "/api/v1/nodes";
    case Route::kGetNode:
      return "/api/v1/nodes/{node}";
    case Route::kStats:
      return "/api/v1/stats";
    case Route::kOpenApi:
      return "/api/v1/openapi.json";
    case Route::kHealth:
      return "/healthz";
    case Route::kMetrics:
      return "/metrics";
    case Route::kUnknown:
      return "other";
  }
  return "other";
}

bool needs_token(Route route) {
  return route != Route::kHealth;
}

bool scope_allows(graph::TokenScope scope, Route route) {
  switch (scope) {
    case graph::TokenScope::kAdmin:
      return true;
    case graph::TokenScope::kIngest:
      return route == Route::kPostDocument;
    case graph::TokenScope::kRead:
      return route != Route::kPostDocument;
  }
  return false;
}

}  // namespace cascade::serve
