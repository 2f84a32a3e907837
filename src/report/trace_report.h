// cascade trace output: the text summary (affected nodes grouped by kind, with time and path)
// and the cascade.trace/1 JSON document (docs/schema/cascade.trace-1.schema.json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "graph/trace.h"

namespace cascade::report {

std::string trace_text(const graph::TraceResult& result, bool color);
nlohmann::json trace_json(const graph::TraceResult& result);

}  // namespace cascade::report
