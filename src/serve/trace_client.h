// A trace asked of cascade serve: every page of GET /api/v1/trace walked with its cursor and put
// back together as the one cascade.trace/1 document a local `cascade trace --json` prints.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "serve/client.h"

namespace cascade::serve {

struct TraceQuery {
  std::string compromised;  // NODE, for a forward trace
  std::string root_cause;   // NODE, for a root-cause trace (exactly one of the two)
  std::string since;        // RFC 3339, forward only; empty: from the start
  std::size_t page = 10000;
};

// Errors: kIo when the server cannot be reached, kUsage for an answer other than 200 (its
// message), kMalformed for pages that do not fit together.
Result<nlohmann::json> fetch_trace(Client& client, const TraceQuery& query);

}  // namespace cascade::serve
