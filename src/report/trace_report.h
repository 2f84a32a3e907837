// cascade trace output: the text summary (affected nodes grouped by kind, with time and path)
// and the cascade.trace/1 JSON document (docs/schema/cascade.trace-1.schema.json).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "graph/trace.h"

namespace cascade::report {

// How much of the answer the text lists; the JSON always has all of it.
struct TraceTextOptions {
  bool color = false;
  std::size_t nodes_per_kind = 20;  // forward: affected nodes listed per kind
  std::size_t candidates = 10;      // root cause: the best-ranked candidates listed
};

// A forward answer leads with its summary (counts by kind, earliest and latest compromise),
// then lists each kind's nodes, earliest first, up to the limit, saying how many more there are.
std::string trace_text(const graph::TraceResult& result, const TraceTextOptions& options);
nlohmann::json trace_json(const graph::TraceResult& result);
// The parts of trace_json, for answers sent a page at a time: everything but `affected`, and one
// entry of `affected`.
nlohmann::json trace_head_json(const graph::TraceResult& result);
nlohmann::json trace_affected_json(const graph::AffectedNode& node);

}  // namespace cascade::report
