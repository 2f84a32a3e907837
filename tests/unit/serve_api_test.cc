// cascade serve against a real server on 127.0.0.1 (a free port), through cpp-httplib's client:
// tokens and scopes, idempotent ingest, errors, paging, the hot graph, the audit log and TLS with
// a throwaway CA, on SQLite and on the throwaway PostgreSQL server of the graph tests.
#include <gtest/gtest.h>
#include <httplib.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "graph/store.h"
#include "serve/server.h"
#include "serve/tokens.h"

namespace cascade::serve {
namespace {

enum class Backend { kSqlite, kPostgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(counter++);
}

std::string pg_command(const std::string& uri, const std::string& sql) {
  PGconn* connection = PQconnectdb(uri.c_str());
  std::string error;
  if (PQstatus(connection) != CONNECTION_OK) {
    error = PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQerrorMessage(connection);
    PQclear(result);
  }
  PQfinish(connection);
  return error;
}

// The events of a small inventory: one artifact ran on a build host, which had access to
// `hosts` other hosts, so a forward trace from the artifact reaches 1 + hosts nodes.
std::string events(int hosts, const std::string& artifact_hex) {
  std::ostringstream out;
  out << R"({"event":"ran-on","artifact":"sha256:)" << artifact_hex
      << R"(","host":"build","time":"2024-05-02T09:00:00Z","name":"tool.exe"})" << '\n';
  for (int i = 0; i < hosts; ++i) {
    out << R"({"event":"access","from":"build","to":"host-)" << i
        << R"(","time":"2024-05-03T00:00:00Z","via":"ssh"})" << '\n';
  }
  return out.str();
}

const std::string kArtifact(64, 'a');

class ServeApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_dir_ = std::filesystem::temp_directory_path() / ("cascade_serve_" + unique_suffix());
    std::filesystem::create_directories(temp_dir_);
    if (GetParam() == Backend::kSqlite) {
      spec_ = (temp_dir_ / "inventory.db").string();
    } else {
      const char* fixtures = std::getenv("CASCADE_FIXTURES");
      if (fixtures == nullptr) GTEST_SKIP() << "CASCADE_FIXTURES is not set (run through ctest)";
      std::ifstream in(std::string(fixtures) + "/graph/pg/uri");
      ASSERT_TRUE(in) << "setup.graph_postgres did not start PostgreSQL";
      std::getline(in, admin_uri_);
      database_ = "cascade_s_" + unique_suffix();
      ASSERT_EQ(pg_command(admin_uri_, "CREATE DATABASE " + database_), "");
      spec_ = admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + database_;
    }
    auto store = graph::open_store(spec_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    for (const auto& [name, scope] : {std::pair{"poster", graph::TokenScope::kIngest},
                                      std::pair{"analyst", graph::TokenScope::kRead},
                                      std::pair{"operator", graph::TokenScope::kAdmin}}) {
      auto made = create_token(**store, name, scope, 1700000000);
      ASSERT_TRUE(made.ok()) << made.error().message;
      tokens_[name] = made->text;
    }
  }

  void TearDown() override {
    server_.reset();
    if (!database_.empty()) {
      EXPECT_EQ(pg_command(admin_uri_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"),
                "");
    }
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }

  void start(ServeOptions options = {}) {
    options.db = spec_;
    options.host = "127.0.0.1";
    options.port = 0;
    options.poll = std::chrono::milliseconds(100);
    auto started = Server::start(options);
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_ = std::move(started).value();
  }

  httplib::Client client() const {
    httplib::Client made("127.0.0.1", server_->port());
    made.set_read_timeout(30, 0);
    return made;
  }

  static httplib::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  httplib::Result post(const std::string& who, const std::string& path, const std::string& body) {
    return client().Post(path.c_str(), bearer(tokens_[who]), body, "application/octet-stream");
  }
  httplib::Result get(const std::string& who, const std::string& path) {
    return client().Get(path.c_str(), bearer(tokens_[who]));
  }

  // Waits until the in-memory graph holds `documents` documents (it is rebuilt aside after each
  // commit), at most ten seconds.
  void wait_for_graph(std::int64_t documents) {
    for (int i = 0; i < 200; ++i) {
      auto stats = get("analyst", "/api/v1/stats");
      ASSERT_TRUE(stats);
      if (nlohmann::json::parse(stats->body)["graph"]["documents"] == documents) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the in-memory graph never reached " << documents << " documents";
  }

  std::filesystem::path temp_dir_;
  std::string spec_;
  std::string admin_uri_;
  std::string database_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Server> server_;
};

std::string error_code(const httplib::Result& result) {
  return nlohmann::json::parse(result->body)["error"]["code"].get<std::string>();
}

TEST_P(ServeApiTest, EveryRouteButHealthNeedsAValidTokenOfTheRightScope) {
  start();
  auto health = client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  auto anonymous = client().Get("/api/v1/stats");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(error_code(anonymous), "unauthorized");
  auto forged = client().Get("/api/v1/stats", bearer(std::string(64, '0')));
  EXPECT_EQ(forged->status, 401);
  auto anonymous_post = client().Post("/api/v1/documents", events(1, kArtifact), "text/plain");
  EXPECT_EQ(anonymous_post->status, 401);

  // ingest: posting documents only.
  EXPECT_EQ(post("poster", "/api/v1/documents", events(1, kArtifact))->status, 201);
  auto poster_reads = get("poster", "/api/v1/stats");
  EXPECT_EQ(poster_reads->status, 403);
  EXPECT_EQ(error_code(poster_reads), "forbidden");
  EXPECT_EQ(get("poster", "/api/v1/trace?compromised=host:build")->status, 403);
  EXPECT_EQ(get("poster", "/metrics")->status, 403);
  // read: every route but posting documents.
  EXPECT_EQ(post("analyst", "/api/v1/documents", events(2, kArtifact))->status, 403);
  EXPECT_EQ(get("analyst", "/api/v1/stats")->status, 200);
  EXPECT_EQ(get("analyst", "/metrics")->status, 200);
  auto openapi = get("analyst", "/api/v1/openapi.json");
  ASSERT_EQ(openapi->status, 200);
  EXPECT_EQ(nlohmann::json::parse(openapi->body)["openapi"], "3.1.0");
  // admin: everything.
  EXPECT_EQ(post("operator", "/api/v1/documents", events(2, kArtifact))->status, 201);
  EXPECT_EQ(get("operator", "/api/v1/stats")->status, 200);
  EXPECT_EQ(get("operator", "/api/v1/nothing-here")->status, 404);

  // A revoked token is refused from the next request on.
  auto store = graph::open_store(spec_);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->revoke_token("analyst", 1700000001).value());
  EXPECT_EQ(get("analyst", "/api/v1/stats")->status, 401);
}

TEST_P(ServeApiTest, StoreKeepsOnlyTheTokensDigests) {
  auto store = graph::open_store(spec_);
  ASSERT_TRUE(store.ok());
  auto rows = (*store)->tokens();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3U);
  for (const graph::TokenRow& row : *rows) {
    const std::string& text = tokens_[row.name];
    ASSERT_EQ(text.size(), 64U);  // 32 random bytes in hex
    EXPECT_EQ(row.sha256, token_digest(text));
    EXPECT_NE(row.sha256, text);
  }
  if (GetParam() != Backend::kSqlite) return;
  // Nowhere in the file (or its write-ahead log) is any token's text.
  store->reset();
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(spec_ + suffix, std::ios::binary);
    bytes += std::string(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_FALSE(bytes.empty());
  for (const auto& [name, text] : tokens_) {
    EXPECT_EQ(bytes.find(text), std::string::npos) << name;
    EXPECT_NE(bytes.find(token_digest(text)), std::string::npos) << name;
  }
}

TEST_P(ServeApiTest, PostingIsIdempotentAndErrorsAreJson) {
  ServeOptions options;
  options.max_body = 4096;
  start(options);
  const std::string document = events(3, kArtifact);
  auto first = post("poster", "/api/v1/documents", document);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 201) << first->body;
  const auto stored = nlohmann::json::parse(first->body);
  EXPECT_EQ(stored["format"], "events");
  EXPECT_EQ(stored["stored"], true);
  EXPECT_EQ(stored["nodes"], 5);  // the artifact, the build host and three more
  EXPECT_EQ(stored["edges"], 4);
  auto again = post("poster", "/api/v1/documents", document);
  ASSERT_EQ(again->status, 200);
  EXPECT_EQ(nlohmann::json::parse(again->body)["stored"], false);
  EXPECT_EQ(nlohmann::json::parse(again->body)["sha256"], stored["sha256"]);

  auto metadata = get("analyst", "/api/v1/documents/" + stored["sha256"].get<std::string>());
  ASSERT_EQ(metadata->status, 200);
  EXPECT_EQ(nlohmann::json::parse(metadata->body)["format"], "events");
  EXPECT_EQ(get("analyst", "/api/v1/documents/" + std::string(64, 'f'))->status, 404);
  EXPECT_EQ(get("analyst", "/api/v1/documents/not-a-digest")->status, 400);

  auto unreadable = post("poster", "/api/v1/documents", "this is no document\n");
  ASSERT_EQ(unreadable->status, 400);
  EXPECT_EQ(error_code(unreadable), "unreadable-document");
  // Without a token a large body is refused before it is read: 401, not 413.
  EXPECT_EQ(client().Post("/api/v1/documents", std::string(8192, ' '), "text/plain")->status, 401);
  auto too_large = post("poster", "/api/v1/documents", std::string(8192, ' '));
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  EXPECT_EQ(error_code(too_large), "too-large");
  // curl's default type for --data: a small document is still read as itself.
  auto form = client().Post("/api/v1/documents", bearer(tokens_["poster"]), document,
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200);

  EXPECT_EQ(get("analyst", "/api/v1/trace?compromised=host:nowhere")->status, 404);
  EXPECT_EQ(get("analyst", "/api/v1/trace?compromised=nonsense")->status, 400);
  EXPECT_EQ(get("analyst", "/api/v1/trace")->status, 400);
  EXPECT_EQ(get("analyst", "/api/v1/trace?compromised=host:build&limit=0")->status, 400);
  EXPECT_EQ(get("analyst", "/api/v1/trace?cursor=forged.0")->status, 400);
}

TEST_P(ServeApiTest, APostedDocumentIsTracedWithoutARestart) {
  start();
  const std::string seed = "/api/v1/trace?compromised=sha256:" + kArtifact;
  EXPECT_EQ(get("analyst", seed)->status, 404);
  ASSERT_EQ(post("poster", "/api/v1/documents", events(2, kArtifact))->status, 201);
  wait_for_graph(1);
  auto traced = get("analyst", seed);
  ASSERT_EQ(traced->status, 200) << traced->body;
  const auto answer = nlohmann::json::parse(traced->body);
  EXPECT_EQ(answer["schema"], "cascade.trace/1");
  EXPECT_EQ(answer["affected"].size(), 3U);  // build, host-0, host-1

  // A form-encoded body is capped at 8 KiB by the HTTP library, whatever --max-body says, and
  // the answer says how to send it instead.
  auto form = client().Post("/api/v1/documents", bearer(tokens_["poster"]), events(200, kArtifact),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 413);
  EXPECT_NE(form->body.find("application/octet-stream"), std::string::npos) << form->body;

  // A second document widens the answer, again without a restart.
  ASSERT_EQ(post("poster", "/api/v1/documents", events(4, kArtifact))->status, 201);
  wait_for_graph(2);
  EXPECT_EQ(nlohmann::json::parse(get("analyst", seed)->body)["affected"].size(), 5U);
}

TEST_P(ServeApiTest, PagesWalkTheWholeAnswerOnceEach) {
  constexpr int kHosts = 23;
  {
    // Stored before the server starts: the first load holds it.
    const std::string path = (temp_dir_ / "events.jsonl").string();
    std::ofstream(path) << events(kHosts, kArtifact);
    const std::string ingest =
        std::string(CASCADE_CLI) + " graph ingest --db '" + spec_ + "' " + path + " >/dev/null";
    ASSERT_EQ(std::system(ingest.c_str()), 0);
  }
  start();
  const std::string query = "/api/v1/trace?compromised=sha256:" + kArtifact + "&limit=5";
  std::vector<std::string> paged;
  std::string cursor;
  int pages = 0;
  do {
    auto page = get("analyst", cursor.empty() ? query : "/api/v1/trace?limit=5&cursor=" + cursor);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->status, 200) << page->body;
    EXPECT_EQ(page->get_header_value("Cascade-Total"), std::to_string(kHosts + 1));
    const auto body = nlohmann::json::parse(page->body);
    EXPECT_EQ(body["summary"]["host"], kHosts + 1);  // the summary is whole on every page
    EXPECT_LE(body["affected"].size(), 5U);
    for (const auto& node : body["affected"]) paged.push_back(node.dump());
    cursor = page->get_header_value("Cascade-Next-Cursor");
    ++pages;
    // A document arriving mid-walk changes nothing of the walk: it pages one kept answer.
    if (pages == 2) {
      ASSERT_EQ(post("poster", "/api/v1/documents", events(kHosts + 5, kArtifact))->status, 201);
    }
  } while (!cursor.empty() && pages < 100);
  EXPECT_EQ(pages, 5);

  // The union, in order, is `cascade trace --json`'s answer over the same (first) document.
  const std::string path = (temp_dir_ / "trace.json").string();
  const std::string events_path = (temp_dir_ / "events.jsonl").string();
  const std::string cli =
      std::string(CASCADE_CLI) + " graph ingest --db '" + (temp_dir_ / "alone.db").string() + "' " +
      events_path + " >/dev/null && " + CASCADE_CLI + " trace --json --db '" +
      (temp_dir_ / "alone.db").string() + "' --compromised sha256:" + kArtifact + " > " + path;
  ASSERT_EQ(std::system(cli.c_str()), 0);
  std::ifstream in(path);
  const auto whole = nlohmann::json::parse(in);
  std::vector<std::string> expected;
  for (const auto& node : whole["affected"]) expected.push_back(node.dump());
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size());
}

TEST_P(ServeApiTest, HuntTakesTheFeedInTheBody) {
  start();
  ASSERT_EQ(post("poster", "/api/v1/documents", events(1, kArtifact))->status, 201);
  wait_for_graph(1);
  auto hunted = post("analyst", "/api/v1/hunt", kArtifact + "  known bad tool\n");
  ASSERT_EQ(hunted->status, 200) << hunted->body;
  const auto answer = nlohmann::json::parse(hunted->body);
  ASSERT_EQ(answer["matches"].size(), 1U);
  auto unreadable = post("analyst", "/api/v1/hunt", "\x01\x02 no feed");
  EXPECT_EQ(unreadable->status, 400);
}

TEST_P(ServeApiTest, TokensAreRateLimitedAndEveryAuthenticatedRequestAudited) {
  ServeOptions options;
  options.rate_per_second = 0.5;
  options.rate_burst = 2;
  start(options);
  EXPECT_EQ(get("analyst", "/api/v1/stats")->status, 200);
  EXPECT_EQ(get("analyst", "/api/v1/stats")->status, 200);
  auto limited = get("analyst", "/api/v1/stats");
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "1");
  // Each token has its own bucket.
  EXPECT_EQ(get("operator", "/api/v1/stats")->status, 200);
  EXPECT_EQ(client().Get("/api/v1/stats")->status, 401);  // no token: no audit row
  server_.reset();  // the logger has run for every request once the server stopped

  if (GetParam() != Backend::kSqlite) return;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(spec_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT token, address, method, route, status FROM audit "
                               "ORDER BY rowid",
                               -1, &statement, nullptr),
            SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::string row;
    for (int column = 0; column < 5; ++column) {
      if (column != 0) row += ' ';
      row += reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
    }
    rows.push_back(row);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  // Rows are written once each answer has gone out, so their order follows the server's
  // threads, not the requests'.
  std::sort(rows.begin(), rows.end());
  const std::vector<std::string> expected = {
      "analyst 127.0.0.1 GET /api/v1/stats 200", "analyst 127.0.0.1 GET /api/v1/stats 200",
      "analyst 127.0.0.1 GET /api/v1/stats 429", "operator 127.0.0.1 GET /api/v1/stats 200"};
  EXPECT_EQ(rows, expected);
}

TEST_P(ServeApiTest, PlainHttpOnlyOnLoopbackUnlessAskedFor) {
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_TRUE(is_loopback("127.8.9.10"));
  EXPECT_TRUE(is_loopback("::1"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
  EXPECT_FALSE(is_loopback("10.0.0.1"));
  ServeOptions options;
  options.db = spec_;
  options.host = "0.0.0.0";
  auto refused = Server::start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUsage);
  options.tls_cert = "only-a-cert.pem";
  EXPECT_FALSE(Server::start(options).ok());  // a certificate without its key
}

// A throwaway CA and a server certificate for 127.0.0.1, made by the openssl command.
TEST_P(ServeApiTest, TlsWithAThrowawayCa) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "TLS does not depend on the store";
  const std::string dir = temp_dir_.string();
  const std::string script =
      "cd '" + dir +
      "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
      "-out ca.pem -days 2 -subj '/CN=cascade test CA' 2>/dev/null && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out "
      "server.csr -subj '/CN=127.0.0.1' 2>/dev/null && "
      "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
      "-days 2 -extfile ext.cnf 2>/dev/null";
  ASSERT_EQ(std::system(script.c_str()), 0);
  ServeOptions options;
  options.tls_cert = dir + "/server.pem";
  options.tls_key = dir + "/server.key";
  start(options);
  ASSERT_TRUE(server_->tls());

  httplib::SSLClient trusting("127.0.0.1", server_->port());
  trusting.set_ca_cert_path((dir + "/ca.pem").c_str());
  trusting.enable_server_certificate_verification(true);
  auto answered = trusting.Get("/api/v1/stats", bearer(tokens_["analyst"]));
  ASSERT_TRUE(answered) << httplib::to_string(answered.error());
  EXPECT_EQ(answered->status, 200);

  // A client that does not trust the throwaway CA gets no answer at all.
  httplib::SSLClient stranger("127.0.0.1", server_->port());
  stranger.enable_server_certificate_verification(true);
  stranger.set_ca_cert_path((dir + "/server.pem").c_str());
  EXPECT_FALSE(stranger.Get("/healthz"));
  // Nor does one speaking plain HTTP.
  auto plain = client().Get("/healthz");
  EXPECT_TRUE(!plain || plain->status != 200);
}

TEST_P(ServeApiTest, NodesAreFoundByKeyNameOrDigestAndDescribed) {
  start();
  ASSERT_EQ(post("poster", "/api/v1/documents", events(2, kArtifact))->status, 201);
  wait_for_graph(1);
  auto found = [&](const std::string& query) {
    auto answer = get("analyst", "/api/v1/nodes?q=" + query);
    EXPECT_EQ(answer->status, 200) << answer->body;
    std::vector<std::string> nodes;
    const auto body = nlohmann::json::parse(answer->body);
    for (const auto& node : body["nodes"]) {
      nodes.push_back(node["node"].get<std::string>());
    }
    return nodes;
  };
  EXPECT_EQ(found("host-"), (std::vector<std::string>{"host:host-0", "host:host-1"}));
  EXPECT_EQ(found("tool.exe"), (std::vector<std::string>{"sha256:" + kArtifact}));  // a name
  EXPECT_EQ(found("aaaaaaaa"), (std::vector<std::string>{"sha256:" + kArtifact}));  // a prefix
  EXPECT_TRUE(found("HOST-").empty());  // bytes as given, no case folding
  EXPECT_EQ(get("analyst", "/api/v1/nodes?q=")->status, 400);
  EXPECT_EQ(get("poster", "/api/v1/nodes?q=host")->status, 403);

  auto described = get("analyst", "/api/v1/nodes/host:build");
  ASSERT_EQ(described->status, 200) << described->body;
  const auto node = nlohmann::json::parse(described->body);
  EXPECT_EQ(node["node"], "host:build");
  EXPECT_EQ(node["edges_total"], 3);
  ASSERT_EQ(node["edges"].size(), 3U);  // in time order: it ran the tool, then had access
  EXPECT_EQ(node["edges"][0]["from"], "sha256:" + kArtifact);
  EXPECT_EQ(node["edges"][0]["kind"], "ran-on");
  EXPECT_EQ(node["edges"][0]["to"], "host:build");
  EXPECT_EQ(node["edges"][0]["time"], "2024-05-02T09:00:00Z");
  EXPECT_TRUE(node["edges"][0]["until"].is_null());
  for (int i = 1; i <= 2; ++i) {
    EXPECT_EQ(node["edges"][i]["from"], "host:build");
    EXPECT_EQ(node["edges"][i]["kind"], "access");
    EXPECT_EQ(node["edges"][i]["to"], "host:host-" + std::to_string(i - 1));
  }
  ASSERT_EQ(node["documents"].size(), 1U);
  const std::string document = node["edges"][0]["document"];
  EXPECT_EQ(node["documents"][document]["format"], "events");
  EXPECT_EQ(node["documents"][document]["path"], "serve:poster");

  auto artifact = nlohmann::json::parse(get("analyst", "/api/v1/nodes/sha256:" + kArtifact)->body);
  EXPECT_EQ(artifact["names"], nlohmann::json::array({"tool.exe"}));
  EXPECT_EQ(get("analyst", "/api/v1/nodes/host:build?limit=1")->status, 200);
  EXPECT_EQ(get("analyst", "/api/v1/nodes/host:nowhere")->status, 404);
  EXPECT_EQ(get("analyst", "/api/v1/nodes/nonsense")->status, 400);
}

// A scan report naming the artifact with a critical IOC finding, an info finding (not a signal)
// and a signature whose signer certificate is given.
std::string scan_report(const std::string& artifact_hex) {
  const nlohmann::json certificate = {{"subject", "CN=Example Signer"},
                                      {"issuer", "CN=Example Root"},
                                      {"serial", "0a0b"},
                                      {"sha1", std::string(40, 'd')},
                                      {"sha256", std::string(64, 'e')},
                                      {"not_before", "2020-01-01T00:00:00Z"},
                                      {"not_after", "2030-01-01T00:00:00Z"}};
  const nlohmann::json report = {
      {"schema", "cascade.scan/1"},
      {"tool", {{"name", "cascade"}, {"version", "0.7.0"}}},
      {"host", "ws01"},
      {"started", "2024-05-04T10:00:00Z"},
      {"roots", {"C:/"}},
      {"feeds", nlohmann::json::array()},
      {"rules", nlohmann::json::array()},
      {"rule_count", 0},
      {"files",
       {{{"path", "C:/tools/tool.exe"},
         {"sha256", artifact_hex},
         {"findings",
          {{{"id", "ioc.sha256"}, {"severity", "critical"}, {"message", "known bad"}},
           {{"id", "pe.overlay"}, {"severity", "info"}, {"message", "overlay"}}}},
         {"signatures", {{{"signer_certificate", certificate}}}}}}},
      {"finished", "2024-05-04T10:05:00Z"},
      {"summary", nlohmann::json::object()}};
  return report.dump();
}

TEST_P(ServeApiTest, ANodeShowsItsEdgeNotesSignalsAndSigners) {
  start();
  ASSERT_EQ(post("poster", "/api/v1/documents", events(1, kArtifact))->status, 201);
  auto scanned = post("poster", "/api/v1/documents", scan_report(kArtifact));
  ASSERT_EQ(scanned->status, 201) << scanned->body;
  const std::string scan = nlohmann::json::parse(scanned->body)["sha256"];
  wait_for_graph(2);

  const auto artifact =
      nlohmann::json::parse(get("analyst", "/api/v1/nodes/sha256:" + kArtifact)->body);
  // The info finding is no signal; the critical IOC finding is, stated by the scan report.
  EXPECT_EQ(artifact["signals"],
            nlohmann::json::parse(R"([{"finding":"ioc.sha256","severity":"critical","document":")" +
                                  scan + R"("}])"));
  ASSERT_EQ(artifact["signers"].size(), 1U);
  EXPECT_EQ(artifact["signers"][0]["role"], "signer");
  EXPECT_EQ(artifact["signers"][0]["subject"], "CN=Example Signer");
  EXPECT_EQ(artifact["signers"][0]["issuer"], "CN=Example Root");
  EXPECT_EQ(artifact["signers"][0]["serial"], "0a0b");
  EXPECT_EQ(artifact["signers"][0]["sha256"], std::string(64, 'e'));
  EXPECT_EQ(artifact["signers"][0]["document"], scan);
  EXPECT_EQ(artifact["documents"][scan]["format"], "scan");
  // Its two ran-on edges in time order: the build host (events), then the scanned host.
  ASSERT_EQ(artifact["edges"].size(), 2U);
  EXPECT_EQ(artifact["edges"][1]["to"], "host:ws01");
  EXPECT_EQ(artifact["edges"][1]["document"], scan);
  EXPECT_TRUE(artifact["edges"][1]["note"].is_null());

  // An access edge carries its note (the event's `via`); a host has no signals or signers.
  const auto build = nlohmann::json::parse(get("analyst", "/api/v1/nodes/host:build")->body);
  ASSERT_EQ(build["edges"].size(), 2U);
  EXPECT_EQ(build["edges"][1]["kind"], "access");
  EXPECT_EQ(build["edges"][1]["note"], "ssh");
  EXPECT_EQ(build["signals"], nlohmann::json::array());
  EXPECT_EQ(build["signers"], nlohmann::json::array());
}

// What the command prints and exits with; standard error is dropped.
std::pair<std::string, int> run_cli(const std::string& arguments) {
  const std::string command = std::string(CASCADE_CLI) + " " + arguments + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  for (std::size_t n = 0; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

TEST_P(ServeApiTest, TokenCommandsShowATokenOnceAndRevokeByName) {
  const std::string db = "--db '" + spec_ + "'";
  const auto [created, created_status] =
      run_cli("serve token create " + db + " --scope read --name ci-reader");
  ASSERT_EQ(created_status, 0);
  ASSERT_EQ(created.size(), 65U) << created;  // 64 hex digits and a newline
  const std::string token = created.substr(0, 64);
  EXPECT_EQ(run_cli("serve token create " + db + " --scope read --name ci-reader").second, 2);
  EXPECT_EQ(run_cli("serve token create " + db + " --scope root --name x").second, 2);
  EXPECT_EQ(run_cli("serve token create " + db + " --scope read --name 'bad name'").second, 2);

  start();
  EXPECT_EQ(client().Get("/api/v1/stats", bearer(token))->status, 200);
  const auto [listed, listed_status] = run_cli("serve token list --json " + db);
  ASSERT_EQ(listed_status, 0);
  EXPECT_EQ(listed.find(token), std::string::npos);
  const auto list = nlohmann::json::parse(listed);
  ASSERT_EQ(list.size(), 4U);
  EXPECT_EQ(list[0]["name"], "analyst");
  EXPECT_EQ(list[1]["name"], "ci-reader");
  EXPECT_EQ(list[1]["scope"], "read");
  EXPECT_TRUE(list[1]["revoked"].is_null());

  EXPECT_EQ(run_cli("serve token revoke " + db + " ci-reader").second, 0);
  EXPECT_EQ(run_cli("serve token revoke " + db + " ci-reader").second, 2);
  EXPECT_EQ(client().Get("/api/v1/stats", bearer(token))->status, 401);
  EXPECT_TRUE(nlohmann::json::parse(run_cli("serve token list --json " + db).first)[1]["revoked"]
                  .is_string());
}

INSTANTIATE_TEST_SUITE_P(Backends, ServeApiTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), backend_name);

}  // namespace
}  // namespace cascade::serve
