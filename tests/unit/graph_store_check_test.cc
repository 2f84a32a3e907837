// The store is checked, not believed: a node or document row edited after ingest never enters a
// trace's answer. Each test writes a small inventory through the real ingest, then edits the
// SQLite file behind cascade's back (a second connection, as an attacker with write access to
// the file would).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "graph/csr.h"
#include "graph/ingest.h"
#include "graph/store.h"
#include "graph/trace.h"
#include "graph_test_support.h"

namespace cascade::graph {
namespace {

const NodeRef kInstaller{NodeKind::kArtifact, std::string(64, 'a')};
const NodeRef kDevHost{NodeKind::kHost, "dev-pc"};
const NodeRef kBuildHost{NodeKind::kHost, "build01"};
const NodeRef kOrg{NodeKind::kOrg, "Finance"};
const std::string kDocSha(64, '1');

class StoreCheckTest : public TempSqliteStoreTest {
 protected:
  void SetUp() override {
    TempSqliteStoreTest::SetUp();
    Document document;
    document.edges = {
        EdgeFact{EdgeKind::kRanOn, kInstaller, kDevHost, 1000, std::nullopt, ""},
        EdgeFact{EdgeKind::kAccess, kDevHost, kBuildHost, 2000, std::nullopt, "ssh"},
        EdgeFact{EdgeKind::kOwnedBy, kBuildHost, kOrg, std::nullopt, std::nullopt, ""},
    };
    document.signals = {SignalFact{kInstaller, "ioc.hash", "critical"}};
    auto outcome =
        ingest_document(*store_, document_row(kDocSha, "events", "events.jsonl", 0), document);
    ASSERT_TRUE(outcome) << outcome.error().message;
  }

  // Runs SQL on the file through a connection of its own.
  void edit(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
    ASSERT_EQ(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db.get());
  }

  static std::string id_of(const NodeRef& node) { return std::to_string(node_id(node)); }

  Result<TraceResult> forward(const NodeRef& seed) {
    auto graph = load_graph(*store_, Direction::kPropagation);
    if (!graph) return graph.error();
    return trace_forward(*graph, *store_, seed, TraceOptions{});
  }
  Result<TraceResult> root_cause(const NodeRef& seed) {
    auto graph = load_graph(*store_, Direction::kReverse);
    if (!graph) return graph.error();
    return trace_root_cause(*graph, *store_, seed, TraceOptions{});
  }
};

TEST_F(StoreCheckTest, AGenuineStoreTraces) {
  auto answer = forward(kInstaller);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->affected.size(), 3u);
}

TEST_F(StoreCheckTest, AForgedKeyIsAnErrorNamingTheNodeNeverAnAnswer) {
  edit("UPDATE node SET key = 'innocent-host' WHERE id = " + id_of(kBuildHost));
  for (const auto& answer : {forward(kInstaller), root_cause(kOrg)}) {
    ASSERT_FALSE(answer) << "the forged name was listed";
    EXPECT_EQ(answer.error().code, ErrorCode::kMalformed);
    EXPECT_NE(answer.error().message.find("node " + id_of(kBuildHost)), std::string::npos)
        << answer.error().message;
    EXPECT_NE(answer.error().message.find("host:innocent-host"), std::string::npos);
  }
}

TEST_F(StoreCheckTest, AForgedKindIsAnErrorToo) {
  // The key stays; the id no longer hashes what the row says.
  edit("UPDATE node SET kind = 2 WHERE id = " + id_of(kDevHost));
  EXPECT_FALSE(forward(kInstaller));
}

TEST_F(StoreCheckTest, TextAppendedPastTheHashedPrefixIsAnError) {
  // Only the first kMaxKeyLength bytes of a key are hashed (and ingest refuses longer keys), so
  // a longest key with text appended keeps its id: the length gives it away.
  const NodeRef longest{NodeKind::kHost, std::string(kMaxKeyLength, 'h')};
  Document document;
  document.edges = {EdgeFact{EdgeKind::kAccess, kBuildHost, longest, 3000, std::nullopt, ""}};
  ASSERT_TRUE(
      ingest_document(*store_, document_row(std::string(64, '3'), "events", "more", 0), document));
  edit("UPDATE node SET key = key || ' (not this one)' WHERE id = " + id_of(longest));
  EXPECT_FALSE(forward(kInstaller));
}

TEST_F(StoreCheckTest, AForgedDocumentIsAnErrorInTheAnswer) {
  edit("UPDATE source_doc SET sha256 = '" + std::string(64, '2') + "'");
  auto answer = forward(kInstaller);
  ASSERT_FALSE(answer);
  EXPECT_NE(answer.error().message.find("document"), std::string::npos);
}

}  // namespace
}  // namespace cascade::graph
