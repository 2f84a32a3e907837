// Packages in the inventory graph: the NODE syntax of packages and other digests, and how
// depends-on, installed-on and same-as carry a compromise in both searches, on small inventories
// through the real SQLite store and CSR loader.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/time.h"
#include "graph/csr.h"
#include "graph/ingest.h"
#include "graph/store.h"
#include "graph/trace.h"
#include "graph_test_support.h"
#include "report/trace_report.h"

namespace cascade::graph {
namespace {

std::int64_t at(const char* text) {
  return *parse_rfc3339(text);
}

NodeRef node(std::string_view text) {
  auto parsed = parse_node(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed ? *parsed : NodeRef{};
}

EdgeFact fact(EdgeKind kind, std::string_view src, std::string_view dst,
              std::optional<std::int64_t> time = {}) {
  return EdgeFact{kind, node(src), node(dst), time, {}, ""};
}

// Both directions, as the SBOM readers store same-as.
std::vector<EdgeFact> same_as(std::string_view a, std::string_view b) {
  return {fact(EdgeKind::kSameAs, a, b), fact(EdgeKind::kSameAs, b, a)};
}

const std::string kMs512 = "sha512:" + std::string(128, '4');
const std::string kMs256 = "sha256:" + std::string(64, '5');

TEST(GraphPackageModel, PackagesAndDigestsInTheNodeSyntax) {
  const NodeRef ms = node("pkg:NPM/ms@2.0.0");
  EXPECT_EQ(ms.kind, NodeKind::kPackage);
  EXPECT_EQ(ms.key, "pkg:npm/ms@2.0.0");  // normalised as the purl spec says
  EXPECT_EQ(format_node(ms), "pkg:npm/ms@2.0.0");
  EXPECT_EQ(format_node(node("pkg:npm/@babel/core@7.24.0")), "pkg:npm/%40babel/core@7.24.0");
  EXPECT_FALSE(parse_node("pkg:"));
  EXPECT_FALSE(parse_node("pkg:npm/ms@1%zz"));

  const NodeRef sha512 = node("sha512:" + std::string(128, 'A'));
  EXPECT_EQ(sha512.kind, NodeKind::kArtifact);
  EXPECT_EQ(sha512.key, "sha512:" + std::string(128, 'a'));
  EXPECT_EQ(format_node(sha512), sha512.key);
  EXPECT_FALSE(is_weak_digest(sha512));
  const NodeRef sha1 = node("sha1:" + std::string(40, 'b'));
  EXPECT_TRUE(is_weak_digest(sha1));
  EXPECT_FALSE(parse_node("sha1:" + std::string(64, 'b')));
  EXPECT_FALSE(parse_node("sha384:" + std::string(95, 'b')));
  // SHA-256 keys stay bare hex, whichever way they are spelled.
  EXPECT_EQ(node("sha256:" + std::string(64, 'C')).key, std::string(64, 'c'));
  EXPECT_EQ(*make_node(NodeKind::kArtifact, "sha256:" + std::string(64, 'c')),
            node("sha256:" + std::string(64, 'c')));

  auto from_document = make_artifact("SHA-512", std::string(128, 'f'));
  ASSERT_TRUE(from_document);
  EXPECT_EQ(format_node(*from_document), "sha512:" + std::string(128, 'f'));
  EXPECT_EQ(make_artifact("SHA3-256", std::string(64, '1'))->key,
            "sha3-256:" + std::string(64, '1'));
  EXPECT_EQ(make_artifact("sha_256", std::string(64, '1'))->key, std::string(64, '1'));
  EXPECT_EQ(make_artifact("MD5", std::string(32, '1'))->key, "md5:" + std::string(32, '1'));
  EXPECT_FALSE(make_artifact("BLAKE2b-512", std::string(128, '1')));
  EXPECT_FALSE(make_artifact("SHA-512", std::string(64, '1')));

  EXPECT_TRUE(edge_joins(EdgeKind::kContains, NodeKind::kRelease, NodeKind::kPackage));
  EXPECT_TRUE(edge_joins(EdgeKind::kContains, NodeKind::kRelease, NodeKind::kArtifact));
  EXPECT_FALSE(edge_joins(EdgeKind::kContains, NodeKind::kRelease, NodeKind::kHost));
  EXPECT_TRUE(edge_joins(EdgeKind::kSameAs, NodeKind::kPackage, NodeKind::kArtifact));
  EXPECT_FALSE(edge_joins(EdgeKind::kDependsOn, NodeKind::kPackage, NodeKind::kArtifact));
  EXPECT_TRUE(edge_joins(EdgeKind::kInstalledOn, NodeKind::kPackage, NodeKind::kHost));
  EXPECT_EQ(edge_ends_text(EdgeKind::kContains), "release to artifact or package");
  for (const char* name : {"depends-on", "installed-on", "same-as"}) {
    const auto kind = edge_kind_from_name(name);
    ASSERT_TRUE(kind) << name;
    EXPECT_EQ(edge_kind_name(*kind), name);
  }
  EXPECT_EQ(node_kind_from_name("package"), NodeKind::kPackage);
}

class GraphPackageTraceTest : public TempSqliteStoreTest {
 protected:
  void ingest(std::vector<EdgeFact> edges, std::vector<SignalFact> signals = {}) {
    Document document;
    document.edges = std::move(edges);
    document.signals = std::move(signals);
    const DocRow row = document_row(std::string(64, static_cast<char>('0' + ++documents_)),
                                    DocumentFormat::kEvents, "doc", 0);
    auto outcome = ingest_document(*store_, row, std::move(document));
    ASSERT_TRUE(outcome) << outcome.error().message;
  }

  TraceResult trace(std::string_view seed, bool root_cause = false,
                    std::optional<std::int64_t> since = {}) {
    auto graph = load_graph(*store_, root_cause ? Direction::kReverse : Direction::kPropagation);
    EXPECT_TRUE(graph) << graph.error().message;
    TraceOptions options;
    options.since = since;
    auto result = root_cause ? trace_root_cause(*graph, *store_, node(seed), options)
                             : trace_forward(*graph, *store_, node(seed), options);
    EXPECT_TRUE(result) << result.error().message;
    return result ? *result : TraceResult{};
  }

  // node -> "time/hops[/same-as...]"
  static std::map<std::string, std::string> summary(const TraceResult& result) {
    std::map<std::string, std::string> out;
    for (const AffectedNode& affected : result.affected) {
      std::string text =
          (affected.time ? format_rfc3339(static_cast<std::time_t>(*affected.time)) : "-") + "/" +
          std::to_string(affected.hops);
      for (const NodeRef& other : affected.same_as) text += "/" + format_node(other);
      out[format_node(affected.node)] = text;
      // Paths stay connected, same-as hops included.
      const auto hops = affected.path.hops();
      for (std::size_t i = 1; i < hops.size(); ++i) EXPECT_EQ(hops[i - 1]->to, hops[i]->from);
    }
    return out;
  }

  int documents_ = 0;
};

TEST_F(GraphPackageTraceTest, ADependencyCompromisesItsDependentsAndTheirReleasesAtOnce) {
  std::vector<EdgeFact> facts = {
      fact(EdgeKind::kDependsOn, "pkg:npm/debug@2.6.9", "pkg:npm/ms@2.0.0"),
      fact(EdgeKind::kDependsOn, "pkg:npm/app@1.0.0", "pkg:npm/debug@2.6.9"),
      // a cycle and a dependency the other way round: neither loops nor leaks upstream
      fact(EdgeKind::kDependsOn, "pkg:npm/ms@2.0.0", "pkg:npm/debug@2.6.9"),
      fact(EdgeKind::kDependsOn, "pkg:npm/ms@2.0.0", "pkg:npm/unrelated@1.0.0"),
      fact(EdgeKind::kContains, "release:app@1.0.0", "pkg:npm/app@1.0.0"),
      fact(EdgeKind::kContains, "release:app@1.0.0", "pkg:npm/debug@2.6.9"),
      fact(EdgeKind::kDeployedOn, "release:app@1.0.0", "host:web01", at("2024-03-01T00:00:00Z")),
      fact(EdgeKind::kInstalledOn, "pkg:npm/debug@2.6.9", "host:dev01", at("2024-02-01T00:00:00Z")),
  };
  ingest(facts);
  const auto forward = summary(trace("pkg:npm/ms@2.0.0", false, at("2024-01-01T00:00:00Z")));
  EXPECT_EQ(forward, (std::map<std::string, std::string>{
                         {"pkg:npm/debug@2.6.9", "2024-01-01T00:00:00Z/1"},
                         {"pkg:npm/app@1.0.0", "2024-01-01T00:00:00Z/2"},
                         {"release:app@1.0.0", "2024-01-01T00:00:00Z/2"},
                         {"host:dev01", "2024-02-01T00:00:00Z/2"},
                         {"host:web01", "2024-03-01T00:00:00Z/3"},
                     }));
  // The other way: what can explain the host, from the packages it was deployed with.
  const auto root = summary(trace("host:web01", true));
  EXPECT_TRUE(root.contains("pkg:npm/ms@2.0.0"));
  EXPECT_TRUE(root.contains("pkg:npm/unrelated@1.0.0"));  // ms depends on it
  EXPECT_EQ(root.at("release:app@1.0.0"), "2024-03-01T00:00:00Z/1");
  EXPECT_EQ(root.at("pkg:npm/debug@2.6.9"), "2024-03-01T00:00:00Z/2");
  // installed-on travels like ran-on: a package installed on the host explains it, whenever it
  // fell.
  ingest({fact(EdgeKind::kInstalledOn, "pkg:npm/late@1.0.0", "host:dev01",
               at("2024-05-01T00:00:00Z"))});
  EXPECT_EQ(summary(trace("host:dev01", true)).at("pkg:npm/late@1.0.0"), "-/1");
}

TEST_F(GraphPackageTraceTest, SameAsIsOneThingNotAHop) {
  // As the SBOM readers store an entry: contained by its package, its digest the same as it.
  ingest({
      fact(EdgeKind::kContains, "release:app@1.0.0", "pkg:npm/ms@2.0.0"),
      fact(EdgeKind::kDeployedOn, "release:app@1.0.0", "host:web01", at("2024-03-01T00:00:00Z")),
  });
  ingest(same_as("pkg:npm/ms@2.0.0", kMs512));
  // A scan report knows the file only by its SHA-256; another document states both digests.
  ingest({fact(EdgeKind::kRanOn, kMs256, "host:ws01", at("2024-04-01T00:00:00Z"))});
  ingest(same_as(kMs512, kMs256));

  // From the SHA-256 the scan saw: the package and its SHA-512 are the seed itself.
  const TraceResult from_file = trace(kMs256);
  std::vector<std::string> seed_same_as;
  for (const NodeRef& other : from_file.seed_same_as) seed_same_as.push_back(format_node(other));
  std::sort(seed_same_as.begin(), seed_same_as.end());
  EXPECT_EQ(seed_same_as, (std::vector<std::string>{"pkg:npm/ms@2.0.0", kMs512}));
  EXPECT_EQ(summary(from_file), (std::map<std::string, std::string>{
                                    {"host:ws01", "2024-04-01T00:00:00Z/1"},
                                    {"release:app@1.0.0", "-/1"},
                                    {"host:web01", "2024-03-01T00:00:00Z/2"},
                                }));

  // Root cause of the release: the package is a candidate with its digests beside it, one hop.
  const TraceResult root = trace("release:app@1.0.0", true);
  ASSERT_EQ(root.affected.size(), 1u) << summary(root).size();
  const AffectedNode& candidate = root.affected.front();
  EXPECT_EQ(candidate.hops, 1u);
  std::vector<std::string> identities = {format_node(candidate.node)};
  for (const NodeRef& other : candidate.same_as) identities.push_back(format_node(other));
  std::sort(identities.begin(), identities.end());
  EXPECT_EQ(identities, (std::vector<std::string>{"pkg:npm/ms@2.0.0", kMs256, kMs512}));

  // The answer as people and programs read it: packages by their purl, identities together.
  const nlohmann::json json = report::trace_json(root);
  EXPECT_EQ(json["affected"][0]["kind"], "package");
  EXPECT_EQ(json["affected"][0]["same_as"].size(), 2u);
  EXPECT_EQ(json["summary"]["package"], 1);
  const nlohmann::json forward = report::trace_json(from_file);
  EXPECT_EQ(forward["seed_same_as"].size(), 2u);
  EXPECT_FALSE(forward["affected"][0].contains("same_as"));
  const std::string text = report::trace_text(from_file, {});
  EXPECT_NE(text.find("= same as "), std::string::npos) << text;
}

TEST_F(GraphPackageTraceTest, AWeakDigestJoinsNothing) {
  const std::string sha1 = "sha1:" + std::string(40, '7');
  ingest({
      fact(EdgeKind::kContains, "release:old@1", sha1),
      fact(EdgeKind::kContains, "release:new@1", "pkg:npm/ms@2.0.0"),
  });
  EXPECT_EQ(summary(trace(sha1)), (std::map<std::string, std::string>{{"release:old@1", "-/1"}}));
}

}  // namespace
}  // namespace cascade::graph
