#include "graph/csr.h"

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

namespace cascade::graph {
namespace {

// Which way compromise travels along each stored fact: with the stored direction (artifact ran
// on host), or against it (a host compromises the builds that ran on it, a dependency the
// packages that depend on it). same-as is stored both ways, so it travels both ways.
constexpr bool propagates_against_stored(EdgeKind kind) {
  return kind == EdgeKind::kBuiltOn || kind == EdgeKind::kConsumed || kind == EdgeKind::kContains ||
         kind == EdgeKind::kDependsOn;
}

// Stored ids are uniform 63-bit hashes, so the id itself is a good hash: an open-addressing
// table of (id, dense index) pairs maps 40 million edge ends in a couple of seconds.
class IdIndex {
 public:
  explicit IdIndex(const HugeVector<std::int64_t>& ids) {
    const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, ids.size() * 2));
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{kEmpty, 0});
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::size_t slot = static_cast<std::size_t>(ids[i]) & mask_;
      while (slots_[slot].id != kEmpty) slot = (slot + 1) & mask_;
      slots_[slot] = Slot{ids[i], static_cast<std::uint32_t>(i)};
    }
  }
  void prefetch(std::int64_t id) const {
    __builtin_prefetch(&slots_[static_cast<std::size_t>(id) & mask_]);
  }
  std::optional<std::uint32_t> find(std::int64_t id) const {
    std::size_t slot = static_cast<std::size_t>(id) & mask_;
    while (slots_[slot].id != kEmpty) {
      if (slots_[slot].id == id) return slots_[slot].index;
      slot = (slot + 1) & mask_;
    }
    return std::nullopt;
  }

 private:
  static constexpr std::int64_t kEmpty = -1;  // node ids are non-negative
  struct Slot {
    std::int64_t id;
    std::uint32_t index;
  };
  HugeVector<Slot> slots_;
  std::size_t mask_ = 0;
};

constexpr std::size_t kLoadBatch = 32;

struct LoadedEdge {
  std::uint32_t from;
  CsrEdge edge;
  std::int64_t doc;
};

// Dense indexes in breadth-first order, from each not yet numbered node in turn: the targets of
// an edge list are numbered together when that list first finds them, so the search's reads of
// their labels touch a few cache lines instead of one random line each (in id order, uniform
// hashes, every target was a miss: the search took about 1.5 times as long).
struct Numbering {
  HugeVector<std::uint32_t> rank;   // id-order index -> dense index
  HugeVector<std::uint32_t> order;  // dense index -> id-order index
};

Numbering breadth_first_numbering(const HugeVector<LoadedEdge>& loaded,
                                  const HugeVector<std::uint64_t>& degree, std::size_t n) {
  // Only the targets are needed to walk the graph: 4 bytes an edge instead of a full CsrEdge.
  HugeVector<std::uint64_t> offsets(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) offsets[i + 1] = offsets[i] + degree[i];
  HugeVector<std::uint32_t> targets(loaded.size());
  {
    HugeVector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
    for (const LoadedEdge& item : loaded) targets[cursor[item.from]++] = item.edge.to;
  }
  constexpr std::uint32_t kUnnumbered = UINT32_MAX;
  Numbering numbering{HugeVector<std::uint32_t>(n, kUnnumbered), {}};
  HugeVector<std::uint32_t>& rank = numbering.rank;
  HugeVector<std::uint32_t>& order = numbering.order;  // also the breadth-first queue
  order.reserve(n);
  // Roots with no incoming edge first (where compromise can only start), then whatever is left.
  std::vector<bool> has_incoming(n, false);
  for (std::uint64_t e = 0; e < targets.size(); ++e) has_incoming[targets[e]] = true;
  auto visit_from = [&](std::uint32_t root) {
    if (rank[root] != kUnnumbered) return;
    rank[root] = static_cast<std::uint32_t>(order.size());
    order.push_back(root);
    for (std::size_t head = order.size() - 1; head < order.size(); ++head) {
      const std::uint32_t node = order[head];
      for (std::uint64_t e = offsets[node]; e < offsets[node + 1]; ++e) {
        const std::uint32_t to = targets[e];
        if (rank[to] != kUnnumbered) continue;
        rank[to] = static_cast<std::uint32_t>(order.size());
        order.push_back(to);
      }
    }
  };
  for (std::uint32_t root = 0; root < n; ++root) {
    if (!has_incoming[root]) visit_from(root);
  }
  for (std::uint32_t root = 0; root < n; ++root) visit_from(root);
  return numbering;
}

}  // namespace

std::optional<std::uint32_t> CsrGraph::index_of(std::int64_t id) const {
  const auto found = std::lower_bound(sorted_ids.begin(), sorted_ids.end(), id);
  if (found == sorted_ids.end() || *found != id) return std::nullopt;
  return sorted_index[static_cast<std::size_t>(found - sorted_ids.begin())];
}

Result<CsrGraph> load_graph(GraphStore& store, Direction direction) {
  CsrGraph graph;
  graph.direction = direction;
  // The counts, nodes and edges of one committed state: an edge scan that also saw a document
  // committed after the node scan would drop that document's edges to nodes it adds.
  auto snapshot = StoreSnapshot::take(store);
  if (!snapshot) return snapshot.error();
  // The counts size every array once: growing a vector of 20 million edges by doubling copies
  // it several times over.
  auto counts = store.counts();
  if (!counts) return counts.error();
  HugeVector<std::pair<std::int64_t, NodeKind>> nodes;
  nodes.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, counts->nodes)));
  if (auto done = store.scan_nodes([&](std::int64_t id, NodeKind kind) {
        if (id >= 0) nodes.emplace_back(id, kind);
      });
      !done) {
    return done.error();
  }
  if (nodes.size() >= UINT32_MAX) {
    return make_error(ErrorCode::kLimit, "more than 4 billion nodes in " + store.describe());
  }
  std::sort(nodes.begin(), nodes.end());
  HugeVector<NodeKind> sorted_kinds;
  graph.sorted_ids.reserve(nodes.size());
  sorted_kinds.reserve(nodes.size());
  for (const auto& [id, kind] : nodes) {
    graph.sorted_ids.push_back(id);
    sorted_kinds.push_back(kind);
  }
  nodes = {};
  const std::size_t n = graph.sorted_ids.size();
  const IdIndex index(graph.sorted_ids);

  // Edges are first resolved to id-order indexes; the final numbering needs the whole graph.
  HugeVector<LoadedEdge> loaded;
  loaded.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, counts->edges)));
  HugeVector<std::uint64_t> degree(n + 1, 0);
  // Rows are resolved in batches: asking for every batch row's index slots first lets the
  // cache misses of 40 million random lookups overlap instead of queueing one by one.
  std::array<EdgeRow, kLoadBatch> batch;
  std::size_t batched = 0;
  auto resolve = [&] {
    for (std::size_t i = 0; i < batched; ++i) {
      index.prefetch(batch[i].src);
      index.prefetch(batch[i].dst);
    }
    for (std::size_t i = 0; i < batched; ++i) {
      const EdgeRow& row = batch[i];
      const auto src = index.find(row.src);
      const auto dst = index.find(row.dst);
      // An edge whose node row is missing (a concurrent writer mid-commit cannot cause this,
      // a hand-edited store can) is left out rather than guessed at.
      if (!src || !dst) continue;
      bool against = propagates_against_stored(row.kind);
      if (direction == Direction::kReverse) against = !against;
      const std::uint32_t from = against ? *dst : *src;
      const std::uint32_t to = against ? *src : *dst;
      loaded.push_back(LoadedEdge{from,
                                  CsrEdge{to, row.kind, propagates_against_stored(row.kind),
                                          row.time.value_or(kNoTime), row.until.value_or(kOpenEnd)},
                                  row.doc});
      ++degree[from];
    }
    batched = 0;
  };
  if (auto done = store.scan_edges([&](const EdgeRow& row) {
        ++graph.stored_edges;
        batch[batched++] = row;
        if (batched == kLoadBatch) resolve();
      });
      !done) {
    return done.error();
  }
  resolve();

  Numbering numbering = breadth_first_numbering(loaded, degree, n);
  graph.ids.resize(n);
  graph.kinds.resize(n);
  graph.offsets.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t old = numbering.order[i];
    graph.ids[i] = graph.sorted_ids[old];
    graph.kinds[i] = sorted_kinds[old];
    graph.offsets[i + 1] = graph.offsets[i] + degree[old];
  }
  numbering.order = {};
  sorted_kinds = {};
  degree = {};
  // Each node's edges keep the store's order, so ties in the search break as before.
  HugeVector<std::uint64_t> cursor(graph.offsets.begin(), graph.offsets.end() - 1);
  graph.edges.resize(loaded.size());
  graph.edge_docs.resize(loaded.size());
  for (const LoadedEdge& item : loaded) {
    const std::uint64_t at = cursor[numbering.rank[item.from]]++;
    graph.edges[at] = item.edge;
    graph.edges[at].to = numbering.rank[item.edge.to];
    graph.edge_docs[at] = item.doc;
  }
  graph.sorted_index = std::move(numbering.rank);
  return graph;
}

}  // namespace cascade::graph
