// The GraphStore contract, run against both backends through open_store(): SQLite on a temp file,
// and PostgreSQL on the throwaway server tests/graph/pg-server starts (setup.graph_postgres),
// each test in a database of its own so the tests can run in parallel.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "graph/model.h"
#include "graph/schema.h"
#include "graph/store.h"

namespace cascade::graph {
namespace {

enum class Backend { kSqlite, kPostgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

struct PgConnCloser {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnection = std::unique_ptr<PGconn, PgConnCloser>;
using PgResult = std::unique_ptr<PGresult, PgResultClearer>;

// Runs one statement on a PostgreSQL URI; "" on success, else the server's message.
std::string pg_exec(const std::string& uri, const std::string& sql) {
  PgConnection connection(PQconnectdb(uri.c_str()));
  if (PQstatus(connection.get()) != CONNECTION_OK) return PQerrorMessage(connection.get());
  PgResult result(PQexec(connection.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) return PQerrorMessage(connection.get());
  return "";
}

std::string sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw, &sqlite3_close_v2);
  if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return sqlite3_errmsg(db.get());
  }
  return "";
}

// The same URI naming another database (the server's URI has no query part).
std::string with_database(const std::string& uri, const std::string& database) {
  return uri.substr(0, uri.rfind('/') + 1) + database;
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 1000000);
}

NodeRow node(NodeKind kind, const std::string& key) {
  return NodeRow{node_id(NodeRef{kind, key}), kind, key};
}

DocRow document(const std::string& sha256, const std::string& path) {
  return DocRow{static_cast<std::int64_t>(std::stoull(sha256.substr(0, 15), nullptr, 16)), sha256,
                "events", path, 1700000000};
}

const std::string kSha1 = std::string(64, 'a');
const std::string kSha2 = std::string(64, 'b');

// Text that breaks naive COPY, CSV or SQL quoting, plus the COPY NULL and end-of-data markers.
const std::vector<std::string> kAwkwardText = {"tab\there",
                                               "new\nline",
                                               "carriage\rreturn",
                                               "back\\slash",
                                               "\\N",
                                               "\\.",
                                               "'single'",
                                               "\"double\"",
                                               "unicode: Grüße ✓ 𝄞 漢字",
                                               " leading and trailing ",
                                               ",;|{}[]",
                                               "x"};

class GraphStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      temp_dir_ = std::filesystem::temp_directory_path() / ("cascade_graph_" + unique_suffix());
      std::filesystem::create_directories(temp_dir_);
      spec_ = (temp_dir_ / "graph.db").string();
      return;
    }
    const char* fixtures = std::getenv("CASCADE_FIXTURES");
    if (fixtures == nullptr) GTEST_SKIP() << "CASCADE_FIXTURES is not set (run through ctest)";
    const std::string uri_file = std::string(fixtures) + "/graph/pg/uri";
    std::ifstream in(uri_file);
    ASSERT_TRUE(in) << uri_file << " is missing: setup.graph_postgres did not start PostgreSQL";
    std::getline(in, admin_uri_);
    ASSERT_FALSE(admin_uri_.empty()) << uri_file << " is empty";
    database_ = "cascade_t_" + unique_suffix();
    ASSERT_EQ(pg_exec(admin_uri_, "CREATE DATABASE " + database_), "");
    spec_ = with_database(admin_uri_, database_);
  }

  void TearDown() override {
    if (!database_.empty()) {
      EXPECT_EQ(pg_exec(admin_uri_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"), "");
    }
    if (!temp_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(temp_dir_, ignored);
    }
  }

  std::unique_ptr<GraphStore> open() {
    auto store = open_store(spec_);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string exec_raw(const std::string& sql) {
    return GetParam() == Backend::kSqlite ? sqlite_exec(spec_, sql) : pg_exec(spec_, sql);
  }

  std::string spec_;
  std::string admin_uri_;
  std::string database_;
  std::filesystem::path temp_dir_;
};

std::vector<std::pair<std::int64_t, NodeKind>> all_nodes(GraphStore& store) {
  std::vector<std::pair<std::int64_t, NodeKind>> nodes;
  auto scanned =
      store.scan_nodes([&](std::int64_t id, NodeKind kind) { nodes.emplace_back(id, kind); });
  EXPECT_TRUE(scanned.ok()) << (scanned.ok() ? "" : scanned.error().message);
  std::sort(nodes.begin(), nodes.end());
  return nodes;
}

using EdgeKey = std::tuple<std::int64_t, std::int64_t, int, std::optional<std::int64_t>,
                           std::optional<std::int64_t>, std::int64_t>;

EdgeKey edge_key(const EdgeRow& e) {
  return {e.src, e.dst, static_cast<int>(e.kind), e.time, e.until, e.doc};
}

std::vector<EdgeKey> all_edges(GraphStore& store) {
  std::vector<EdgeKey> edges;
  auto scanned = store.scan_edges([&](const EdgeRow& edge) {
    EXPECT_TRUE(edge.note.empty());
    edges.push_back(edge_key(edge));
  });
  EXPECT_TRUE(scanned.ok()) << (scanned.ok() ? "" : scanned.error().message);
  std::sort(edges.begin(), edges.end());
  return edges;
}

void expect_counts(GraphStore& store, std::int64_t documents, std::int64_t nodes,
                   std::int64_t edges, std::int64_t signals) {
  auto counts = store.counts();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->documents, documents);
  EXPECT_EQ(counts->nodes, nodes);
  EXPECT_EQ(counts->edges, edges);
  EXPECT_EQ(counts->signals, signals);
}

// One document's worth of every row kind; `doc` is the document id.
struct Sample {
  std::vector<NodeRow> nodes;
  std::vector<EdgeRow> edges;
  std::vector<NameRow> names;
  std::vector<SignalRow> signals;
  std::vector<SignerRow> signers;
};

Sample sample(std::int64_t doc) {
  Sample s;
  const NodeRow artifact = node(NodeKind::kArtifact, std::string(64, 'c'));
  const NodeRow host = node(NodeKind::kHost, "web-1\twith tab");
  const NodeRow other = node(NodeKind::kHost, "db-1 ✓ \\ \"quoted\"");
  const NodeRow release = node(NodeKind::kRelease, "app@1.0");
  const NodeRow org = node(NodeKind::kOrg, "Ops\nTeam");
  s.nodes = {artifact, host, other, release, org, node(NodeKind::kBuild, "run-42")};
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  s.edges = {
      {artifact.id, host.id, EdgeKind::kRanOn, 1700000000, std::nullopt, doc, ""},
      {host.id, other.id, EdgeKind::kAccess, -62135596800, kMax, doc, "via ssh\tjump\\host\n"},
      {host.id, other.id, EdgeKind::kAccess, std::nullopt, std::nullopt, doc, "'; DROP TABLE x"},
      {release.id, artifact.id, EdgeKind::kContains, std::nullopt, std::nullopt, doc, ""},
      {release.id, host.id, EdgeKind::kDeployedOn, kMin, -1, doc, ""},
      {host.id, org.id, EdgeKind::kOwnedBy, 0, std::nullopt, doc, ""},
  };
  for (const std::string& text : kAwkwardText) s.names.push_back({artifact.id, text, doc});
  s.names.push_back({artifact.id, "x", doc});  // a duplicate name is listed once
  for (const std::string& text : kAwkwardText) {
    s.signals.push_back({artifact.id, "ioc." + text, text, doc});
  }
  // Names as awkward as a certificate's may be (the store keeps text, checks are ingest's).
  for (std::size_t i = 0; i < kAwkwardText.size(); ++i) {
    const auto role = static_cast<CertificateRole>(i % kCertificateRoleCount);
    s.signers.push_back(
        {artifact.id, role,
         CertificateFact{std::string(64, static_cast<char>('a' + i % 6)), std::string(40, '1'),
                         std::to_string(i), kAwkwardText[i], "CN=" + kAwkwardText[i]},
         doc});
  }
  return s;
}

void store_sample(GraphStore& store, const Sample& s) {
  auto nodes = store.put_nodes(s.nodes);
  ASSERT_TRUE(nodes.ok()) << nodes.error().message;
  auto edges = store.put_edges(s.edges);
  ASSERT_TRUE(edges.ok()) << edges.error().message;
  auto names = store.put_names(s.names);
  ASSERT_TRUE(names.ok()) << names.error().message;
  auto signals = store.put_signals(s.signals);
  ASSERT_TRUE(signals.ok()) << signals.error().message;
  auto signers = store.put_signers(s.signers);
  ASSERT_TRUE(signers.ok()) << signers.error().message;
}

TEST_P(GraphStoreTest, FreshStoreIsAtTheCurrentSchemaVersion) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto version = store->schema_version();
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, current_schema_version());
  expect_counts(*store, 0, 0, 0, 0);
  store.reset();
  auto reopened = open();  // migrations are not applied twice
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->schema_version().value(), current_schema_version());
}

TEST_P(GraphStoreTest, NewerSchemaIsRefused) {
  ASSERT_NE(open(), nullptr);
  ASSERT_EQ(exec_raw("UPDATE meta SET value = '" + std::to_string(current_schema_version() + 1) +
                     "' WHERE key = 'schema_version'"),
            "");
  auto store = open_store(spec_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnsupported) << store.error().message;
}

TEST_P(GraphStoreTest, ConcurrentFirstOpensMigrateOnce) {
  std::vector<std::thread> openers;
  std::atomic<int> opened{0};
  std::vector<std::string> errors(4);
  for (int i = 0; i < 4; ++i) {
    openers.emplace_back([&, i] {
      auto store = open_store(spec_);
      if (!store.ok()) {
        errors[static_cast<std::size_t>(i)] = store.error().message;
      } else if (store.value()->schema_version().value() == current_schema_version()) {
        ++opened;
      }
    });
  }
  for (auto& opener : openers) opener.join();
  for (const auto& error : errors) EXPECT_EQ(error, "");
  EXPECT_EQ(opened, 4);
}

TEST_P(GraphStoreTest, RowsRoundTrip) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const DocRow doc = document(kSha1, "in/events\twith tab ✓.jsonl");
  ASSERT_TRUE(store->begin_document(doc).value());
  const Sample s = sample(doc.id);
  store_sample(*store, s);
  ASSERT_TRUE(store->commit_document().ok());

  std::vector<std::pair<std::int64_t, NodeKind>> expected_nodes;
  for (const auto& n : s.nodes) expected_nodes.emplace_back(n.id, n.kind);
  std::sort(expected_nodes.begin(), expected_nodes.end());
  EXPECT_EQ(all_nodes(*store), expected_nodes);
  for (const auto& n : s.nodes) {
    auto found = store->find_node(n.id);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ((*found)->kind, n.kind);
    EXPECT_EQ((*found)->key, n.key);
  }

  std::vector<EdgeKey> expected_edges;
  for (const auto& e : s.edges) expected_edges.push_back(edge_key(e));
  std::sort(expected_edges.begin(), expected_edges.end());
  EXPECT_EQ(all_edges(*store), expected_edges);
  for (const auto& e : s.edges) {
    if (e.kind == EdgeKind::kAccess) continue;  // two access edges share one note key
    EXPECT_EQ(store->edge_note(e).value(), e.note);
  }
  auto access_note = store->edge_note(s.edges[1]);
  ASSERT_TRUE(access_note.ok());
  EXPECT_TRUE(*access_note == s.edges[1].note || *access_note == s.edges[2].note) << *access_note;

  std::vector<std::string> expected_names = kAwkwardText;
  std::sort(expected_names.begin(), expected_names.end());
  EXPECT_EQ(store->node_names(s.nodes[0].id, 100).value(), expected_names);
  EXPECT_EQ(store->node_names(s.nodes[0].id, 3).value(),
            std::vector<std::string>(expected_names.begin(), expected_names.begin() + 3));
  EXPECT_TRUE(store->node_names(s.nodes[1].id, 10).value().empty());

  auto signals = store->all_signals();
  ASSERT_TRUE(signals.ok()) << signals.error().message;
  auto signal_key = [](const SignalRow& r) {
    return std::tie(r.node, r.finding, r.severity, r.doc);
  };
  auto by_key = [&](const SignalRow& a, const SignalRow& b) {
    return signal_key(a) < signal_key(b);
  };
  std::vector<SignalRow> expected_signals = s.signals;
  std::sort(expected_signals.begin(), expected_signals.end(), by_key);
  std::sort(signals->begin(), signals->end(), by_key);
  ASSERT_EQ(signals->size(), expected_signals.size());
  for (std::size_t i = 0; i < signals->size(); ++i) {
    EXPECT_EQ(signal_key((*signals)[i]), signal_key(expected_signals[i]));
  }

  std::vector<SignerRow> signers;
  ASSERT_TRUE(store->scan_signers([&](const SignerRow& row) { signers.push_back(row); }).ok());
  auto signer_key = [](const SignerRow& r) {
    return std::tie(r.node, r.role, r.certificate, r.doc);
  };
  auto signer_order = [&](const SignerRow& a, const SignerRow& b) {
    return signer_key(a) < signer_key(b);
  };
  std::vector<SignerRow> expected_signers = s.signers;
  std::sort(expected_signers.begin(), expected_signers.end(), signer_order);
  std::sort(signers.begin(), signers.end(), signer_order);
  ASSERT_EQ(signers.size(), expected_signers.size());
  for (std::size_t i = 0; i < signers.size(); ++i) {
    EXPECT_EQ(signer_key(signers[i]), signer_key(expected_signers[i]));
  }

  auto found_doc = store->find_document(doc.id);
  ASSERT_TRUE(found_doc.ok() && found_doc->has_value());
  EXPECT_EQ((*found_doc)->sha256, doc.sha256);
  EXPECT_EQ((*found_doc)->format, doc.format);
  EXPECT_EQ((*found_doc)->path, doc.path);
  EXPECT_EQ((*found_doc)->ingested_at, doc.ingested_at);
  expect_counts(*store, 1, 6, 6, static_cast<std::int64_t>(kAwkwardText.size()));
}

TEST_P(GraphStoreTest, SameDocumentTwiceStoresOnce) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const DocRow doc = document(kSha1, "first.jsonl");
  ASSERT_TRUE(store->begin_document(doc).value());
  store_sample(*store, sample(doc.id));
  ASSERT_TRUE(store->commit_document().ok());
  const auto nodes_before = all_nodes(*store);
  const auto edges_before = all_edges(*store);

  auto again = store->begin_document(document(kSha1, "copy-of-first.jsonl"));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(*again);
  EXPECT_EQ(all_nodes(*store), nodes_before);
  EXPECT_EQ(all_edges(*store), edges_before);
  EXPECT_EQ(store->find_document(doc.id).value()->path, "first.jsonl");
  expect_counts(*store, 1, 6, 6, static_cast<std::int64_t>(kAwkwardText.size()));
  // No transaction was left open: another document can start.
  ASSERT_TRUE(store->begin_document(document(kSha2, "second.jsonl")).value());
  ASSERT_TRUE(store->commit_document().ok());
  expect_counts(*store, 2, 6, 6, static_cast<std::int64_t>(kAwkwardText.size()));
}

TEST_P(GraphStoreTest, ConcurrentIngestOfOneDocumentStoresOnce) {
  auto first = open();
  auto second = open();
  ASSERT_TRUE(first && second);
  const DocRow doc = document(kSha1, "a.jsonl");
  ASSERT_TRUE(first->begin_document(doc).value());
  // The second writer waits on the open first one, then finds the document already stored.
  std::optional<Result<bool>> second_began;
  std::thread racer([&] { second_began = second->begin_document(document(kSha1, "b.jsonl")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  store_sample(*first, sample(doc.id));
  ASSERT_TRUE(first->commit_document().ok());
  racer.join();
  ASSERT_TRUE(second_began.has_value());
  ASSERT_TRUE(second_began->ok()) << second_began->error().message;
  EXPECT_FALSE(second_began->value());
  expect_counts(*second, 1, 6, 6, static_cast<std::int64_t>(kAwkwardText.size()));
}

TEST_P(GraphStoreTest, ExistingNodeIdsKeepTheirFirstRow) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->begin_document(document(kSha1, "a")).value());
  const std::vector<NodeRow> first = {{7, NodeKind::kHost, "first"}, {7, NodeKind::kOrg, "dup"}};
  ASSERT_TRUE(store->put_nodes(first).ok());
  ASSERT_TRUE(store->commit_document().ok());
  ASSERT_TRUE(store->begin_document(document(kSha2, "b")).value());
  const std::vector<NodeRow> later = {{7, NodeKind::kBuild, "later"}, {8, NodeKind::kOrg, "new"}};
  ASSERT_TRUE(store->put_nodes(later).ok());
  ASSERT_TRUE(store->commit_document().ok());
  auto kept = store->find_node(7);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->key, "first");
  EXPECT_EQ((*kept)->kind, NodeKind::kHost);
  EXPECT_EQ(store->find_node(8).value()->key, "new");
  expect_counts(*store, 2, 2, 0, 0);
}

TEST_P(GraphStoreTest, RollbackLeavesNothing) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const DocRow doc = document(kSha1, "a.jsonl");
  ASSERT_TRUE(store->begin_document(doc).value());
  const Sample s = sample(doc.id);
  store_sample(*store, s);
  store->rollback();
  expect_counts(*store, 0, 0, 0, 0);
  EXPECT_FALSE(store->find_document(doc.id).value().has_value());
  EXPECT_FALSE(store->find_node(s.nodes[0].id).value().has_value());
  EXPECT_TRUE(store->node_names(s.nodes[0].id, 10).value().empty());
  EXPECT_EQ(store->edge_note(s.edges[1]).value(), "");
  EXPECT_TRUE(store->all_signals().value().empty());
  EXPECT_TRUE(all_edges(*store).empty());
  // The document was not recorded, so it can be ingested again.
  ASSERT_TRUE(store->begin_document(doc).value());
  ASSERT_TRUE(store->commit_document().ok());
  expect_counts(*store, 1, 0, 0, 0);
}

// The stores remember the node ids they committed and send those no more: ids of a rolled-back
// document must not be remembered, and a remembered id must not keep a later document's other
// nodes out.
TEST_P(GraphStoreTest, NodesOfARolledBackDocumentAreStoredByTheNext) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const NodeRow kept = node(NodeKind::kHost, "kept");
  const NodeRow lost = node(NodeKind::kHost, "lost then stored");
  const NodeRow added = node(NodeKind::kHost, "added later");
  const DocRow first = document(kSha1, "first");
  ASSERT_TRUE(store->begin_document(first).value());
  ASSERT_TRUE(store->put_nodes(std::vector<NodeRow>{kept}).ok());
  ASSERT_TRUE(store->commit_document().ok());
  const DocRow second = document(kSha2, "second");
  ASSERT_TRUE(store->begin_document(second).value());
  ASSERT_TRUE(store->put_nodes(std::vector<NodeRow>{kept, lost}).ok());
  store->rollback();
  EXPECT_FALSE(store->find_node(lost.id).value().has_value());
  ASSERT_TRUE(store->begin_document(second).value());
  ASSERT_TRUE(store->put_nodes(std::vector<NodeRow>{added, kept, lost}).ok());
  ASSERT_TRUE(store->commit_document().ok());
  for (const NodeRow& row : {kept, lost, added}) {
    auto found = store->find_node(row.id);
    ASSERT_TRUE(found.ok() && found->has_value()) << row.key;
    EXPECT_EQ((*found)->key, row.key);
  }
  expect_counts(*store, 2, 3, 0, 0);
}

TEST_P(GraphStoreTest, CountsAddUpOverDocuments) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const DocRow a = document(kSha1, "a");
  const DocRow b = document(kSha2, "b");
  ASSERT_TRUE(store->begin_document(a).value());
  store_sample(*store, sample(a.id));
  ASSERT_TRUE(store->commit_document().ok());
  ASSERT_TRUE(store->begin_document(b).value());
  store_sample(*store, sample(b.id));  // the same nodes again, edges and signals of b
  ASSERT_TRUE(store->commit_document().ok());
  const auto signals = static_cast<std::int64_t>(kAwkwardText.size());
  expect_counts(*store, 2, 6, 12, 2 * signals);
  EXPECT_EQ(store->node_names(sample(a.id).nodes[0].id, 100).value().size(), kAwkwardText.size());
}

TEST_P(GraphStoreTest, UnknownIdsAreAbsent) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto no_node = store->find_node(123456789);
  ASSERT_TRUE(no_node.ok()) << no_node.error().message;
  EXPECT_FALSE(no_node->has_value());
  auto no_doc = store->find_document(-5);
  ASSERT_TRUE(no_doc.ok()) << no_doc.error().message;
  EXPECT_FALSE(no_doc->has_value());
  EXPECT_TRUE(store->node_names(123456789, 10).value().empty());
  EXPECT_EQ(store->edge_note(EdgeRow{1, 2, EdgeKind::kAccess, {}, {}, 3, ""}).value(), "");
}

TEST_P(GraphStoreTest, MisuseOfTransactionsIsAnError) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  auto commit = store->commit_document();
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.error().code, ErrorCode::kUsage);
  ASSERT_TRUE(store->begin_document(document(kSha1, "a")).value());
  auto nested = store->begin_document(document(kSha2, "b"));
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().code, ErrorCode::kUsage);
  ASSERT_TRUE(store->commit_document().ok());
  expect_counts(*store, 1, 0, 0, 0);
}

// A reader's snapshot keeps one committed state while another connection commits, so a load's
// node scan, edge scan and lookups agree; after it ends the reader sees the new document.
TEST_P(GraphStoreTest, SnapshotKeepsOneCommittedStateUntilItEnds) {
  auto writer = open();
  auto reader = open();
  ASSERT_TRUE(writer && reader);
  const DocRow a = document(kSha1, "a");
  const DocRow b = document(kSha2, "b");
  ASSERT_TRUE(writer->begin_document(a).value());
  store_sample(*writer, sample(a.id));
  ASSERT_TRUE(writer->commit_document().ok());
  const auto signals = static_cast<std::int64_t>(kAwkwardText.size());

  std::optional<StoreSnapshot> snapshot;
  {
    auto taken = StoreSnapshot::take(*reader);
    ASSERT_TRUE(taken.ok()) << taken.error().message;
    snapshot.emplace(std::move(*taken));
  }
  const NodeRow late = node(NodeKind::kHost, "joined-later");
  ASSERT_TRUE(writer->begin_document(b).value());
  store_sample(*writer, sample(b.id));
  const std::vector<NodeRow> late_nodes = {late};
  ASSERT_TRUE(writer->put_nodes(late_nodes).ok());
  const std::vector<EdgeRow> late_edges = {
      {late.id, sample(b.id).nodes[1].id, EdgeKind::kAccess, 5, std::nullopt, b.id, "late"}};
  ASSERT_TRUE(writer->put_edges(late_edges).ok());
  ASSERT_TRUE(writer->commit_document().ok());
  expect_counts(*writer, 2, 7, 13, 2 * signals);

  expect_counts(*reader, 1, 6, 6, signals);
  EXPECT_FALSE(reader->find_node(late.id).value().has_value());
  EXPECT_FALSE(reader->find_document(b.id).value().has_value());
  EXPECT_EQ(all_nodes(*reader).size(), 6U);
  EXPECT_EQ(all_edges(*reader).size(), 6U);
  EXPECT_EQ(reader->edge_note(late_edges[0]).value(), "");
  {
    // A nested snapshot (load_graph takes its own inside the caller's) ends nothing.
    auto nested = StoreSnapshot::take(*reader);
    ASSERT_TRUE(nested.ok()) << nested.error().message;
  }
  expect_counts(*reader, 1, 6, 6, signals);
  // A reader holding a snapshot writes nothing.
  auto refused = reader->begin_document(document(std::string(64, 'c'), "c"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUsage);

  snapshot.reset();
  expect_counts(*reader, 2, 7, 13, 2 * signals);
  EXPECT_EQ(reader->find_node(late.id).value().value().key, "joined-later");
  EXPECT_EQ(reader->edge_note(late_edges[0]).value(), "late");
  auto unmatched = reader->end_snapshot();
  ASSERT_FALSE(unmatched.ok());
  EXPECT_EQ(unmatched.error().code, ErrorCode::kUsage);
}

// Enough rows to cross the backends' batch and chunk sizes, streamed back whole.
TEST_P(GraphStoreTest, ManyRowsStreamBack) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const DocRow doc = document(kSha1, "big");
  ASSERT_TRUE(store->begin_bulk().ok());
  ASSERT_TRUE(store->begin_document(doc).value());
  constexpr int kNodes = 25000;
  constexpr int kEdges = 40000;
  std::vector<NodeRow> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(node(NodeKind::kHost, "h" + std::to_string(i)));
  std::vector<EdgeRow> edges;
  std::int64_t expected_sum = 0;
  for (int i = 0; i < kEdges; ++i) {
    const auto& from = nodes[static_cast<std::size_t>(i % kNodes)];
    // i / kNodes keeps every (from, to) pair, and so every note's key, unique.
    const auto& to = nodes[static_cast<std::size_t>((i * 7 + 1 + i / kNodes) % kNodes)];
    std::optional<std::int64_t> time;
    if (i % 3 != 0) time = 1600000000 + i;
    edges.push_back({from.id, to.id, EdgeKind::kAccess, time, std::nullopt, doc.id,
                     i % 1000 == 0 ? "note " + std::to_string(i) : ""});
    expected_sum += time.value_or(0);
  }
  ASSERT_TRUE(store->put_nodes(nodes).ok());
  ASSERT_TRUE(store->put_edges(edges).ok());
  ASSERT_TRUE(store->commit_document().ok());
  ASSERT_TRUE(store->end_bulk().ok());
  EXPECT_EQ(all_nodes(*store).size(), static_cast<std::size_t>(kNodes));
  std::int64_t count = 0;
  std::int64_t sum = 0;
  auto scanned = store->scan_edges([&](const EdgeRow& edge) {
    ++count;
    sum += edge.time.value_or(0);
    EXPECT_FALSE(edge.until.has_value());
  });
  ASSERT_TRUE(scanned.ok()) << scanned.error().message;
  EXPECT_EQ(count, kEdges);
  EXPECT_EQ(sum, expected_sum);
  EXPECT_EQ(store->edge_note(edges[5000]).value(), "note 5000");
}

// PostgreSQL text cannot hold NUL or invalid UTF-8, which SQLite stores as given: the
// PostgreSQL store replaces each bad byte with U+FFFD rather than refusing the document.
TEST_P(GraphStoreTest, BytesThatAreNotUtf8AreStored) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const DocRow doc = document(kSha1, "a");
  ASSERT_TRUE(store->begin_document(doc).value());
  const std::string hostile("bad\xff\0byte\xc3", 10);
  const std::vector<NameRow> names = {{1, hostile, doc.id}};
  auto stored = store->put_names(names);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  // A key ending in a cut sequence, then one quoted as an array element would be.
  const std::vector<NodeRow> nodes = {node(NodeKind::kArtifact, hostile),
                                      node(NodeKind::kArtifact, "\"\xc3\",\"")};
  stored = store->put_nodes(nodes);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_TRUE(store->commit_document().ok());
  auto read = store->node_names(1, 10);
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 1u);
  auto first_key = store->find_node(nodes[0].id);
  auto second_key = store->find_node(nodes[1].id);
  ASSERT_TRUE(first_key.ok() && first_key->has_value());
  ASSERT_TRUE(second_key.ok() && second_key->has_value());
  if (GetParam() == Backend::kSqlite) {
    EXPECT_EQ(read->front(), hostile);
    EXPECT_EQ((*first_key)->key, hostile);
    EXPECT_EQ((*second_key)->key, "\"\xc3\",\"");
  } else {
    EXPECT_EQ(read->front(), "bad\uFFFD\uFFFDbyte\uFFFD");
    EXPECT_EQ((*first_key)->key, "bad\uFFFD\uFFFDbyte\uFFFD");
    EXPECT_EQ((*second_key)->key, "\"\uFFFD\",\"");
  }
}

// cascade serve's tokens (schema version 4): a name and a digest are each stored once, a revoked
// token stays listed with its revocation time, and revoking twice finds nothing the second time.
TEST_P(GraphStoreTest, TokensAreStoredListedAndRevoked) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const TokenRow reader{1, "reader", TokenScope::kRead, std::string(64, 'a'), 1000, std::nullopt};
  const TokenRow poster{2, "poster", TokenScope::kIngest, std::string(64, 'b'), 1001, std::nullopt};
  ASSERT_TRUE(store->put_token(reader).value());
  ASSERT_TRUE(store->put_token(poster).value());
  TokenRow same_name = poster;
  same_name.id = 3;
  same_name.sha256 = std::string(64, 'c');
  EXPECT_FALSE(store->put_token(same_name).value());
  TokenRow same_digest = reader;
  same_digest.id = 4;
  same_digest.name = "other";
  EXPECT_FALSE(store->put_token(same_digest).value());

  EXPECT_TRUE(store->revoke_token("poster", 2000).value());
  EXPECT_FALSE(store->revoke_token("poster", 3000).value());
  EXPECT_FALSE(store->revoke_token("nobody", 3000).value());
  auto tokens = store->tokens();
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  ASSERT_EQ(tokens->size(), 2U);
  EXPECT_EQ((*tokens)[0].name, "poster");
  EXPECT_EQ((*tokens)[0].scope, TokenScope::kIngest);
  EXPECT_EQ((*tokens)[0].revoked, std::optional<std::int64_t>(2000));
  EXPECT_EQ((*tokens)[1].name, "reader");
  EXPECT_EQ((*tokens)[1].sha256, std::string(64, 'a'));
  EXPECT_EQ((*tokens)[1].created, 1000);
  EXPECT_FALSE((*tokens)[1].revoked.has_value());

  const AuditRow row{1234, "reader", "127.0.0.1", "GET", "/api/v1/stats", "", 200};
  auto audited = store->put_audit(row);
  EXPECT_TRUE(audited.ok()) << audited.error().message;
}

INSTANTIATE_TEST_SUITE_P(Backends, GraphStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace cascade::graph
