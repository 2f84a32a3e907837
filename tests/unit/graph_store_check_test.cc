// The store is checked, not believed: a node or document row edited after ingest never enters a
// trace's answer, and check_store finds every kind of alteration it can prove. Each test writes
// a small inventory through the real ingest, then edits the SQLite file behind cascade's back
// (a second connection, as an attacker with write access to the file would).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "graph/csr.h"
#include "graph/ingest.h"
#include "graph/store.h"
#include "graph/store_check.h"
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
    document.signers = {SignerFact{kInstaller, CertificateRole::kSigner,
                                   CertificateFact{std::string(64, 'c'), std::string(40, 'd'),
                                                   "1001", "CN=Root", "CN=Signer"}}};
    auto outcome = ingest_document(
        *store_, document_row(kDocSha, DocumentFormat::kEvents, "events.jsonl", 0), document);
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

  StoreCheckReport check() {
    auto report = check_store(*store_);
    EXPECT_TRUE(report) << report.error().message;
    return report ? std::move(*report) : StoreCheckReport{};
  }
  static std::uint64_t found(const StoreCheckReport& report, StoreProblemKind kind) {
    return report.found[static_cast<std::size_t>(kind)];
  }
};

TEST_F(StoreCheckTest, AGenuineStoreTracesAndChecksClean) {
  auto answer = forward(kInstaller);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->affected.size(), 3u);
  const StoreCheckReport report = check();
  EXPECT_TRUE(report.clean()) << (report.problems.empty() ? "" : report.problems[0].detail);
  EXPECT_EQ(report.nodes, 4u);
  EXPECT_EQ(report.edges, 3u);
  EXPECT_EQ(report.documents, 1u);
  EXPECT_EQ(report.signals, 1u);
  EXPECT_EQ(report.signers, 1u);
  EXPECT_FALSE(report.engine_checks.empty());
}

TEST_F(StoreCheckTest, SignerFactsIngestNeverWritesAreFound) {
  // Moved onto a host, a thumbprint made upper case, a name given an escape sequence, and one
  // left on a node that is gone.
  edit("INSERT INTO signer SELECT " + id_of(kDevHost) +
       ", role, sha256, sha1, serial, issuer, subject, doc FROM signer");
  edit(
      "INSERT INTO signer SELECT node, role, upper(sha256), sha1, serial, issuer, subject, doc "
      "FROM signer WHERE node = " +
      id_of(kInstaller));
  edit(
      "INSERT INTO signer SELECT node, 1, sha256, sha1, serial, issuer, 'CN=' || char(27) || "
      "'[2J', doc FROM signer WHERE node = " +
      id_of(kInstaller) + " AND role = 0 AND sha256 = lower(sha256)");
  edit(
      "INSERT INTO signer SELECT 12345, role, sha256, sha1, serial, issuer, subject, doc FROM "
      "signer WHERE node = " +
      id_of(kInstaller) + " AND role = 0 AND sha256 = lower(sha256)");
  const StoreCheckReport report = check();
  EXPECT_EQ(report.signers, 5u);
  EXPECT_EQ(found(report, StoreProblemKind::kMalformedSigner), 3u);
  EXPECT_EQ(found(report, StoreProblemKind::kDanglingSigner), 1u);
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
  const StoreCheckReport report = check();
  EXPECT_EQ(found(report, StoreProblemKind::kForgedNode), 1u);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].subject, "node " + id_of(kBuildHost));
}

TEST_F(StoreCheckTest, AForgedKindIsAnErrorToo) {
  // The key stays; the id no longer hashes what the row says.
  edit("UPDATE node SET kind = 2 WHERE id = " + id_of(kDevHost));
  EXPECT_FALSE(forward(kInstaller));
  EXPECT_EQ(found(check(), StoreProblemKind::kForgedNode), 1u);
}

TEST_F(StoreCheckTest, TextAppendedPastTheHashedPrefixIsAnError) {
  // Only the first kMaxKeyLength bytes of a key are hashed (and ingest refuses longer keys), so
  // a longest key with text appended keeps its id: the length gives it away.
  const NodeRef longest{NodeKind::kHost, std::string(kMaxKeyLength, 'h')};
  Document document;
  document.edges = {EdgeFact{EdgeKind::kAccess, kBuildHost, longest, 3000, std::nullopt, ""}};
  ASSERT_TRUE(ingest_document(
      *store_, document_row(std::string(64, '3'), DocumentFormat::kEvents, "more", 0), document));
  edit("UPDATE node SET key = key || ' (not this one)' WHERE id = " + id_of(longest));
  EXPECT_FALSE(forward(kInstaller));
  EXPECT_EQ(found(check(), StoreProblemKind::kForgedNode), 1u);
}

TEST_F(StoreCheckTest, AForgedDocumentIsAnErrorInTheAnswer) {
  edit("UPDATE source_doc SET sha256 = '" + std::string(64, '2') + "'");
  auto answer = forward(kInstaller);
  ASSERT_FALSE(answer);
  EXPECT_NE(answer.error().message.find("document"), std::string::npos);
  EXPECT_EQ(found(check(), StoreProblemKind::kForgedDocument), 1u);
}

TEST_F(StoreCheckTest, EdgesSignalsAndSignersNamingMissingRowsAreFound) {
  edit("DELETE FROM node WHERE id = " + id_of(kOrg));
  edit("DELETE FROM node WHERE id = " + id_of(kInstaller));
  const StoreCheckReport report = check();
  EXPECT_EQ(found(report, StoreProblemKind::kDanglingEdge), 2u);    // ran-on, owned-by
  EXPECT_EQ(found(report, StoreProblemKind::kDanglingSignal), 1u);  // on the installer
  EXPECT_EQ(found(report, StoreProblemKind::kDanglingSigner), 1u);  // on the installer
  EXPECT_EQ(report.total_found(), 4u);
  edit("DELETE FROM source_doc");
  EXPECT_EQ(found(check(), StoreProblemKind::kEdgeWithoutDocument), 3u);
}

TEST_F(StoreCheckTest, AnEdgeBetweenTheWrongKindsIsFound) {
  // ran-on joins an artifact to a host; this one now joins two hosts.
  edit("UPDATE edge SET src = " + id_of(kBuildHost) + " WHERE kind = 0");
  EXPECT_EQ(found(check(), StoreProblemKind::kEdgeKindMismatch), 1u);
}

TEST_F(StoreCheckTest, RowsIngestNeverWritesAreFound) {
  const NodeRef bad{NodeKind::kHost, "two\nlines"};
  edit("INSERT INTO node (id, kind, key) VALUES (" + id_of(bad) + ", 1, 'two' || char(10) || " +
       "'lines'), (77, 9, 'newer kind')");
  const StoreCheckReport report = check();
  EXPECT_EQ(found(report, StoreProblemKind::kMalformedNode), 2u);
}

TEST_F(StoreCheckTest, TheListIsCappedAndTheCountsSayWhatWasCut) {
  // 3 + 60 edges from a node nobody stored.
  std::string sql = "INSERT INTO edge (src, dst, kind, t_from, t_until, doc) VALUES ";
  for (int i = 0; i < 60; ++i) {
    sql += (i == 0 ? "" : ",") + std::string("(") + std::to_string(1000 + i) + ", " +
           id_of(kDevHost) + ", 1, NULL, NULL, " + std::to_string(document_id(kDocSha)) + ")";
  }
  edit(sql);
  const StoreCheckReport report = check();
  EXPECT_EQ(found(report, StoreProblemKind::kDanglingEdge), 60u);
  EXPECT_EQ(report.problems.size(), kMaxListedProblems);
}

TEST_F(StoreCheckTest, TheEnginesOwnCheckIsRun) {
  // An index that disagrees with its table (its entries were built from other columns): only
  // the engine's check can see that.
  edit(
      "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, "
      "'(src, dst, kind, doc)', '(doc, kind, dst, src)') WHERE name = 'edge_note_edge'; "
      "PRAGMA writable_schema = OFF;");
  store_.reset();
  auto reopened = open_store(path_.string(), OpenMode::kExisting);
  ASSERT_TRUE(reopened) << reopened.error().message;
  store_ = std::move(*reopened);
  const StoreCheckReport report = check();
  EXPECT_GE(found(report, StoreProblemKind::kEngine), 1u);
}

TEST(StoreOpenTest, CheckingAMissingFileNeverCreatesOne) {
  const std::string path = ::testing::TempDir() + "/cascade-no-such-store.db";
  std::remove(path.c_str());
  EXPECT_FALSE(open_store(path, OpenMode::kExisting));
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace cascade::graph
