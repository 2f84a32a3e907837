// The real output of `npm sbom` (tests/graph/make-npm-sboms.sh: debug@2.6.9 and ms@2.0.0 from
// the npm registry) in both formats: its packages are nodes by their purls, debug depends on
// ms, the release contains both, and a compromised ms reaches debug, the release and a host it
// is deployed on.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "graph/csr.h"
#include "graph/ingest.h"
#include "graph/trace.h"
#include "graph_test_support.h"

namespace cascade::graph {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRelease = "release:cascade-npm-fixture@1.0.0";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

NodeRef node(std::string_view text) {
  auto parsed = parse_node(text);
  EXPECT_TRUE(parsed) << text;
  return parsed ? *parsed : NodeRef{};
}

bool has(const Document& document, EdgeKind kind, std::string_view src, std::string_view dst) {
  const NodeRef a = node(src);
  const NodeRef b = node(dst);
  return std::any_of(document.edges.begin(), document.edges.end(), [&](const EdgeFact& edge) {
    return edge.kind == kind && edge.src == a && edge.dst == b;
  });
}

class GraphNpmSbomTest : public TempSqliteStoreTest {
 protected:
  void SetUp() override {
    TempSqliteStoreTest::SetUp();
    const char* fixtures = std::getenv("CASCADE_FIXTURES");
    if (fixtures == nullptr) GTEST_SKIP() << "CASCADE_FIXTURES is not set (run through ctest)";
    dir_ = fs::path(fixtures) / "graph" / "npm";
    if (fs::exists(dir_ / "SKIPPED")) GTEST_SKIP() << slurp(dir_ / "SKIPPED");
    ASSERT_TRUE(fs::exists(dir_ / "cyclonedx.json")) << "tests/graph/make-npm-sboms.sh did not run";
  }

  Document read(const char* name) {
    const std::string text = slurp(dir_ / name);
    auto document =
        read_document(Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), name);
    EXPECT_TRUE(document) << document.error().message;
    return document ? std::move(document).value() : Document{};
  }

  fs::path dir_;
};

TEST_F(GraphNpmSbomTest, BothFormatsGiveThePackagesTheirDependencyAndTheRelease) {
  for (const char* name : {"cyclonedx.json", "spdx.json"}) {
    SCOPED_TRACE(name);
    const Document document = read(name);
    EXPECT_TRUE(document.problems.empty()) << document.problems.front().message;
    EXPECT_TRUE(has(document, EdgeKind::kContains, kRelease, "pkg:npm/ms@2.0.0"));
    EXPECT_TRUE(has(document, EdgeKind::kContains, kRelease, "pkg:npm/debug@2.6.9"));
    EXPECT_TRUE(has(document, EdgeKind::kDependsOn, "pkg:npm/debug@2.6.9", "pkg:npm/ms@2.0.0"));
    // npm states each package's SHA-512 integrity: the package is the same as that digest.
    const auto same_as =
        std::count_if(document.edges.begin(), document.edges.end(), [](const EdgeFact& edge) {
          return edge.kind == EdgeKind::kSameAs &&
                 edge.src == NodeRef{NodeKind::kPackage, "pkg:npm/ms@2.0.0"} &&
                 edge.dst.key.starts_with("sha512:");
        });
    EXPECT_EQ(same_as, 1);
  }
}

TEST_F(GraphNpmSbomTest, ACompromisedDependencyReachesItsDependentTheReleaseAndItsHosts) {
  const fs::path events = path_.string() + ".events.jsonl";
  std::ofstream(events) << R"({"event":"deployed-on","release":"cascade-npm-fixture@1.0.0",)"
                        << R"("host":"web01","time":"2024-03-01T00:00:00Z"})" << '\n';
  for (const fs::path& file : {dir_ / "cyclonedx.json", dir_ / "spdx.json", events}) {
    auto outcome = ingest_file(*store_, file.string());
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_TRUE(outcome->problems.empty()) << file;
  }
  fs::remove(events);
  auto graph = load_graph(*store_, Direction::kPropagation);
  ASSERT_TRUE(graph) << graph.error().message;
  auto result = trace_forward(*graph, *store_, node("pkg:npm/ms@2.0.0"), {});
  ASSERT_TRUE(result) << result.error().message;
  std::vector<std::string> affected;
  for (const AffectedNode& reached : result->affected)
    affected.push_back(format_node(reached.node));
  std::sort(affected.begin(), affected.end());
  EXPECT_EQ(affected, (std::vector<std::string>{"host:web01", "pkg:npm/cascade-npm-fixture@1.0.0",
                                                "pkg:npm/debug@2.6.9", kRelease}));
  ASSERT_EQ(result->seed_same_as.size(), 1u);
  EXPECT_TRUE(result->seed_same_as[0].key.starts_with("sha512:"));
}

}  // namespace
}  // namespace cascade::graph
