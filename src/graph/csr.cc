#include "graph/csr.h"

#include <algorithm>
#include <bit>

namespace cascade::graph {
namespace {

// Which way compromise travels along each stored fact: with the stored direction (artifact ran
// on host), or against it (a host compromises the builds that ran on it).
constexpr bool propagates_against_stored(EdgeKind kind) {
  return kind == EdgeKind::kBuiltOn || kind == EdgeKind::kConsumed || kind == EdgeKind::kContains;
}

// Stored ids are uniform 63-bit hashes, so the id itself is a good hash: an open-addressing
// table of (id, dense index) pairs maps 40 million edge ends in a couple of seconds.
class IdIndex {
 public:
  explicit IdIndex(const std::vector<std::int64_t>& ids) {
    const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, ids.size() * 2));
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{kEmpty, 0});
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::size_t slot = static_cast<std::size_t>(ids[i]) & mask_;
      while (slots_[slot].id != kEmpty) slot = (slot + 1) & mask_;
      slots_[slot] = Slot{ids[i], static_cast<std::uint32_t>(i)};
    }
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
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

struct LoadedEdge {
  std::uint32_t from;
  CsrEdge edge;
};

}  // namespace

std::optional<std::uint32_t> CsrGraph::index_of(std::int64_t id) const {
  const auto found = std::lower_bound(ids.begin(), ids.end(), id);
  if (found == ids.end() || *found != id) return std::nullopt;
  return static_cast<std::uint32_t>(found - ids.begin());
}

Result<CsrGraph> load_graph(GraphStore& store, Direction direction) {
  CsrGraph graph;
  graph.direction = direction;
  std::vector<std::pair<std::int64_t, NodeKind>> nodes;
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
  graph.ids.reserve(nodes.size());
  graph.kinds.reserve(nodes.size());
  for (const auto& [id, kind] : nodes) {
    graph.ids.push_back(id);
    graph.kinds.push_back(kind);
  }
  nodes = {};
  const IdIndex index(graph.ids);

  std::vector<LoadedEdge> loaded;
  std::vector<std::uint64_t> degree(graph.ids.size() + 1, 0);
  if (auto done = store.scan_edges([&](const EdgeRow& row) {
        ++graph.stored_edges;
        const auto src = index.find(row.src);
        const auto dst = index.find(row.dst);
        // An edge whose node row is missing (a concurrent writer mid-commit cannot cause this,
        // a hand-edited store can) is left out rather than guessed at.
        if (!src || !dst) return;
        bool against = propagates_against_stored(row.kind);
        if (direction == Direction::kReverse) against = !against;
        const std::uint32_t from = against ? *dst : *src;
        const std::uint32_t to = against ? *src : *dst;
        loaded.push_back(LoadedEdge{
            from, CsrEdge{to, row.kind, propagates_against_stored(row.kind),
                          row.time.value_or(kNoTime), row.until.value_or(kOpenEnd), row.doc}});
        ++degree[from];
      });
      !done) {
    return done.error();
  }
  graph.offsets.assign(graph.ids.size() + 1, 0);
  for (std::size_t i = 0; i < graph.ids.size(); ++i) {
    graph.offsets[i + 1] = graph.offsets[i] + degree[i];
  }
  std::vector<std::uint64_t> cursor(graph.offsets.begin(), graph.offsets.end() - 1);
  degree = {};
  graph.edges.resize(loaded.size());
  for (const LoadedEdge& item : loaded) graph.edges[cursor[item.from]++] = item.edge;
  return graph;
}

}  // namespace cascade::graph
