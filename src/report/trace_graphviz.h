// cascade trace pictures: Graphviz DOT for the explaining subgraph (the union of the affected
// nodes' paths), and a self-contained HTML page with that picture rendered to SVG by Graphviz's
// `dot` plus the tables of affected nodes.
#pragma once

#include <cstddef>
#include <string>

#include "core/result.h"
#include "graph/trace.h"

namespace cascade::report {

struct GraphvizOptions {
  std::size_t max_nodes = 500;   // beyond this the picture keeps the nearest nodes and says so
  int dot_timeout_seconds = 60;  // `dot` is killed after this
  std::string dot_program = "dot";
};

std::string trace_dot(const graph::TraceResult& result, const GraphvizOptions& options = {});

// Runs `dot -Tsvg` (no shell; input on stdin) and embeds the SVG. An error if dot is missing,
// fails or times out.
Result<std::string> trace_html(const graph::TraceResult& result,
                               const GraphvizOptions& options = {});

}  // namespace cascade::report
