// The API's routes as a closed set: what authentication, scopes, metrics and the audit log name.
#pragma once

#include <string_view>

#include "graph/store.h"

namespace cascade::serve {

enum class Route {
  kPostDocument,  // POST /api/v1/documents
  kGetDocument,   // GET /api/v1/documents/{sha256}
  kTrace,         // GET /api/v1/trace
  kHunt,          // POST /api/v1/hunt
  kSearchNodes,   // GET /api/v1/nodes?q=TEXT
  kGetNode,       // GET /api/v1/nodes/{node}
  kStats,         // GET /api/v1/stats
  kOpenApi,       // GET /api/v1/openapi.json
  kHealth,        // GET /healthz (no token)
  kMetrics,       // GET /metrics
  kUnknown,       // anything else: 404 once the token is checked
};

Route route_of(std::string_view method, std::string_view path);
std::string_view route_label(Route route);  // the pattern, e.g. "/api/v1/documents/{sha256}"
bool needs_token(Route route);
// ingest: posting documents only; read: every other route (GETs and hunt); admin: all.
bool scope_allows(graph::TokenScope scope, Route route);

}  // namespace cascade::serve
