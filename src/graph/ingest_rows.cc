#include "graph/ingest_rows.h"

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <mutex>
#include <string_view>
#include <tuple>
#include <utility>

namespace cascade::graph {
namespace {

constexpr std::size_t kMinSlots = 64;
constexpr std::size_t kBatch = 16;

// splitmix64's finaliser: spreads structured integers (ids, times) over the table.
std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t time_bits(const std::optional<std::int64_t>& time) {
  return time ? static_cast<std::uint64_t>(*time) : 0x8000000000000001ULL;
}

// Ascending ids keep the store's inserts local in its id-ordered tree. The 16-byte entries are
// sorted, not the rows, which are twice that.
std::vector<NodeWrite> rows_of(std::vector<FreshNode>& fresh) {
  std::sort(fresh.begin(), fresh.end(),
            [](const FreshNode& a, const FreshNode& b) { return a.id < b.id; });
  std::vector<NodeWrite> rows;
  rows.reserve(fresh.size());
  for (const FreshNode& node : fresh)
    rows.push_back(NodeWrite{node.id, node.node->kind, node.node->key});
  return rows;
}

// Doubles an open-addressed table, placing each entry again by the hash it keeps.
template <typename Slot, typename Occupied>
void double_table(HugeVector<Slot>& slots, Occupied occupied) {
  HugeVector<Slot> old = std::exchange(slots, HugeVector<Slot>(slots.size() * 2));
  const std::size_t mask = slots.size() - 1;
  for (const Slot& entry : old) {
    if (!occupied(entry)) continue;
    std::size_t slot = entry.hash & mask;
    while (occupied(slots[slot])) slot = (slot + 1) & mask;
    slots[slot] = entry;
  }
}

// Tables kept from one document to the next. On a VM a fresh 100 MB table costs about 0.1 s of
// page faults, at every document of a large load, while the writer waits; clearing a kept one
// costs a fraction of that. One table of each kind is kept, up to kMaxKeptBytes.
template <typename Slot>
class TablePool {
 public:
  // An empty table of at least `slots` (a power of two) slots; a kept one up to four times
  // larger is used whole, sparing the growth it once went through.
  static HugeVector<Slot> take(std::size_t slots) {
    HugeVector<Slot> table;
    {
      const std::lock_guard lock(mutex_);
      table = std::move(kept_);
      kept_ = HugeVector<Slot>();
    }
    const std::size_t kept_slots = std::bit_floor(table.capacity());
    if (kept_slots >= slots && kept_slots / 4 <= slots) slots = kept_slots;
    table.clear();
    table.resize(slots);  // within the kept capacity: no new pages
    return table;
  }
  static void give_back(HugeVector<Slot>& table) {
    if (table.capacity() * sizeof(Slot) > kMaxKeptBytes) return;
    const std::lock_guard lock(mutex_);
    if (table.capacity() > kept_.capacity()) kept_ = std::move(table);
  }

 private:
  static constexpr std::size_t kMaxKeptBytes = std::size_t{256} << 20;
  static inline std::mutex mutex_;
  static inline HugeVector<Slot> kept_;
};

}  // namespace

RowConverter::RowConverter(const Document& document, std::int64_t doc_id)
    : document_(document), doc_id_(doc_id) {}

RowConverter::~RowConverter() {
  TablePool<NodeSlot>::give_back(node_slots_);
  TablePool<EdgeSlot>::give_back(edge_slots_);
}

void RowConverter::allocate_tables() {
  if (!node_slots_.empty()) return;
  // A document names at most two new nodes per edge; most name far fewer, so the tables start
  // at the edge count and double as needed.
  const std::size_t expected = document_.edges.size() + document_.nodes.size() + 16;
  node_slots_ = TablePool<NodeSlot>::take(std::bit_ceil(std::max(kMinSlots, expected * 2)));
  edge_slots_ =
      TablePool<EdgeSlot>::take(std::bit_ceil(std::max(kMinSlots, document_.edges.size() * 2)));
}

std::uint64_t RowConverter::node_hash(const NodeRef& node) {
  return std::hash<std::string_view>{}(node.key) ^ mix(static_cast<std::uint64_t>(node.kind) + 1);
}

void RowConverter::prefetch_node_slot(std::uint64_t hash) const {
  __builtin_prefetch(&node_slots_[hash & (node_slots_.size() - 1)]);
}

// Most probes find their node in the first slot they look at: its key is what the comparison
// will read.
void RowConverter::prefetch_node_key(std::uint64_t hash) const {
  const NodeSlot& entry = node_slots_[hash & (node_slots_.size() - 1)];
  if (entry.key != nullptr && entry.hash == hash) __builtin_prefetch(entry.key);
}

std::int64_t RowConverter::id_of(const NodeRef& node, std::vector<FreshNode>& fresh) {
  return id_of(node, node_hash(node), fresh);
}

std::int64_t RowConverter::id_of(const NodeRef& node, std::uint64_t hash,
                                 std::vector<FreshNode>& fresh) {
  const std::size_t mask = node_slots_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    NodeSlot& entry = node_slots_[slot];
    if (entry.key == nullptr) {
      const std::int64_t id = node_id(node);
      entry = NodeSlot{node.key.data(), static_cast<std::uint32_t>(node.key.size()), node.kind,
                       hash, id};
      fresh.push_back(FreshNode{id, &node});
      if (++node_count_ * 2 > node_slots_.size()) grow_nodes();
      return id;
    }
    if (entry.hash == hash && entry.kind == node.kind &&
        std::string_view(entry.key, entry.size) == node.key) {
      return entry.id;
    }
  }
}

std::uint64_t RowConverter::edge_hash(const EdgeFact& fact, std::int64_t src, std::int64_t dst) {
  return mix(static_cast<std::uint64_t>(src) ^
             mix(static_cast<std::uint64_t>(dst) + static_cast<std::uint64_t>(fact.kind))) ^
         mix(time_bits(fact.time) ^ mix(time_bits(fact.until)));
}

void RowConverter::prefetch_edge_slot(std::uint64_t hash) const {
  __builtin_prefetch(&edge_slots_[hash & (edge_slots_.size() - 1)]);
}

bool RowConverter::first_time(const EdgeFact& fact, std::uint64_t hash) {
  const std::size_t mask = edge_slots_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    EdgeSlot& entry = edge_slots_[slot];
    if (entry.fact == nullptr) {
      entry = EdgeSlot{&fact, hash};
      if (++edge_count_ * 2 > edge_slots_.size()) grow_edges();
      return true;
    }
    if (entry.hash == hash && *entry.fact == fact) return false;
  }
}

void RowConverter::grow_nodes() {
  double_table(node_slots_, [](const NodeSlot& slot) { return slot.key != nullptr; });
}

void RowConverter::grow_edges() {
  double_table(edge_slots_, [](const EdgeSlot& slot) { return slot.fact != nullptr; });
}

EdgeSlice RowConverter::next_edges(std::size_t max_edges) {
  allocate_tables();
  EdgeSlice slice;
  std::vector<FreshNode>& fresh = edge_nodes_;
  const std::size_t end = std::min(document_.edges.size(), next_edge_ + max_edges);
  slice.edges.reserve(end - next_edge_);
  // Edges go in batches, and each table is probed in two passes: asking for every slot of a
  // batch first lets the cache misses of the random probes overlap instead of queueing.
  std::array<std::uint64_t, 2 * kBatch> node_hashes{};
  std::array<std::int64_t, 2 * kBatch> ids{};
  std::array<std::uint64_t, kBatch> edge_hashes{};
  while (next_edge_ < end) {
    const std::size_t batch = std::min(kBatch, end - next_edge_);
    const EdgeFact* facts = document_.edges.data() + next_edge_;
    for (std::size_t i = 0; i < batch; ++i) {
      node_hashes[2 * i] = node_hash(facts[i].src);
      node_hashes[2 * i + 1] = node_hash(facts[i].dst);
      prefetch_node_slot(node_hashes[2 * i]);
      prefetch_node_slot(node_hashes[2 * i + 1]);
    }
    for (std::size_t i = 0; i < 2 * batch; ++i) prefetch_node_key(node_hashes[i]);
    for (std::size_t i = 0; i < batch; ++i) {
      ids[2 * i] = id_of(facts[i].src, node_hashes[2 * i], fresh);
      ids[2 * i + 1] = id_of(facts[i].dst, node_hashes[2 * i + 1], fresh);
      edge_hashes[i] = edge_hash(facts[i], ids[2 * i], ids[2 * i + 1]);
      prefetch_edge_slot(edge_hashes[i]);
    }
    for (std::size_t i = 0; i < batch; ++i) {
      const EdgeFact& fact = facts[i];
      if (!first_time(fact, edge_hashes[i])) continue;
      slice.edges.push_back(EdgeRow{ids[2 * i], ids[2 * i + 1], fact.kind, fact.time, fact.until,
                                    doc_id_, fact.note});
    }
    next_edge_ += batch;
  }
  if (edges_done()) slice.nodes = rows_of(fresh);
  return slice;
}

RestRows RowConverter::rest() {
  allocate_tables();
  RestRows rows;
  std::vector<FreshNode> fresh;
  for (const NodeRef& node : document_.nodes) id_of(node, fresh);
  rows.names.reserve(document_.names.size());
  for (const NameFact& fact : document_.names) {
    rows.names.push_back(NameRow{id_of(fact.node, fresh), fact.name, doc_id_});
  }
  rows.signals.reserve(document_.signals.size());
  for (const SignalFact& fact : document_.signals) {
    rows.signals.push_back(
        SignalRow{id_of(fact.node, fresh), fact.finding, fact.severity, doc_id_});
  }
  rows.signers.reserve(document_.signers.size());
  for (const SignerFact& fact : document_.signers) {
    rows.signers.push_back(
        SignerRow{id_of(fact.node, fresh), fact.role, fact.certificate, doc_id_});
  }
  rows.nodes = rows_of(fresh);
  auto name_key = [](const NameRow& row) { return std::tie(row.node, row.name); };
  std::sort(rows.names.begin(), rows.names.end(),
            [&](const NameRow& a, const NameRow& b) { return name_key(a) < name_key(b); });
  rows.names.erase(
      std::unique(rows.names.begin(), rows.names.end(),
                  [&](const NameRow& a, const NameRow& b) { return name_key(a) == name_key(b); }),
      rows.names.end());
  auto signal_key = [](const SignalRow& row) {
    return std::tie(row.node, row.finding, row.severity);
  };
  std::sort(rows.signals.begin(), rows.signals.end(),
            [&](const SignalRow& a, const SignalRow& b) { return signal_key(a) < signal_key(b); });
  rows.signals.erase(std::unique(rows.signals.begin(), rows.signals.end(),
                                 [&](const SignalRow& a, const SignalRow& b) {
                                   return signal_key(a) == signal_key(b);
                                 }),
                     rows.signals.end());
  // A file's signer is often also the leaf of its chain, and two signatures may share a chain.
  auto signer_key = [](const SignerRow& row) {
    return std::tie(row.node, row.role, row.certificate);
  };
  std::sort(rows.signers.begin(), rows.signers.end(),
            [&](const SignerRow& a, const SignerRow& b) { return signer_key(a) < signer_key(b); });
  rows.signers.erase(std::unique(rows.signers.begin(), rows.signers.end(),
                                 [&](const SignerRow& a, const SignerRow& b) {
                                   return signer_key(a) == signer_key(b);
                                 }),
                     rows.signers.end());
  return rows;
}

}  // namespace cascade::graph
