// The propagation rules and both searches on small hand-made inventories, through the real
// SQLite store and CSR loader: exact affected sets, times, paths and the time rules.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/time.h"
#include "graph/csr.h"
#include "graph/ingest.h"
#include "graph/store.h"
#include "graph/trace.h"
#include "graph_test_support.h"

namespace cascade::graph {
namespace {

std::int64_t at(const char* text) {
  return *parse_rfc3339(text);
}

NodeRef artifact(char fill) {
  return NodeRef{NodeKind::kArtifact, std::string(64, fill)};
}
NodeRef host(const char* name) {
  return NodeRef{NodeKind::kHost, name};
}
NodeRef build(const char* name) {
  return NodeRef{NodeKind::kBuild, name};
}
NodeRef release(const char* name) {
  return NodeRef{NodeKind::kRelease, name};
}
NodeRef org(const char* name) {
  return NodeRef{NodeKind::kOrg, name};
}

EdgeFact fact(EdgeKind kind, NodeRef src, NodeRef dst, std::optional<std::int64_t> time = {},
              std::optional<std::int64_t> until = {}) {
  return EdgeFact{kind, std::move(src), std::move(dst), time, until, ""};
}

class GraphTraceTest : public TempSqliteStoreTest {
 protected:
  void ingest(std::vector<EdgeFact> edges, std::vector<SignalFact> signals = {}) {
    Document document;
    document.edges = std::move(edges);
    document.signals = std::move(signals);
    const std::string name = "doc-" + std::to_string(++documents_);
    const DocRow row = document_row(std::string(64, static_cast<char>('0' + documents_)),
                                    DocumentFormat::kEvents, name, 0);
    auto outcome = ingest_document(*store_, row, std::move(document));
    ASSERT_TRUE(outcome) << outcome.error().message;
  }

  // node string -> time (nullopt printed as "-")
  std::map<std::string, std::string> forward(const NodeRef& seed,
                                             std::optional<std::int64_t> since = {}) {
    auto graph = load_graph(*store_, Direction::kPropagation);
    EXPECT_TRUE(graph) << graph.error().message;
    TraceOptions options;
    options.since = since;
    auto result = trace_forward(*graph, *store_, seed, options);
    EXPECT_TRUE(result) << result.error().message;
    std::map<std::string, std::string> out;
    for (const auto& node : result->affected) {
      out[format_node(node.node)] =
          node.time ? format_rfc3339(static_cast<std::time_t>(*node.time)) : "-";
      // Every path starts at the seed, ends at the node and is connected.
      EXPECT_EQ(node.path.front().from, seed);
      EXPECT_EQ(node.path.back().to, node.node);
      const std::vector<const PathHop*> hops = node.path.hops();
      EXPECT_EQ(hops.size(), node.path.size());
      for (std::size_t i = 1; i < hops.size(); ++i) EXPECT_EQ(hops[i - 1]->to, hops[i]->from);
      EXPECT_EQ(node.hops, node.path.size());
    }
    return out;
  }

  int documents_ = 0;
};

TEST_F(GraphTraceTest, ForwardFollowsTheCascadeAndItsTimeRules) {
  const NodeRef installer = artifact('a');
  const NodeRef tampered = artifact('b');
  const NodeRef clean = artifact('c');
  ingest({
      fact(EdgeKind::kRanOn, installer, host("dev"), at("2022-04-05T00:00:00Z")),
      fact(EdgeKind::kAccess, host("dev"), host("build01"), at("2022-12-01T00:00:00Z")),
      // ended before the compromise: carries nothing
      fact(EdgeKind::kAccess, host("dev"), host("hr"), at("2021-01-01T00:00:00Z"),
           at("2022-03-01T00:00:00Z")),
      // before the access: clean; running when access began would not be
      fact(EdgeKind::kBuiltOn, build("b-old"), host("build01"), at("2022-11-20T00:00:00Z"),
           at("2022-11-20T01:00:00Z")),
      fact(EdgeKind::kProduced, build("b-old"), clean, at("2022-11-20T01:00:00Z")),
      fact(EdgeKind::kBuiltOn, build("b-new"), host("build01"), at("2023-01-10T00:00:00Z"),
           at("2023-01-10T02:00:00Z")),
      fact(EdgeKind::kProduced, build("b-new"), tampered, at("2023-01-10T02:00:00Z")),
      fact(EdgeKind::kContains, release("app@2"), tampered, at("2023-01-11T00:00:00Z")),
      fact(EdgeKind::kContains, release("app@1"), clean),
      fact(EdgeKind::kDeployedOn, release("app@2"), host("cust-a"), at("2023-02-01T00:00:00Z")),
      // deployed before the release was compromised: not affected
      fact(EdgeKind::kDeployedOn, release("app@2"), host("cust-c"), at("2023-01-01T00:00:00Z")),
      fact(EdgeKind::kDeployedOn, release("app@1"), host("cust-d"), at("2023-02-01T00:00:00Z")),
      fact(EdgeKind::kOwnedBy, host("cust-a"), org("Customer A")),
      fact(EdgeKind::kOwnedBy, host("cust-d"), org("Customer D")),
  });
  const std::map<std::string, std::string> expected = {
      {"host:dev", "2022-04-05T00:00:00Z"},
      {"host:build01", "2022-12-01T00:00:00Z"},
      {"build:b-new", "2023-01-10T00:00:00Z"},
      {"sha256:" + std::string(64, 'b'), "2023-01-10T02:00:00Z"},
      {"release:app@2", "2023-01-10T02:00:00Z"},
      {"host:cust-a", "2023-02-01T00:00:00Z"},
      {"org:Customer A", "2023-02-01T00:00:00Z"},
  };
  EXPECT_EQ(forward(installer), expected);
}

TEST_F(GraphTraceTest, SinceDelaysTheSeedAndEdgesShiftedAfterItPropagate) {
  ingest({
      fact(EdgeKind::kAccess, host("a"), host("b"), at("2022-01-01T00:00:00Z"),
           at("2022-06-01T00:00:00Z")),
      fact(EdgeKind::kBuiltOn, build("x"), host("a"), at("2022-03-01T00:00:00Z"),
           at("2022-03-02T00:00:00Z")),
  });
  EXPECT_EQ(forward(host("a")),
            (std::map<std::string, std::string>{{"host:b", "2022-01-01T00:00:00Z"},
                                                {"build:x", "2022-03-01T00:00:00Z"}}));
  // Compromised only from April: the access ended before, the build finished before.
  EXPECT_TRUE(forward(host("a"), at("2022-07-01T00:00:00Z")).empty());
  // A build still running at the compromise is affected, from the compromise on.
  EXPECT_EQ(forward(host("a"), at("2022-03-01T12:00:00Z")),
            (std::map<std::string, std::string>{{"host:b", "2022-03-01T12:00:00Z"},
                                                {"build:x", "2022-03-01T12:00:00Z"}}));
}

TEST_F(GraphTraceTest, ConsumedMaterialsCompromiseTheBuildAndItsProducts) {
  const NodeRef library = artifact('1');
  const NodeRef product = artifact('2');
  ingest({
      fact(EdgeKind::kConsumed, build("ci-7"), library, at("2023-05-01T00:00:00Z")),
      fact(EdgeKind::kProduced, build("ci-7"), product, at("2023-05-01T01:00:00Z")),
  });
  EXPECT_EQ(forward(library), (std::map<std::string, std::string>{
                                  {"build:ci-7", "2023-05-01T00:00:00Z"},
                                  {"sha256:" + std::string(64, '2'), "2023-05-01T01:00:00Z"}}));
}

TEST_F(GraphTraceTest, EarliestOfSeveralFactsWinsAcrossDocuments) {
  const NodeRef tool = artifact('e');
  ingest({fact(EdgeKind::kRanOn, tool, host("h"), at("2024-06-01T00:00:00Z"))});
  ingest({fact(EdgeKind::kRanOn, tool, host("h"), at("2024-01-01T00:00:00Z"))});
  EXPECT_EQ(forward(tool),
            (std::map<std::string, std::string>{{"host:h", "2024-01-01T00:00:00Z"}}));
}

TEST_F(GraphTraceTest, UnknownSeedIsAnError) {
  ingest({fact(EdgeKind::kOwnedBy, host("h"), org("o"))});
  auto graph = load_graph(*store_, Direction::kPropagation);
  ASSERT_TRUE(graph);
  auto result = trace_forward(*graph, *store_, host("nope"), {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("not in the inventory"), std::string::npos);
}

TEST_F(GraphTraceTest, RootCauseRanksTheSignalledOriginFirst) {
  const NodeRef installer = artifact('a');
  const NodeRef notepad = artifact('n');
  const NodeRef tampered = artifact('b');
  ingest(
      {
          fact(EdgeKind::kRanOn, installer, host("dev"), at("2022-04-05T00:00:00Z")),
          fact(EdgeKind::kRanOn, notepad, host("dev"), at("2022-01-01T00:00:00Z")),
          fact(EdgeKind::kAccess, host("dev"), host("build01"), at("2022-12-01T00:00:00Z")),
          fact(EdgeKind::kBuiltOn, build("b-new"), host("build01"), at("2023-01-10T00:00:00Z"),
               at("2023-01-10T02:00:00Z")),
          fact(EdgeKind::kProduced, build("b-new"), tampered, at("2023-01-10T02:00:00Z")),
          fact(EdgeKind::kContains, release("app@2"), tampered),
          fact(EdgeKind::kDeployedOn, release("app@2"), host("cust-a"), at("2023-02-01T00:00:00Z")),
          // the seed has no known time, so later access can explain it too (ranked low)
          fact(EdgeKind::kAccess, host("late"), host("cust-a"), at("2024-01-01T00:00:00Z")),
      },
      {SignalFact{installer, "ioc.sha256", "critical"},
       SignalFact{tampered, "signature.invalid", "high"}});
  auto graph = load_graph(*store_, Direction::kReverse);
  ASSERT_TRUE(graph);
  auto result = trace_root_cause(*graph, *store_, host("cust-a"), {});
  ASSERT_TRUE(result) << result.error().message;
  std::vector<std::string> ranked;
  for (const auto& node : result->affected) ranked.push_back(format_node(node.node));
  ASSERT_FALSE(ranked.empty());
  EXPECT_EQ(ranked.front(), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(result->affected.front().signals.size(), 2U);
  std::sort(ranked.begin(), ranked.end());
  const std::vector<std::string> expected = {"build:b-new",
                                             "host:build01",
                                             "host:dev",
                                             "host:late",
                                             "release:app@2",
                                             "sha256:" + std::string(64, 'a'),
                                             "sha256:" + std::string(64, 'b'),
                                             "sha256:" + std::string(64, 'n')};
  EXPECT_EQ(ranked, expected);
  // Candidates without a signal on their path rank last.
  EXPECT_EQ(result->affected.back().signals.size(), 0U);
  // The origin's path runs from it to the seed.
  const auto& path = result->affected.front().path;
  EXPECT_EQ(path.front().from, installer);
  EXPECT_EQ(path.back().to, host("cust-a"));
}

// The loader renumbers nodes breadth first. Whatever the order, the graph must be the stored one:
// every id found through index_of at the index whose id it is, every stored edge present once
// in its propagation direction; and one node's newly found targets numbered side by side.
TEST_F(GraphTraceTest, CsrNumberingKeepsEveryNodeAndEdgeAndGroupsTargets) {
  const NodeRef tool = artifact('t');
  std::vector<EdgeFact> edges;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "h" + std::to_string(i);
    edges.push_back(fact(EdgeKind::kRanOn, tool, host(name.c_str()), at("2024-01-01T00:00:00Z")));
    edges.push_back(fact(EdgeKind::kOwnedBy, host(name.c_str()), org(i % 2 ? "odd" : "even")));
  }
  edges.push_back(fact(EdgeKind::kBuiltOn, build("b"), host("h3"), at("2024-01-02T00:00:00Z")));
  ingest(edges);
  for (const Direction direction : {Direction::kPropagation, Direction::kReverse}) {
    auto graph = load_graph(*store_, direction);
    ASSERT_TRUE(graph) << graph.error().message;
    ASSERT_EQ(graph->node_count(), 44U);  // tool, 40 hosts, 2 orgs, 1 build
    ASSERT_EQ(graph->offsets.size(), graph->node_count() + 1);
    std::set<std::int64_t> distinct(graph->ids.begin(), graph->ids.end());
    EXPECT_EQ(distinct.size(), graph->node_count());
    for (std::uint32_t index = 0; index < graph->node_count(); ++index) {
      EXPECT_EQ(graph->index_of(graph->ids[index]), index);
    }
    EXPECT_FALSE(graph->index_of(node_id(host("absent"))));
    // Each stored edge, as (from, to) ids in the loaded direction, exactly once.
    std::multiset<std::pair<std::int64_t, std::int64_t>> loaded;
    for (std::uint32_t from = 0; from < graph->node_count(); ++from) {
      for (std::uint64_t e = graph->offsets[from]; e < graph->offsets[from + 1]; ++e) {
        loaded.emplace(graph->ids[from], graph->ids[graph->edges[e].to]);
      }
    }
    std::multiset<std::pair<std::int64_t, std::int64_t>> stored;
    ASSERT_TRUE(store_->scan_edges([&](const EdgeRow& row) {
      const bool against = (row.kind == EdgeKind::kBuiltOn) != (direction == Direction::kReverse);
      stored.emplace(against ? row.dst : row.src, against ? row.src : row.dst);
    }));
    EXPECT_EQ(loaded, stored);
  }
  // Forward, the tool's 40 hosts are found by its edge list alone: 40 consecutive indexes.
  auto graph = load_graph(*store_, Direction::kPropagation);
  ASSERT_TRUE(graph);
  const std::uint32_t from = *graph->index_of(node_id(tool));
  std::vector<std::uint32_t> targets;
  for (std::uint64_t e = graph->offsets[from]; e < graph->offsets[from + 1]; ++e) {
    targets.push_back(graph->edges[e].to);
  }
  ASSERT_EQ(targets.size(), 40U);
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets.back() - targets.front(), 39U);
}

}  // namespace
}  // namespace cascade::graph
