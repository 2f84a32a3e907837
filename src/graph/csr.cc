#include "graph/csr.h"

#include <algorithm>
#include <array>
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

}  // namespace

std::optional<std::uint32_t> CsrGraph::index_of(std::int64_t id) const {
  const auto found = std::lower_bound(ids.begin(), ids.end(), id);
  if (found == ids.end() || *found != id) return std::nullopt;
  return static_cast<std::uint32_t>(found - ids.begin());
}

Result<CsrGraph> load_graph(GraphStore& store, Direction direction) {
  CsrGraph graph;
  graph.direction = direction;
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
  graph.ids.reserve(nodes.size());
  graph.kinds.reserve(nodes.size());
  for (const auto& [id, kind] : nodes) {
    graph.ids.push_back(id);
    graph.kinds.push_back(kind);
  }
  nodes = {};
  const IdIndex index(graph.ids);

  HugeVector<LoadedEdge> loaded;
  loaded.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, counts->edges)));
  HugeVector<std::uint64_t> degree(graph.ids.size() + 1, 0);
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
  graph.offsets.assign(graph.ids.size() + 1, 0);
  for (std::size_t i = 0; i < graph.ids.size(); ++i) {
    graph.offsets[i + 1] = graph.offsets[i] + degree[i];
  }
  HugeVector<std::uint64_t> cursor(graph.offsets.begin(), graph.offsets.end() - 1);
  degree = {};
  graph.edges.resize(loaded.size());
  graph.edge_docs.resize(loaded.size());
  for (const LoadedEdge& item : loaded) {
    const std::uint64_t at = cursor[item.from]++;
    graph.edges[at] = item.edge;
    graph.edge_docs[at] = item.doc;
  }
  return graph;
}

}  // namespace cascade::graph
