// The clients of cascade serve against a real server on 127.0.0.1 (a free port, a SQLite
// store): scan --report-to and its spool, graph ingest --to, attest --report-to, trace --server,
// and the client library's URL, token-file and paging rules.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "core/digest.h"
#include "graph/store.h"
#include "report/trace_read.h"
#include "report/trace_report.h"
#include "serve/client.h"
#include "serve/server.h"
#include "serve/tokens.h"
#include "serve/trace_client.h"
#include "temp_dir.h"

namespace cascade::serve {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string sha256_of(const std::string& text) {
  return to_hex(digest(DigestAlgorithm::kSha256,
                       Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}

// A build host that ran one artifact and reached `hosts` other hosts.
std::string events(int hosts) {
  std::ostringstream out;
  out << R"({"event":"ran-on","artifact":"sha256:)" << std::string(64, 'b')
      << R"(","host":"build","time":"2024-05-02T09:00:00Z","name":"tool.exe"})" << '\n';
  for (int i = 0; i < hosts; ++i) {
    out << R"({"event":"access","from":"build","to":"host-)" << i
        << R"(","time":"2024-05-03T00:00:00Z","via":"ssh"})" << '\n';
  }
  return out.str();
}

std::vector<std::string> files_in(const fs::path& folder) {
  std::vector<std::string> names;
  if (!fs::exists(folder)) return names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && !name.starts_with(".")) names.push_back(name);
  }
  return names;
}

class ServeClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = dir_ / "inventory.db";
    auto store = graph::open_store(spec_);
    ASSERT_TRUE(store.ok()) << store.error().message;
    for (const auto& [name, scope] : {std::pair{"poster", graph::TokenScope::kIngest},
                                      std::pair{"analyst", graph::TokenScope::kRead}}) {
      auto made = create_token(**store, name, scope, 1700000000);
      ASSERT_TRUE(made.ok()) << made.error().message;
      tokens_[name] = made->text;
      const std::string file = dir_.write(std::string(name) + ".token", made->text + "\n");
      ::chmod(file.c_str(), 0600);
    }
    dir_.write("tree/readme.txt", "nothing to see here\n");
    dir_.write("tree/data.bin", std::string(4096, 'x'));
    spool_ = dir_ / "spool";
  }

  void start(ServeOptions options = {}) {
    options.db = spec_;
    options.port = port_;  // the same port again after stop(), so a URL outlives a restart
    options.poll = std::chrono::milliseconds(100);
    auto started = Server::start(options);
    ASSERT_TRUE(started.ok()) << started.error().message;
    server_ = std::move(started).value();
    port_ = server_->port();
  }
  void stop() { server_.reset(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string token_file(const std::string& who) const { return dir_ / (who + ".token"); }
  std::string to_server(const std::string& flag, const std::string& who) const {
    return " " + flag + " " + url() + " --token-file " + token_file(who) + " ";
  }

  CliRun cli(const std::string& args) const {
    const std::string err = dir_ / ".stderr";
    const std::string command =
        "cd '" + dir_.path().string() + "' && " + CASCADE_CLI + " " + args + " 2>'" + err + "'";
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
      run.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = slurp(err);
    for (const auto& [name, text] : tokens_) {
      EXPECT_EQ(run.out.find(text), std::string::npos) << "the token was printed";
      EXPECT_EQ(run.err.find(text), std::string::npos) << "the token was printed";
    }
    return run;
  }

  // Each run names its own host: two reports of one tree in one second are otherwise the same
  // bytes, which the server stores once.
  CliRun scan_reporting(const std::string& host, const std::string& extra = "") const {
    return cli("scan --host " + host + " " + extra + to_server("--report-to", "poster") +
               "--spool " + spool_ + " tree");
  }

  int document_status(const std::string& sha256) const {
    httplib::Client client("127.0.0.1", port_);
    auto answer = client.Get("/api/v1/documents/" + sha256,
                             {{"Authorization", "Bearer " + tokens_.at("analyst")}});
    return answer ? answer->status : -1;
  }

  std::int64_t stored_documents() const {
    auto store = graph::open_store(spec_, graph::OpenMode::kExisting);
    if (!store.ok()) return -1;
    auto counts = (*store)->counts();
    return counts.ok() ? static_cast<std::int64_t>(counts->documents) : -1;
  }

  void wait_for_graph(std::int64_t documents) {
    httplib::Client client("127.0.0.1", port_);
    for (int i = 0; i < 200; ++i) {
      auto stats =
          client.Get("/api/v1/stats", {{"Authorization", "Bearer " + tokens_.at("analyst")}});
      ASSERT_TRUE(stats);
      if (nlohmann::json::parse(stats->body)["graph"]["documents"] == documents) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "the in-memory graph never reached " << documents << " documents";
  }

  testing::TempDir dir_;
  std::string spec_;
  std::string spool_;
  std::map<std::string, std::string> tokens_;
  int port_ = 0;
  std::unique_ptr<Server> server_;
};

TEST_F(ServeClientsTest, ScanReportToPostsExactlyWhatJsonPrints) {
  start();
  const CliRun json = scan_reporting("json", "--json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.err, "");
  EXPECT_EQ(document_status(sha256_of(json.out)), 200);

  // With the text report on the terminal, the JSON report is what goes to the server.
  const CliRun text = scan_reporting("text");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.err, "");
  EXPECT_NE(text.out.find("scanned 2 files"), std::string::npos) << text.out;
  EXPECT_EQ(stored_documents(), 2);
  EXPECT_TRUE(files_in(spool_).empty());
}

TEST_F(ServeClientsTest, ServerDownSpoolsTheReportAndTheNextRunSendsItFirst) {
  // A hash list naming one file of the tree: a finding, so the exit code is 1 either way.
  dir_.write("bad.sha256", sha256_of(std::string(4096, 'x')) + "\n");
  const CliRun alone = cli("scan --host reporter --ioc bad.sha256 tree");
  ASSERT_EQ(alone.exit_code, 1) << alone.err;

  start();
  stop();  // the port is known and nobody listens on it
  const CliRun down = scan_reporting("reporter", "--ioc bad.sha256");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_EQ(down.out, alone.out);
  EXPECT_NE(down.err.find("warning: cannot reach " + url()), std::string::npos) << down.err;
  EXPECT_NE(down.err.find("spooled in " + spool_), std::string::npos) << down.err;
  const auto spooled = files_in(spool_);
  ASSERT_EQ(spooled.size(), 1U);
  struct stat st {};
  ASSERT_EQ(::stat((fs::path(spool_) / spooled[0]).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat(spool_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
  // The file holds the whole report, named by its digest.
  const std::string kept = slurp(fs::path(spool_) / spooled[0]);
  EXPECT_EQ(nlohmann::json::parse(kept)["schema"], "cascade.scan/1");
  const std::string kept_sha256 = sha256_of(kept);
  EXPECT_NE(spooled[0].find(kept_sha256), std::string::npos);

  start();
  const CliRun up = scan_reporting("again", "--ioc bad.sha256 --json");
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(up.err.find("sent 1 spooled report to " + url()), std::string::npos) << up.err;
  EXPECT_EQ(up.err.find("warning"), std::string::npos) << up.err;
  EXPECT_TRUE(files_in(spool_).empty());
  EXPECT_EQ(document_status(kept_sha256), 200);
  EXPECT_EQ(document_status(sha256_of(up.out)), 200);
  EXPECT_EQ(stored_documents(), 2);
}

TEST_F(ServeClientsTest, ACachedRescanReportsWholeRecordsWhileTheTerminalGetsText) {
  // A text re-scan needs no reused file's facts, but the report it sends holds them.
  start();
  stop();
  const std::string cache = "--cache=" + (dir_ / "scan.cache");
  const CliRun first = cli("scan --host cached --json " + cache + " tree");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const CliRun text = scan_reporting("cached", cache);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("2 reused"), std::string::npos) << text.out;
  const auto spooled = files_in(spool_);
  ASSERT_EQ(spooled.size(), 1U);
  const auto sent = nlohmann::json::parse(slurp(fs::path(spool_) / spooled[0]));
  const CliRun json = cli("scan --host cached --json " + cache + " tree");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto printed = nlohmann::json::parse(json.out);
  ASSERT_EQ(sent["files"].size(), 2U) << sent.dump();
  EXPECT_EQ(sent["files"], printed["files"]);
  for (const auto& record : sent["files"]) {
    EXPECT_EQ(record["cached"], true);
    EXPECT_TRUE(record.contains("format")) << record.dump();
  }
}

TEST_F(ServeClientsTest, ARefusedReportMovesAsideAndARefusedTokenKeepsItSpooled) {
  start();
  // A report the server cannot read (spooled by an older run, say) is moved aside, once.
  fs::create_directories(spool_);
  fs::permissions(spool_, fs::perms::owner_all, fs::perm_options::replace);
  const std::string junk = "this is no report\n";
  const std::string name = "00000000000000000001-" + sha256_of(junk) + ".doc";
  dir_.write("spool/" + name, junk);
  const CliRun first = scan_reporting("first");
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_NE(first.err.find("refused the spooled report " + name), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("HTTP 400"), std::string::npos) << first.err;
  EXPECT_TRUE(files_in(spool_).empty());
  EXPECT_EQ(files_in(fs::path(spool_) / "rejected"), std::vector<std::string>{name});
  EXPECT_EQ(stored_documents(), 1);  // the new report went through after it
  const CliRun second = scan_reporting("second");
  EXPECT_EQ(second.err, "");

  // A token of the wrong scope: the report stays spooled, and the message says why.
  const CliRun refused = cli("scan --host refused" + to_server("--report-to", "analyst") +
                             "--spool " + spool_ + " tree");
  EXPECT_EQ(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("the server refused the token (HTTP 403"), std::string::npos)
      << refused.err;
  EXPECT_EQ(files_in(spool_).size(), 1U);
  const CliRun resent = scan_reporting("resent");
  EXPECT_NE(resent.err.find("sent 1 spooled report"), std::string::npos) << resent.err;
  EXPECT_TRUE(files_in(spool_).empty());
}

TEST_F(ServeClientsTest, TokenFilesAndSpoolsOthersMayReadAreRefusedBeforeTheScan) {
  start();
  ::chmod(token_file("poster").c_str(), 0644);
  const CliRun open_token = scan_reporting("open-token");
  EXPECT_EQ(open_token.exit_code, 2);
  EXPECT_NE(open_token.err.find("may be read by others (mode 0644): refused; chmod 600"),
            std::string::npos)
      << open_token.err;
  EXPECT_EQ(open_token.out, "");
  ::chmod(token_file("poster").c_str(), 0600);

  fs::create_directories(spool_);
  ::chmod(spool_.c_str(), 0755);
  const CliRun open_spool = scan_reporting("open-spool");
  EXPECT_EQ(open_spool.exit_code, 2);
  EXPECT_NE(open_spool.err.find("may be entered by others: refused"), std::string::npos)
      << open_spool.err;
  EXPECT_EQ(stored_documents(), 0);

  // Plain HTTP to a host other than loopback needs saying so.
  const CliRun remote =
      cli("scan --report-to http://192.0.2.1:8080 --token-file " + token_file("poster") + " tree");
  EXPECT_EQ(remote.exit_code, 2);
  EXPECT_NE(remote.err.find("--insecure-http"), std::string::npos) << remote.err;
}

TEST_F(ServeClientsTest, GraphIngestToPrintsWhatTheServerAnswered) {
  start();
  const std::string events_file = dir_.write("events.jsonl", events(3));
  dir_.write("junk.txt", "this is no document\n");
  const CliRun first = cli("graph ingest" + to_server("--to", "poster") + "events.jsonl junk.txt");
  EXPECT_EQ(first.exit_code, 1);
  EXPECT_EQ(first.out, "stored events.jsonl (events): 5 nodes, 4 edges\n");
  EXPECT_NE(first.err.find(url() + " refused junk.txt: HTTP 400: "), std::string::npos)
      << first.err;
  const CliRun again = cli("graph ingest" + to_server("--to", "poster") + "events.jsonl");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "already stored events.jsonl (events): 5 nodes, 4 edges\n");
  EXPECT_EQ(document_status(sha256_of(slurp(events_file))), 200);
  // --to and --db are two answers to one question.
  EXPECT_EQ(cli("graph ingest --db x.db" + to_server("--to", "poster") + "events.jsonl").exit_code,
            2);
}

TEST_F(ServeClientsTest, TraceServerPrintsWhatALocalTracePrints) {
  dir_.write("events.jsonl", events(30));
  ASSERT_EQ(cli("graph ingest --db " + spec_ + " events.jsonl").exit_code, 0);
  start();
  const std::string seed = " --compromised sha256:" + std::string(64, 'b');
  const std::string remote = to_server("--server", "analyst");
  const std::string local_trace = "trace --db " + spec_ + seed;
  const std::string served_trace = "trace" + remote + seed;
  for (const std::string& form :
       {std::string(" --json"), std::string(""), std::string(" --all"), std::string(" --dot -"),
        std::string(" --json --since 2024-05-02T12:00:00Z")}) {
    const CliRun local = cli(local_trace + form);
    const CliRun served = cli(served_trace + form);
    ASSERT_EQ(local.exit_code, 0) << local.err;
    EXPECT_EQ(served.exit_code, 0) << served.err;
    EXPECT_EQ(served.out, local.out) << form;
  }
  ASSERT_EQ(cli(local_trace + " --html local.html").exit_code, 0);
  ASSERT_EQ(cli(served_trace + " --html served.html").exit_code, 0);
  EXPECT_NE(slurp(dir_ / "local.html").find("host-29"), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "served.html"), slurp(dir_ / "local.html"));
  const std::string back = " --root-cause host:host-7";
  EXPECT_EQ(cli("trace" + remote + back + " --json").out,
            cli("trace --db " + spec_ + back + " --json").out);
  // What the server refuses is a usage error, with its message.
  const CliRun unknown = cli("trace" + remote + " --compromised host:nowhere");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("HTTP 404"), std::string::npos) << unknown.err;

  // Small pages walked one by one make the same answer.
  ClientOptions options;
  options.url = url();
  options.token_file = token_file("analyst");
  auto client = Client::open(options);
  ASSERT_TRUE(client.ok()) << client.error().message;
  TraceQuery query;
  query.compromised = "sha256:" + std::string(64, 'b');
  query.page = 4;
  auto fetched = fetch_trace(*client, query);
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  auto result = report::trace_from_json(*fetched);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(report::trace_json(*result).dump(2) + "\n",
            cli("trace --db " + spec_ + seed + " --json").out);
}

TEST_F(ServeClientsTest, AttestReportToPostsTheEnvelope) {
  start();
  ASSERT_EQ(cli("key generate -o signer").exit_code, 0);
  dir_.write("dist/app.bin", "the product\n");
  const std::string attest =
      "attest --builder-id https://ci.example.com/app --build-type https://example.com/make/v1 "
      "--key signer.key --products dist/app.bin -o dist.intoto.jsonl";
  const CliRun posted = cli(attest + to_server("--report-to", "poster"));
  ASSERT_EQ(posted.exit_code, 0) << posted.err;
  EXPECT_EQ(document_status(sha256_of(slurp(dir_ / "dist.intoto.jsonl"))), 200);

  stop();
  const CliRun down = cli(attest + " --append" + to_server("--report-to", "poster"));
  EXPECT_EQ(down.exit_code, 2);
  EXPECT_NE(down.err.find("did not store it"), std::string::npos) << down.err;
}

// A throwaway CA and a server certificate for the address 127.0.0.1, made by the openssl command.
TEST_F(ServeClientsTest, HttpsTrustsThePrivateCaAndChecksTheName) {
  ASSERT_TRUE(dir_.run(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out "
      "ca.pem -days 2 -subj '/CN=cascade test CA' && openssl req -newkey ec -pkeyopt "
      "ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' && "
      "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && openssl "
      "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
      "-extfile ext.cnf"));
  ServeOptions options;
  options.tls_cert = dir_ / "server.pem";
  options.tls_key = dir_ / "server.key";
  start(options);
  dir_.write("events.jsonl", events(1));
  const std::string https = "https://127.0.0.1:" + std::to_string(port_);
  const std::string token = " --token-file " + token_file("poster") + " ";
  const CliRun trusted =
      cli("graph ingest --to " + https + token + "--server-ca ca.pem events.jsonl");
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_EQ(trusted.out, "stored events.jsonl (events): 3 nodes, 2 edges\n");
  // The system's store does not know the throwaway CA.
  const CliRun stranger = cli("graph ingest --to " + https + token + "events.jsonl");
  EXPECT_EQ(stranger.exit_code, 2);
  EXPECT_NE(stranger.err.find("not delivered"), std::string::npos) << stranger.err;
  // The certificate names 127.0.0.1, not localhost.
  const CliRun renamed = cli("graph ingest --to https://localhost:" + std::to_string(port_) +
                             token + "--server-ca ca.pem events.jsonl");
  EXPECT_EQ(renamed.exit_code, 2);
  EXPECT_EQ(renamed.out, "");
}

TEST(ServerUrl, OnlyPlainHttpAndHttpsUrlsWithAHost) {
  auto url = parse_server_url("https://cascade.example.com:8443/inventory/");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->scheme, Scheme::kHttps);
  EXPECT_EQ(url->host, "cascade.example.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->base, "/inventory");
  EXPECT_EQ(parse_server_url("http://127.0.0.1")->port, 80);
  EXPECT_EQ(parse_server_url("HTTPS://[::1]:9")->host, "::1");
  for (const char* bad :
       {"ftp://host", "host:80", "https://", "https://user:pw@host", "https://host:0",
        "https://host:65536", "https://host:8a", "https://host?x=1", "https://host/#f",
        "https://ho st", "https://[::1", "https://-host", "https://host:"}) {
    EXPECT_FALSE(parse_server_url(bad).ok()) << bad;
  }
  ClientOptions options;
  options.url = "http://cascade.example.com";
  options.token_file = "/nonexistent";
  EXPECT_EQ(Client::open(options).error().code, ErrorCode::kUsage);
  options.insecure_http = true;
  EXPECT_EQ(Client::open(options).error().code, ErrorCode::kIo);  // on to the token file
}

TEST(TokenFile, FirstLineTrimmedFromAPrivateFileOnly) {
  testing::TempDir dir;
  const std::string path = dir.write("token", "  abc123  \nsecond line\n");
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(read_token_file(path).value(), "abc123");
  ::chmod(path.c_str(), 0640);
  EXPECT_FALSE(read_token_file(path).ok());
  const std::string spaced = dir.write("spaced", "abc def\n");
  ::chmod(spaced.c_str(), 0600);
  EXPECT_FALSE(read_token_file(spaced).ok());
  const std::string empty = dir.write("empty", "\n");
  ::chmod(empty.c_str(), 0600);
  EXPECT_FALSE(read_token_file(empty).ok());
  EXPECT_FALSE(read_token_file(dir / "missing").ok());
}

}  // namespace
}  // namespace cascade::serve
