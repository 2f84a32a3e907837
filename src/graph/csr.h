// The inventory graph in memory: compressed sparse rows of dense 32-bit node indexes, built in one
// pass over the store's edges. Edges are stored in the direction compromise propagates (trace.h)
// or, for root-cause searches, the reverse. Dense indexes follow a breadth-first order of the
// graph, so that the nodes one edge list leads to mostly sit side by side in every per-node array.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/huge_pages.h"
#include "core/result.h"
#include "graph/model.h"
#include "graph/store.h"

namespace cascade::graph {

inline constexpr std::int64_t kNoTime = INT64_MIN;   // absent t (and the seed's default)
inline constexpr std::int64_t kOpenEnd = INT64_MAX;  // absent u

struct CsrEdge {
  std::uint32_t to = 0;  // dense index
  EdgeKind stored_kind = EdgeKind::kRanOn;
  bool reversed = false;  // propagation runs against the stored direction (e.g. host -> build)
  std::int64_t time = kNoTime;
  std::int64_t until = kOpenEnd;
};

enum class Direction { kPropagation, kReverse };

struct CsrGraph {
  Direction direction = Direction::kPropagation;
  HugeVector<std::int64_t> ids;  // dense index -> stored node id
  HugeVector<NodeKind> kinds;
  HugeVector<std::uint64_t> offsets;  // size ids.size() + 1
  HugeVector<CsrEdge> edges;
  // The source document of each edge, beside rather than inside CsrEdge: only the few edges of
  // an answer need it, and a smaller edge makes every edge list the search walks shorter.
  HugeVector<std::int64_t> edge_docs;
  std::uint64_t stored_edges = 0;  // edges read from the store (one stored edge may give none)

  std::optional<std::uint32_t> index_of(std::int64_t id) const;  // binary search
  std::size_t node_count() const { return ids.size(); }

  // Stored ids in ascending order, and the dense index of each: what index_of searches.
  HugeVector<std::int64_t> sorted_ids;
  HugeVector<std::uint32_t> sorted_index;
};

// Reads every node and edge, from one snapshot of the store, and builds the CSR for `direction`.
Result<CsrGraph> load_graph(GraphStore& store, Direction direction);

}  // namespace cascade::graph
