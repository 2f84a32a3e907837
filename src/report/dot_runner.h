// Running Graphviz `dot -Tsvg` on a trace picture, safely: no shell, a size cap on what comes
// back, and a deadline after which dot and everything it started are killed.
#pragma once

#include <string>

#include "core/result.h"
#include "report/trace_graphviz.h"

namespace cascade::report {

// The SVG `options.dot_program` renders from `dot_text` (given on stdin). An error if the
// program is missing, fails, is killed, stops reading early or outlives the timeout.
Result<std::string> run_dot(const std::string& dot_text, const GraphvizOptions& options);

}  // namespace cascade::report
