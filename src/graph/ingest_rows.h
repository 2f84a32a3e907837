// Turning one document's facts into store rows: every distinct node hashed (SHA-256) once, and
// facts stated twice stored once. Edges are converted in slices so that a large document can be
// written while the next slice is still being converted (ingest.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/huge_pages.h"
#include "graph/facts.h"
#include "graph/store.h"

namespace cascade::graph {

// A node first seen in the document being converted, before it becomes a row.
struct FreshNode {
  std::int64_t id = 0;
  const NodeRef* node = nullptr;  // into the document
};

struct EdgeSlice {
  // Empty but in the last slice, which carries every node the document's edges name, each
  // once, sorted by id; their keys point into the document. One sorted batch per document walks
  // the store's id index once, where a batch per slice walked all of it every slice (about 10%
  // less ingest CPU on the 20M-edge bench). Made on the converting thread: the writing one is
  // the slower (SQLite's inserts), so everything that can leave it does.
  std::vector<NodeWrite> nodes;
  std::vector<EdgeRow> edges;  // in document order, duplicates of earlier edges left out
};

struct RestRows {
  std::vector<NodeWrite> nodes;  // first seen among the edge-less nodes, names, signals, signers
  std::vector<NameRow> names;
  std::vector<SignalRow> signals;
  std::vector<SignerRow> signers;
};

// Reads `document` without changing it; the document must outlive the converter.
class RowConverter {
 public:
  RowConverter(const Document& document, std::int64_t doc_id);
  ~RowConverter();  // hands its tables to the next converter
  RowConverter(const RowConverter&) = delete;
  RowConverter& operator=(const RowConverter&) = delete;

  // The next at most `max_edges` edge facts as rows; empty once every edge was converted.
  EdgeSlice next_edges(std::size_t max_edges);
  bool edges_done() const { return next_edge_ >= document_.edges.size(); }
  // Everything but the edges; call once, after the edges.
  RestRows rest();

  std::size_t distinct_nodes() const { return node_count_; }
  std::size_t distinct_edges() const { return edge_count_; }

 private:
  // The key's characters are reached from the slot directly: through the NodeRef they cost two
  // dependent cache misses per probe, the NodeRef's and its characters'.
  struct NodeSlot {
    const char* key = nullptr;  // nullptr: empty slot
    std::uint32_t size = 0;     // keys are at most kMaxKeyLength (model.h)
    NodeKind kind = NodeKind::kArtifact;
    std::uint64_t hash = 0;
    std::int64_t id = 0;
  };
  struct EdgeSlot {
    const EdgeFact* fact = nullptr;
    std::uint64_t hash = 0;
  };

  static std::uint64_t node_hash(const NodeRef& node);
  void prefetch_node_slot(std::uint64_t hash) const;
  void prefetch_node_key(std::uint64_t hash) const;
  std::int64_t id_of(const NodeRef& node, std::vector<FreshNode>& fresh);
  std::int64_t id_of(const NodeRef& node, std::uint64_t hash, std::vector<FreshNode>& fresh);
  static std::uint64_t edge_hash(const EdgeFact& fact, std::int64_t src, std::int64_t dst);
  void prefetch_edge_slot(std::uint64_t hash) const;
  bool first_time(const EdgeFact& fact, std::uint64_t hash);
  void grow_nodes();
  void grow_edges();
  // The tables are sized on first use, so a large document's are cleared (or their pages
  // faulted in) on the converting thread, not the writing one.
  void allocate_tables();

  const Document& document_;
  std::int64_t doc_id_;
  std::size_t next_edge_ = 0;
  std::vector<FreshNode> edge_nodes_;  // first seen in the edges, for the last slice
  HugeVector<NodeSlot> node_slots_;
  std::size_t node_count_ = 0;
  HugeVector<EdgeSlot> edge_slots_;
  std::size_t edge_count_ = 0;
};

}  // namespace cascade::graph
