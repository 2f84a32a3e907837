// Compromise propagation over the inventory graph (the rules are in docs/graph.md):
//   forward: a time-ordered earliest-arrival search from a seed node; every node reached gets
//            its earliest compromise time and one shortest explaining path;
//   root cause: a latest-departure search against the edges from a node known bad; every
//            upstream node that can reach it in time, ranked by known-bad signals on its path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "graph/csr.h"
#include "graph/model.h"
#include "graph/store.h"

namespace cascade::graph {

// One edge of an explaining path, in the direction compromise travelled.
struct PathHop {
  NodeRef from;
  NodeRef to;
  EdgeKind edge = EdgeKind::kRanOn;  // the stored fact's kind
  std::optional<std::int64_t> time;  // the fact's t
  std::optional<std::int64_t> until;
  std::string source_path;  // the document that proved the fact
  std::string source_sha256;
  std::string source_format;
  std::string note;
};

struct AffectedNode {
  NodeRef node;
  std::optional<std::int64_t> time;  // forward: earliest compromise time; root cause: latest
                                     // time the node could have been compromised and still
                                     // explain the seed. nullopt: unbounded.
  std::vector<PathHop> path;         // forward: seed -> node; root cause: node -> seed
  std::vector<std::string> names;    // artifacts: names seen (a few)
  std::vector<std::string> signals;  // root cause: "finding-id (node)" on the path, distinct
  std::size_t hops = 0;
};

struct TraceResult {
  bool root_cause = false;
  NodeRef seed;
  std::optional<std::int64_t> since;   // forward seed time
  bool seed_known = false;             // the seed is a stored node
  std::vector<AffectedNode> affected;  // forward: by time then kind then key; root cause: ranked
  std::uint64_t nodes_in_graph = 0;
  std::uint64_t edges_in_graph = 0;
};

struct TraceOptions {
  std::optional<std::int64_t> since;  // forward: the seed's compromise time
  std::size_t max_names = 5;
};

// The searches alone, on dense indexes, for callers that need no keys (the bench) and as the
// first half of trace_forward / trace_root_cause.
struct SearchState {
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::int64_t> time;          // forward: earliest arrival; root cause: latest
  std::vector<std::uint32_t> parent;       // kNone for the seed and for unreached nodes
  std::vector<std::uint64_t> parent_edge;  // index into CsrGraph::edges of the edge used
  std::vector<std::uint32_t> hops;
  std::vector<std::uint32_t> reached;  // in the order the search settled them (seed first)
};
SearchState search_forward(const CsrGraph& graph, std::uint32_t seed, std::int64_t since);
SearchState search_root_cause(const CsrGraph& graph, std::uint32_t seed);

// The searches on an already loaded graph (forward needs Direction::kPropagation, root cause
// Direction::kReverse); the store is only asked for the keys, names and documents of the nodes
// and edges in the answer.
Result<TraceResult> trace_forward(const CsrGraph& graph, GraphStore& store, const NodeRef& seed,
                                  const TraceOptions& options);
Result<TraceResult> trace_root_cause(const CsrGraph& graph, GraphStore& store, const NodeRef& seed,
                                     const TraceOptions& options);

}  // namespace cascade::graph
