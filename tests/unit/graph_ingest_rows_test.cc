// The pieces behind fast ingest and lean answers: fact -> row conversion (each node hashed once,
// duplicates dropped), the two-thread ingest of many documents, the SQLite store's memory of
// stored nodes across a rolled-back document, shared paths, and huge-page arrays.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/huge_pages.h"
#include "graph/id_set.h"
#include "graph/ingest.h"
#include "graph/ingest_rows.h"
#include "graph/store.h"
#include "graph/trace_path.h"
#include "graph_test_support.h"

namespace cascade::graph {
namespace {

constexpr std::int64_t kT = 1700000000;

NodeRef host(const std::string& name) {
  return {NodeKind::kHost, name};
}
NodeRef artifact(int i) {
  std::string hex = std::to_string(i);
  return {NodeKind::kArtifact, std::string(64 - hex.size(), 'a') + hex};
}
EdgeFact ran_on(int artifact_index, const std::string& on, std::int64_t time) {
  return EdgeFact{EdgeKind::kRanOn, artifact(artifact_index), host(on), time, std::nullopt, {}};
}

class TempStore : public TempSqliteStoreTest {
 protected:
  DocRow doc(int n) {
    // Document ids are the digest's first 63 bits: vary the front.
    const std::string hex = std::to_string(n % 10) + std::string(63, 'd');
    return document_row(hex, DocumentFormat::kEvents, "doc-" + std::to_string(n), kT);
  }
};

TEST(RowConverter, HashesEachNodeOnceAndDropsRepeatedFacts) {
  Document document;
  document.edges = {ran_on(1, "a", kT), ran_on(2, "a", kT), ran_on(1, "a", kT),
                    ran_on(1, "a", kT + 1), ran_on(1, "b", kT)};
  EdgeFact with_note{EdgeKind::kAccess, host("a"), host("b"), kT, std::nullopt, "ssh"};
  EdgeFact other_note = with_note;
  other_note.note = "vpn";
  document.edges.push_back(with_note);
  document.edges.push_back(other_note);  // differs only by its note: kept
  document.edges.push_back(with_note);   // repeat: dropped
  document.names = {{artifact(1), "x.dll"}, {artifact(1), "x.dll"}, {artifact(3), "y.dll"}};
  document.signals = {{artifact(1), "ioc.hash", "high"}, {artifact(1), "ioc.hash", "high"}};
  document.nodes = {host("lonely"), host("a")};

  RowConverter converter(document, 42);
  std::vector<EdgeRow> edges;
  std::vector<NodeWrite> nodes;
  while (!converter.edges_done()) {
    EdgeSlice slice = converter.next_edges(3);  // several slices share one de-duplication
    const std::vector<NodeWrite>& rows = slice.nodes;
    EXPECT_TRUE(rows.empty() || converter.edges_done());  // one batch, with the last slice
    EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(),
                               [](const NodeWrite& a, const NodeWrite& b) { return a.id < b.id; }));
    edges.insert(edges.end(), slice.edges.begin(), slice.edges.end());
    nodes.insert(nodes.end(), rows.begin(), rows.end());
  }
  const RestRows rest = converter.rest();
  nodes.insert(nodes.end(), rest.nodes.begin(), rest.nodes.end());

  ASSERT_EQ(edges.size(), 6u);
  EXPECT_EQ(converter.distinct_edges(), 6u);
  // Document order is kept for the first statement of each fact.
  EXPECT_EQ(edges[0].src, node_id(artifact(1)));
  EXPECT_EQ(edges[1].src, node_id(artifact(2)));
  EXPECT_EQ(edges[2].time, kT + 1);
  EXPECT_EQ(edges[4].note, "ssh");
  EXPECT_EQ(edges[5].note, "vpn");
  for (const EdgeRow& edge : edges) EXPECT_EQ(edge.doc, 42);

  // a1, a2, host a, host b, then lonely and a3 from the rest; each exactly once.
  std::set<std::int64_t> distinct;
  for (const NodeWrite& node : nodes) {
    EXPECT_TRUE(distinct.insert(node.id).second) << node.key;
    EXPECT_EQ(node.id, node_id(NodeRef{node.kind, std::string(node.key)}));
  }
  EXPECT_EQ(distinct.size(), 6u);
  EXPECT_EQ(converter.distinct_nodes(), 6u);
  ASSERT_EQ(rest.names.size(), 2u);
  ASSERT_EQ(rest.signals.size(), 1u);
  EXPECT_EQ(rest.signals[0].node, node_id(artifact(1)));
}

TEST(RowConverter, TablesGrowPastTheirFirstSize) {
  Document document;
  for (int i = 0; i < 5000; ++i) document.nodes.push_back(artifact(i));
  RowConverter converter(document, 1);
  const RestRows rest = converter.rest();
  EXPECT_EQ(rest.nodes.size(), 5000u);
  EXPECT_EQ(converter.distinct_nodes(), 5000u);
}

// Converters hand their tables on to the next one: nothing the last document put there may be
// seen by the next (its keys would point into a document already freed).
TEST(RowConverter, KeptTablesStartEmptyForTheNextDocument) {
  std::set<std::int64_t> first_ids;
  {
    auto first = std::make_unique<Document>();
    for (int i = 0; i < 3000; ++i) first->edges.push_back(ran_on(i, "a", kT));
    RowConverter converter(*first, 1);
    while (!converter.edges_done()) {
      for (const NodeWrite& row : converter.next_edges(1000).nodes) first_ids.insert(row.id);
    }
    EXPECT_EQ(first_ids.size(), 3001u);
  }
  // Fewer edges than the first: the kept (larger) tables are used whole.
  Document second;
  for (int i = 0; i < 1000; ++i) second.edges.push_back(ran_on(2 * i, "a", kT));
  RowConverter converter(second, 2);
  std::set<std::int64_t> second_ids;
  std::size_t edges = 0;
  while (!converter.edges_done()) {
    const EdgeSlice slice = converter.next_edges(300);
    for (const NodeWrite& row : slice.nodes) second_ids.insert(row.id);
    edges += slice.edges.size();
  }
  EXPECT_EQ(edges, 1000u);
  EXPECT_EQ(second_ids.size(), 1001u);  // every node fresh again, host "a" included
  EXPECT_EQ(converter.distinct_nodes(), 1001u);
  EXPECT_TRUE(second_ids.count(node_id(host("a"))));
}

TEST_F(TempStore, LargeDocumentsAreConvertedAndStoredOnTwoThreads) {
  // More edges than one slice (65536), with repeats spread across slices.
  Document document;
  const int kArtifacts = 70000;
  for (int i = 0; i < kArtifacts; ++i)
    document.edges.push_back(ran_on(i, "h" + std::to_string(i % 97), kT));
  for (int i = 0; i < 20000; ++i)
    document.edges.push_back(ran_on(i * 3, "h" + std::to_string((i * 3) % 97), kT));
  auto outcome = ingest_document(*store_, doc(1), document);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->edges, static_cast<std::uint64_t>(kArtifacts));
  EXPECT_EQ(outcome->nodes, static_cast<std::uint64_t>(kArtifacts + 97));
  auto counts = store_->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->edges, kArtifacts);
  EXPECT_EQ(counts->nodes, kArtifacts + 97);

  // The repeat is recognised and changes nothing, with the same counts reported.
  auto again = ingest_document(*store_, doc(1), document);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->already_ingested);
  EXPECT_EQ(again->edges, outcome->edges);
  EXPECT_EQ(store_->counts()->edges, kArtifacts);
}

// Forwards to a real store, but fails the edge writes of one document: a store error in the
// middle of a document, such as a full disk.
class FailingEdgesStore final : public GraphStore {
 public:
  FailingEdgesStore(GraphStore& inner, std::int64_t failing_doc)
      : inner_(inner), failing_doc_(failing_doc) {}
  Result<bool> begin_document(const DocRow& doc) override {
    open_doc_ = doc.id;
    return inner_.begin_document(doc);
  }
  using GraphStore::put_nodes;
  Status put_nodes(std::span<const NodeWrite> rows) override { return inner_.put_nodes(rows); }
  Status put_edges(std::span<const EdgeRow> rows) override {
    if (open_doc_ == failing_doc_ && ++failing_calls_ == 2) {
      return make_error(ErrorCode::kIo, "disk full");
    }
    return inner_.put_edges(rows);
  }
  Status put_names(std::span<const NameRow> rows) override { return inner_.put_names(rows); }
  Status put_signals(std::span<const SignalRow> rows) override { return inner_.put_signals(rows); }
  Status put_signers(std::span<const SignerRow> rows) override { return inner_.put_signers(rows); }
  Status commit_document() override { return inner_.commit_document(); }
  void rollback() override { inner_.rollback(); }
  Status begin_bulk() override { return inner_.begin_bulk(); }
  Status end_bulk() override { return inner_.end_bulk(); }
  Status scan_nodes(const std::function<void(std::int64_t, NodeKind)>& visit) override {
    return inner_.scan_nodes(visit);
  }
  Status scan_edges(const std::function<void(const EdgeRow&)>& visit) override {
    return inner_.scan_edges(visit);
  }
  Result<std::optional<NodeRow>> find_node(std::int64_t id) override {
    return inner_.find_node(id);
  }
  Result<std::vector<std::string>> node_names(std::int64_t id, std::size_t limit) override {
    return inner_.node_names(id, limit);
  }
  Result<std::optional<DocRow>> find_document(std::int64_t id) override {
    return inner_.find_document(id);
  }
  Result<std::string> edge_note(const EdgeRow& edge) override { return inner_.edge_note(edge); }
  Result<std::vector<SignalRow>> all_signals() override { return inner_.all_signals(); }
  Status scan_signers(const std::function<void(const SignerRow&)>& visit) override {
    return inner_.scan_signers(visit);
  }
  Result<StoreCounts> counts() override { return inner_.counts(); }
  Result<int> schema_version() override { return inner_.schema_version(); }
  Result<EngineCheck> engine_check(std::size_t max_problems) override {
    return inner_.engine_check(max_problems);
  }
  Status scan_node_rows(
      const std::function<void(std::int64_t, std::int64_t, std::string_view)>& visit) override {
    return inner_.scan_node_rows(visit);
  }
  Status scan_documents(const std::function<void(const DocRow&)>& visit) override {
    return inner_.scan_documents(visit);
  }
  std::string describe() const override { return inner_.describe(); }

 protected:
  Status open_snapshot() override { return inner_.begin_snapshot(); }
  Status close_snapshot() override { return inner_.end_snapshot(); }

 private:
  GraphStore& inner_;
  std::int64_t failing_doc_;
  std::int64_t open_doc_ = -1;
  int failing_calls_ = 0;
};

TEST_F(TempStore, ManyDocumentsAreReportedInOrderAndAFailureStopsOnlyItsOwn) {
  // Each document spans several slices (65536 edges), so the converting thread runs ahead of
  // the writing one across document boundaries.
  auto large = [](int first, int count) {
    Document document;
    document.format = DocumentFormat::kEvents;
    for (int i = first; i < first + count; ++i) {
      document.edges.push_back(ran_on(i, "h" + std::to_string(i % 31), kT));
    }
    return document;
  };
  std::vector<std::optional<Result<PendingDocument>>> inputs;
  inputs.emplace_back(PendingDocument{doc(1), large(0, 140000)});
  inputs.emplace_back(make_error(ErrorCode::kMalformed, "broken.json: not JSON"));
  inputs.emplace_back(PendingDocument{doc(2), large(1000000, 140000)});  // its store fails
  inputs.emplace_back(PendingDocument{doc(3), large(2000000, 70000)});
  inputs.emplace_back(PendingDocument{doc(1), large(0, 140000)});  // a repeat of the first
  std::size_t next = 0;
  std::vector<Result<IngestOutcome>> outcomes;
  FailingEdgesStore failing(*store_, doc(2).id);
  ingest_documents(
      failing,
      [&]() -> std::optional<Result<PendingDocument>> {
        if (next == inputs.size()) return std::nullopt;
        return std::move(inputs[next++]);
      },
      [&](Result<IngestOutcome> outcome) { outcomes.push_back(std::move(outcome)); });

  ASSERT_EQ(outcomes.size(), 5u);
  ASSERT_TRUE(outcomes[0]) << outcomes[0].error().message;
  EXPECT_EQ(outcomes[0]->path, "doc-1");
  EXPECT_EQ(outcomes[0]->edges, 140000u);
  EXPECT_FALSE(outcomes[0]->already_ingested);
  ASSERT_FALSE(outcomes[1]);
  EXPECT_EQ(outcomes[1].error().message, "broken.json: not JSON");
  ASSERT_FALSE(outcomes[2]);
  EXPECT_EQ(outcomes[2].error().message, "disk full");
  ASSERT_TRUE(outcomes[3]) << outcomes[3].error().message;
  EXPECT_EQ(outcomes[3]->path, "doc-3");
  EXPECT_EQ(outcomes[3]->edges, 70000u);
  ASSERT_TRUE(outcomes[4]) << outcomes[4].error().message;
  EXPECT_TRUE(outcomes[4]->already_ingested);
  EXPECT_EQ(outcomes[4]->edges, 140000u);

  // The failed document left nothing and is not recorded, so it can be ingested later.
  auto counts = store_->counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->documents, 2);
  EXPECT_EQ(counts->edges, 140000 + 70000);
  EXPECT_EQ(counts->nodes, 140000 + 70000 + 31);
  EXPECT_FALSE(store_->find_document(doc(2).id).value().has_value());
  auto retried = ingest_document(*store_, doc(2), large(1000000, 140000));
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_FALSE(retried->already_ingested);
  EXPECT_EQ(store_->counts()->edges, 140000 + 70000 + 140000);
}

TEST_F(TempStore, ANodeFromARolledBackDocumentIsStoredByTheNextOne) {
  const NodeRef node = host("kept");
  const NodeRow row{node_id(node), node.kind, node.key};
  ASSERT_TRUE(store_->begin_document(doc(1)).value());
  ASSERT_TRUE(store_->put_nodes(std::span<const NodeRow>(&row, 1)));
  store_->rollback();
  EXPECT_FALSE(store_->find_node(row.id).value().has_value());

  ASSERT_TRUE(store_->begin_document(doc(2)).value());
  ASSERT_TRUE(store_->put_nodes(std::span<const NodeRow>(&row, 1)));
  ASSERT_TRUE(store_->commit_document());
  EXPECT_TRUE(store_->find_node(row.id).value().has_value());

  // Named again by a third document: remembered, still exactly one row.
  ASSERT_TRUE(store_->begin_document(doc(3)).value());
  ASSERT_TRUE(store_->put_nodes(std::span<const NodeRow>(&row, 1)));
  ASSERT_TRUE(store_->commit_document());
  EXPECT_EQ(store_->counts()->nodes, 1);
}

TEST(IdSet, InsertsFindsAndGrows) {
  IdSet set;
  EXPECT_FALSE(set.contains(5));
  for (std::int64_t id = 0; id < 100000; id += 3) set.insert(id * 7919);
  set.insert(0);  // a repeat
  EXPECT_EQ(set.size(), 33334u);
  for (std::int64_t id = 0; id < 100000; ++id) {
    EXPECT_EQ(set.contains(id * 7919), id % 3 == 0) << id;
  }
  set.insert(-4);  // not an id: ignored
  EXPECT_FALSE(set.contains(-4));
  set.clear();
  EXPECT_FALSE(set.contains(0));
}

PathHop hop_between(const std::string& from, const std::string& to) {
  PathHop hop;
  hop.from = host(from);
  hop.to = host(to);
  return hop;
}

std::vector<std::string> spelled(const Path& path) {
  std::vector<std::string> out;
  for (const PathHop* hop : path.hops()) out.push_back(hop->from.key + ">" + hop->to.key);
  return out;
}

TEST(Path, SharesTailsAndKeepsOrderBothWays) {
  const Path base = Path().followed_by(hop_between("s", "a"));
  const Path left = base.followed_by(hop_between("a", "b"));
  const Path right = base.followed_by(hop_between("a", "c"));
  EXPECT_EQ(spelled(left), (std::vector<std::string>{"s>a", "a>b"}));
  EXPECT_EQ(spelled(right), (std::vector<std::string>{"s>a", "a>c"}));
  EXPECT_EQ(&left.front(), &right.front());  // one hop, shared
  EXPECT_EQ(left.size(), 2u);

  const Path upstream =
      Path().preceded_by(hop_between("y", "seed")).preceded_by(hop_between("x", "y"));
  EXPECT_EQ(spelled(upstream), (std::vector<std::string>{"x>y", "y>seed"}));
  EXPECT_EQ(upstream.front().from.key, "x");
  EXPECT_EQ(upstream.back().to.key, "seed");

  const Path mixed = left.preceded_by(hop_between("r", "s")).followed_by(hop_between("b", "z"));
  EXPECT_EQ(spelled(mixed), (std::vector<std::string>{"r>s", "s>a", "a>b", "b>z"}));
  const Path listed = {hop_between("p", "q"), hop_between("q", "r")};
  EXPECT_EQ(spelled(listed), (std::vector<std::string>{"p>q", "q>r"}));
  EXPECT_TRUE(Path().empty());
  EXPECT_TRUE(Path().hops().empty());
}

TEST(Path, AVeryLongPathIsWalkedWithoutRecursion) {
  Path path;
  for (int i = 0; i < 200000; ++i)
    path = path.followed_by(hop_between(std::to_string(i), std::to_string(i + 1)));
  EXPECT_EQ(path.hops().size(), 200000u);
  EXPECT_EQ(path.front().from.key, "0");
}

TEST(HugePages, LargeAndSmallVectorsBehaveAsVectors) {
  HugeVector<std::uint64_t> small(10, 7);
  EXPECT_EQ(small[9], 7u);
  HugeVector<std::uint64_t> large(3u << 20, 1);  // 24 MiB: mapped on its own
  if (huge_pages::kEnabled) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large.data()) % (2u << 20), 0u);
  }
  large.back() = 9;
  large.push_back(11);  // grows by reallocation
  EXPECT_EQ(large[(3u << 20) - 1], 9u);
  EXPECT_EQ(large.back(), 11u);
  EXPECT_EQ(large.front(), 1u);
  large = {};
  EXPECT_TRUE(large.empty());
}

}  // namespace
}  // namespace cascade::graph
