// Compromise propagation over the inventory graph (the rules are in docs/graph.md):
//   forward: a time-ordered earliest-arrival search from a seed node; every node reached gets
//            its earliest compromise time and one shortest explaining path;
//   root cause: a latest-departure search against the edges from a node known bad; every
//            upstream node that can reach it in time, ranked by known-bad signals on its path.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "graph/csr.h"
#include "graph/model.h"
#include "graph/store.h"
#include "graph/trace_path.h"

namespace cascade::graph {

struct AffectedNode {
  NodeRef node;
  std::optional<std::int64_t> time;  // forward: earliest compromise time; root cause: latest
                                     // time the node could have been compromised and still
                                     // explain the seed. nullopt: unbounded.
  Path path;                         // forward: seed -> node; root cause: node -> seed
  std::vector<std::string> names;    // artifacts: names seen (a few)
  std::vector<std::string> signals;  // root cause: "finding-id (node)" on the path, distinct
  std::size_t hops = 0;              // hops of propagation: same-as hops are not counted
  // Other identities of this node that the answer reached only through same-as facts (its
  // SHA-512 beside its purl, ...): listed with it, not as nodes of their own.
  std::vector<NodeRef> same_as;
};

struct TraceResult {
  bool root_cause = false;
  NodeRef seed;                        // the first seed when there are several
  std::size_t seed_count = 1;          // forward traces may start from several seeds (hunt)
  std::optional<std::int64_t> since;   // forward seed time
  bool seed_known = false;             // the seed is a stored node
  std::vector<NodeRef> seed_same_as;   // the seed's other identities (same-as), in the answer
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
  // What the search knows of one node, packed so that the test an edge needs costs one cache
  // miss rather than one per array.
  struct NodeLabel {
    std::int64_t time = 0;         // forward: earliest arrival; root cause: latest
    std::uint32_t parent = kNone;  // kNone for the seed and for unreached nodes
    std::uint32_t hops = 0;
  };
  HugeVector<NodeLabel> labels;           // by dense index
  HugeVector<std::uint64_t> parent_edge;  // index into CsrGraph::edges of the edge used
  HugeVector<std::uint32_t> reached;      // in the order the search settled them (seed first)

  std::int64_t time(std::uint32_t node) const { return labels[node].time; }
  std::uint32_t parent(std::uint32_t node) const { return labels[node].parent; }
  std::uint32_t hops(std::uint32_t node) const { return labels[node].hops; }
};
SearchState search_forward(const CsrGraph& graph, std::uint32_t seed, std::int64_t since);
// One search from several seeds at once, all compromised at `since` (cascade hunt's joint blast
// radius): the same as the union of the single searches, each node at its earliest time.
SearchState search_forward(const CsrGraph& graph, std::span<const std::uint32_t> seeds,
                           std::int64_t since);
SearchState search_root_cause(const CsrGraph& graph, std::uint32_t seed);

// The searches on an already loaded graph (forward needs Direction::kPropagation, root cause
// Direction::kReverse); the store is only asked for the keys, names and documents of the nodes
// and edges in the answer, from one snapshot. To have the answer's rows come from the same state
// as the graph, hold a StoreSnapshot over load_graph and the trace, as `cascade trace` does.
Result<TraceResult> trace_forward(const CsrGraph& graph, GraphStore& store, const NodeRef& seed,
                                  const TraceOptions& options);
// A forward trace from several seeds (every one a stored node); `seed` in the result is the
// first of them, and no seed is listed as affected.
Result<TraceResult> trace_forward_from(const CsrGraph& graph, GraphStore& store,
                                       std::span<const NodeRef> seeds, const TraceOptions& options);
Result<TraceResult> trace_root_cause(const CsrGraph& graph, GraphStore& store, const NodeRef& seed,
                                     const TraceOptions& options);

}  // namespace cascade::graph
