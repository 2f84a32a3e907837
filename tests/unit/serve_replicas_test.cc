// Several cascade serve processes over one store are replicas: a document posted to one is
// traced by the others. On PostgreSQL they hear of it by LISTEN/NOTIFY, well before their poll
// (set here to a minute, so only a notice can explain a quick answer), also after the listening
// connection was cut; on SQLite they find it by polling the document count.
#include <gtest/gtest.h>
#include <httplib.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "graph/store.h"
#include "serve/server.h"
#include "serve/tokens.h"

namespace cascade::serve {
namespace {

using Clock = std::chrono::steady_clock;

enum class Backend { kSqlite, kPostgres };

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// The rows of `sql`'s first column, or the error message.
std::string pg_query(const std::string& uri, const std::string& sql) {
  PGconn* connection = PQconnectdb(uri.c_str());
  std::string out;
  if (PQstatus(connection) != CONNECTION_OK) {
    out = PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK) {
      for (int row = 0; row < PQntuples(result); ++row) out += PQgetvalue(result, row, 0);
    } else if (status != PGRES_COMMAND_OK) {
      out = PQerrorMessage(connection);
    }
    PQclear(result);
  }
  PQfinish(connection);
  return out;
}

// An artifact that ran on a build host with access to `hosts` hosts.
std::string events(const std::string& artifact_hex, int hosts) {
  std::ostringstream out;
  out << R"({"event":"ran-on","artifact":"sha256:)" << artifact_hex
      << R"(","host":"build","time":"2024-05-02T09:00:00Z","name":"tool.exe"})" << '\n';
  for (int i = 0; i < hosts; ++i) {
    out << R"({"event":"access","from":"build","to":"host-)" << i
        << R"(","time":"2024-05-03T00:00:00Z","via":"ssh"})" << '\n';
  }
  return out.str();
}

class ServeReplicasTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_dir_ = std::filesystem::temp_directory_path() / ("cascade_replicas_" + unique_suffix());
    std::filesystem::create_directories(temp_dir_);
    if (GetParam() == Backend::kSqlite) {
      spec_ = (temp_dir_ / "inventory.db").string();
    } else {
      const char* fixtures = std::getenv("CASCADE_FIXTURES");
      if (fixtures == nullptr) GTEST_SKIP() << "CASCADE_FIXTURES is not set (run through ctest)";
      std::ifstream in(std::string(fixtures) + "/graph/pg/uri");
      ASSERT_TRUE(in) << "setup.graph_postgres did not start PostgreSQL";
      std::getline(in, admin_uri_);
      database_ = "cascade_r_" + unique_suffix();
      ASSERT_EQ(pg_query(admin_uri_, "CREATE DATABASE " + database_), "");
      spec_ = admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + database_;
    }
    auto store = graph::open_store(spec_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    for (const auto& [name, scope] : {std::pair{"poster", graph::TokenScope::kIngest},
                                      std::pair{"analyst", graph::TokenScope::kRead}}) {
      auto made = create_token(**store, name, scope, 1700000000);
      ASSERT_TRUE(made.ok()) << made.error().message;
      tokens_[name] = made->text;
    }
  }

  void TearDown() override {
    replicas_.clear();
    if (!database_.empty()) {
      EXPECT_EQ(pg_query(admin_uri_, "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)"), "");
    }
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }

  // A replica polling every minute on PostgreSQL (notices must do the work) and every 200 ms
  // on SQLite (the poll is all there is).
  Server& start_replica() {
    ServeOptions options;
    options.db = spec_;
    options.port = 0;
    options.poll = GetParam() == Backend::kPostgres ? std::chrono::milliseconds(60000)
                                                    : std::chrono::milliseconds(200);
    auto started = Server::start(options);
    EXPECT_TRUE(started.ok()) << started.error().message;
    replicas_.push_back(std::move(started).value());
    return *replicas_.back();
  }

  httplib::Result get(const Server& server, const std::string& path) {
    httplib::Client client("127.0.0.1", server.port());
    return client.Get(path, {{"Authorization", "Bearer " + tokens_["analyst"]}});
  }
  int post(const Server& server, const std::string& body) {
    httplib::Client client("127.0.0.1", server.port());
    auto answer =
        client.Post("/api/v1/documents", {{"Authorization", "Bearer " + tokens_["poster"]}}, body,
                    "application/octet-stream");
    return answer ? answer->status : 0;
  }
  nlohmann::json stats(const Server& server) {
    auto answer = get(server, "/api/v1/stats");
    EXPECT_TRUE(answer && answer->status == 200);
    return answer ? nlohmann::json::parse(answer->body) : nlohmann::json();
  }

  // How long until `server` traces from the artifact to `affected` nodes; nullopt after `limit`.
  std::optional<std::chrono::milliseconds> time_until_traced(const Server& server,
                                                             const std::string& artifact,
                                                             std::size_t affected,
                                                             Clock::time_point since,
                                                             std::chrono::seconds limit) {
    while (Clock::now() - since < limit) {
      auto traced = get(server, "/api/v1/trace?compromised=sha256:" + artifact);
      if (traced && traced->status == 200 &&
          nlohmann::json::parse(traced->body)["affected"].size() == affected) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }

  std::filesystem::path temp_dir_;
  std::string spec_;
  std::string admin_uri_;
  std::string database_;
  std::map<std::string, std::string> tokens_;
  std::vector<std::unique_ptr<Server>> replicas_;
};

const std::string kFirst(64, 'b');
const std::string kSecond(64, 'c');

TEST_P(ServeReplicasTest, ADocumentPostedToOneReplicaIsTracedByTheOther) {
  Server& a = start_replica();
  Server& b = start_replica();
  const bool postgres = GetParam() == Backend::kPostgres;
  EXPECT_EQ(stats(b)["graph"]["refresh"], postgres ? "listen" : "poll");

  const Clock::time_point posted = Clock::now();
  ASSERT_EQ(post(a, events(kFirst, 3)), 201);
  const auto seen = time_until_traced(b, kFirst, 4, posted, std::chrono::seconds(10));
  ASSERT_TRUE(seen) << "replica B never traced the document posted to A";
  std::cout << "[ measured ] replica B traced A's document " << seen->count() << " ms after the "
            << "post began (" << (postgres ? "NOTIFY, poll 60 s" : "poll 200 ms") << ")\n";
  // Well under the default 3 s poll: only the notice can have told B this soon.
  if (postgres) EXPECT_LT(seen->count(), 2000);

  // The other way round, and a third replica started afterwards sees both at once.
  const Clock::time_point again = Clock::now();
  ASSERT_EQ(post(b, events(kSecond, 5)), 201);
  EXPECT_TRUE(time_until_traced(a, kSecond, 6, again, std::chrono::seconds(10)));
  Server& c = start_replica();
  EXPECT_EQ(stats(c)["graph"]["documents"], 2);
  auto traced = get(c, "/api/v1/trace?compromised=sha256:" + kSecond);
  ASSERT_TRUE(traced);
  EXPECT_EQ(traced->status, 200);
}

TEST_P(ServeReplicasTest, AnotherWritersDocumentReachesTheServer) {
  Server& server = start_replica();
  const std::string path = (temp_dir_ / "events.jsonl").string();
  std::ofstream(path) << events(kFirst, 2);
  const Clock::time_point ingested = Clock::now();
  const std::string ingest =
      std::string(CASCADE_CLI) + " graph ingest --db '" + spec_ + "' " + path + " >/dev/null";
  ASSERT_EQ(std::system(ingest.c_str()), 0);
  const auto seen = time_until_traced(server, kFirst, 3, ingested, std::chrono::seconds(10));
  ASSERT_TRUE(seen) << "the server never traced the document graph ingest stored";
  if (GetParam() == Backend::kPostgres) EXPECT_LT(seen->count(), 3000);
}

TEST_P(ServeReplicasTest, AListenerWhoseConnectionWasCutListensAgain) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite has no listening connection";
  Server& a = start_replica();
  Server& b = start_replica();
  // Both replicas' listening connections, cut by the database as an operator or a failover
  // would.
  const std::string terminated =
      pg_query(admin_uri_,
               "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" +
                   database_ + "' AND application_name = 'cascade listener'");
  ASSERT_EQ(terminated, "2");
  bool relistened = false;
  for (int i = 0; i < 200 && !relistened; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    relistened =
        stats(b)["graph"]["refresh"] == "listen" &&
        pg_query(admin_uri_, "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + database_ +
                                 "' AND application_name = 'cascade listener'") == "2";
  }
  ASSERT_TRUE(relistened) << "the listeners did not reconnect";
  const Clock::time_point posted = Clock::now();
  ASSERT_EQ(post(a, events(kFirst, 1)), 201);
  const auto seen = time_until_traced(b, kFirst, 2, posted, std::chrono::seconds(10));
  ASSERT_TRUE(seen);
  EXPECT_LT(seen->count(), 2000);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServeReplicasTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace cascade::serve
