// Reading a cascade.trace/1 document back into the answer it was written from, so that an answer
// that came from cascade serve prints as text, DOT or HTML exactly as a local trace would. The
// document holds every field those outputs use; a trace has one seed, so seed_count is 1.
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "graph/trace.h"

namespace cascade::report {

// ErrorCode::kMalformed, naming the field, for anything that is not what trace_json writes.
Result<graph::TraceResult> trace_from_json(const nlohmann::json& document);

}  // namespace cascade::report
