// Load for `cascade serve` (issue 26), driven by bench/serve_bench.sh:
//   serve_bench reports --out DIR --count N [--files F] [--scale S] [--first K]
//       N cascade.scan/1 reports of F files each (files: graph_bench's artifacts at scale S,
//       popular ones more often, and one in ten never seen before), numbered from K
//   serve_bench post --url URL --token-file FILE --clients C --dir DIR
//       posts every report in DIR from C concurrent clients; documents a second
//   serve_bench trace --url URL --token-file FILE --seed NODE... [--requests N] [--limit L]
//                     [--posters P --scale S --first K --files F]
//       N first pages of a forward trace, round robin over the seeds, one at a time; with P
//       posters sending fresh reports all the while. p50 and p99 of the first page's latency.
// Figures are printed as "metric NAME VALUE" lines for the script.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_clock.h"
#include "enterprise_keys.h"

namespace {

using namespace cascade::bench;

constexpr std::int64_t kReportsStart = 1735689600;  // 2025-01-01T00:00:00Z, after the history
constexpr std::uint64_t kFreshArtifacts = 1000000000000ULL;  // beyond any scale's artifacts

int fail(const std::string& message) {
  std::fprintf(stderr, "serve_bench: %s\n", message.c_str());
  return 2;
}

struct Args {
  std::string out, url, token_file, dir;
  std::vector<std::string> seeds;
  std::uint64_t count = 0, files = 1000, first = 0;
  double scale = 1;
  int clients = 100, requests = 20, posters = 0;
  std::size_t limit = 1000;
};

std::string rfc3339(std::int64_t at) {
  const std::time_t time = at;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// One host's scan: its files are what graph_bench's enterprise runs (popular artifacts more
// often, like its own scan reports), plus one in ten files of its own. Report `index` differs
// from every other in host, time and paths, so none is an idempotent repeat.
std::string scan_report(std::uint64_t index, std::uint64_t files, double scale) {
  const auto hosts = std::max<std::uint64_t>(200, std::llround(1e6 * scale));
  const auto artifacts = std::max<std::uint64_t>(1000, std::llround(5e6 * scale));
  const std::int64_t started = kReportsStart + static_cast<std::int64_t>(index) * 60;
  std::string json;
  json.reserve(files * 260 + 1024);
  json += R"({"schema":"cascade.scan/1","tool":{"name":"cascade","version":"0.1.0"},"host":")";
  json += host_name(mix(index) % hosts);
  json += R"(","roots":["/opt"],"started":")" + rfc3339(started) + R"(","catalogs":[],"feeds":[])";
  json += R"(,"rules":[],"rule_count":0,"files":[)";
  std::uint64_t bytes = 0;
  for (std::uint64_t f = 0; f < files; ++f) {
    const std::uint64_t draw = mix(index * files + f + 0x5ca9000000ULL);
    const double unit = static_cast<double>(draw >> 11) * 0x1.0p-53;
    // Artifact 0 is graph_bench's seed: left out, so the seed's answer does not grow.
    const std::uint64_t artifact =
        draw % 10 == 0 ? kFreshArtifacts + index * files + f
                       : 1 + static_cast<std::uint64_t>(unit * unit * unit * (artifacts - 1));
    const std::uint64_t size = 4096 + (draw >> 40) % 4000000;
    bytes += size;
    if (f != 0) json += ',';
    json += R"({"findings":[],"format":")";
    json += draw % 3 == 0 ? "unknown" : "elf";
    json += R"(","path":"/opt/app-)" + std::to_string(index) + "/lib/file-" + std::to_string(f) +
            R"(.so","sha256":")" + artifact_digest(artifact) + R"(","signatures":[],"size":)" +
            std::to_string(size) + '}';
  }
  json += R"(],"packages":[],"finished":")" + rfc3339(started + 30) + R"(","summary":{"bytes":)";
  json += std::to_string(bytes) + R"(,"containers":0,"errors":0,"files":)" + std::to_string(files) +
          R"(,"findings":{"critical":0,"high":0,"info":0,"low":0,"medium":0},"nested_files":0,)"
          R"("packages":0}})";
  json += '\n';
  return json;
}

int write_reports(const Args& args) {
  if (args.out.empty() || args.count == 0) return fail("reports needs --out DIR and --count N");
  std::filesystem::create_directories(args.out);
  for (std::uint64_t i = 0; i < args.count; ++i) {
    const std::string number = std::to_string(args.first + i);
    std::string name = "/scan-";
    name.append(number.size() < 6 ? 6 - number.size() : 0, '0');
    name += number;
    name += ".json";
    std::ofstream file(args.out + name, std::ios::binary);
    file << scan_report(args.first + i, args.files, args.scale);
    if (!file) return fail("cannot write " + args.out + name);
  }
  metric("reports", args.count);
  return 0;
}

struct Endpoint {
  std::string host;
  int port = 0;
  std::string token;
};

std::optional<Endpoint> endpoint(const Args& args) {
  const std::string prefix = "http://";
  if (!args.url.starts_with(prefix)) return std::nullopt;
  const std::string rest = args.url.substr(prefix.size());
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::ifstream file(args.token_file);
  std::string token;
  if (!(file >> token)) return std::nullopt;
  return Endpoint{rest.substr(0, colon), std::atoi(rest.c_str() + colon + 1), token};
}

std::unique_ptr<httplib::Client> client(const Endpoint& at) {
  auto made = std::make_unique<httplib::Client>(at.host, at.port);
  made->set_bearer_token_auth(at.token);
  made->set_keep_alive(true);
  made->set_connection_timeout(30);
  made->set_read_timeout(900);
  made->set_write_timeout(60);
  return made;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

// Status counts of the posts one phase made, shared by its clients.
struct PostTally {
  std::atomic<std::uint64_t> stored{0}, repeated{0}, failed{0}, resent{0};
  std::atomic<bool> reported_failure{false};

  void count(const httplib::Result& answer) {
    if (answer && answer->status == 201) {
      ++stored;
    } else if (answer && answer->status == 200) {
      ++repeated;
    } else {
      ++failed;
      if (!reported_failure.exchange(true)) {
        std::fprintf(stderr, "serve_bench: a post failed: %s\n",
                     answer ? (std::to_string(answer->status) + " " + answer->body).c_str()
                            : httplib::to_string(answer.error()).c_str());
      }
    }
  }
};

// A post that got no answer at all (the server closed a kept-alive connection as the request
// went out) is sent again, as a reporting host would: the server's idempotence makes that safe.
httplib::Result post_document(httplib::Client& http, const std::string& body, PostTally& tally) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto answer = http.Post("/api/v1/documents", body, "application/octet-stream");
    if (answer || attempt == kAttempts) return answer;
    ++tally.resent;
  }
}

int post_all(const Args& args) {
  const auto at = endpoint(args);
  if (!at || args.dir.empty())
    return fail("post needs --url http://HOST:PORT, --token-file, --dir");
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(args.dir)) {
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  // Read before the clock starts: the server's rate is measured, not this disk's.
  std::vector<std::string> bodies;
  std::uint64_t bytes = 0;
  for (const auto& path : paths) {
    std::ifstream file(path, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    bodies.push_back(text.str());
    bytes += bodies.back().size();
  }
  PostTally tally;
  std::atomic<std::size_t> next{0};
  const auto started = Clock::now();
  std::vector<std::thread> clients;
  clients.reserve(static_cast<std::size_t>(std::max(args.clients, 1)));
  for (int c = 0; c < std::max(args.clients, 1); ++c) {
    clients.emplace_back([&] {
      auto http = client(*at);
      for (std::size_t i = next++; i < bodies.size(); i = next++) {
        tally.count(post_document(*http, bodies[i], tally));
      }
    });
  }
  for (auto& thread : clients) thread.join();
  const double elapsed = seconds_since(started);
  metric("post_documents", static_cast<std::uint64_t>(bodies.size()));
  metric("post_mb", static_cast<double>(bytes) / 1e6);
  metric("post_stored", tally.stored.load());
  metric("post_repeated", tally.repeated.load());
  metric("post_failed", tally.failed.load());
  metric("post_resent", tally.resent.load());
  metric("post_s", elapsed);
  metric("post_documents_per_s", static_cast<double>(bodies.size()) / elapsed);
  return tally.failed == 0 ? 0 : 1;
}

int trace_latency(const Args& args) {
  const auto at = endpoint(args);
  if (!at || args.seeds.empty()) {
    return fail("trace needs --url http://HOST:PORT, --token-file and --seed");
  }
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> next_report{args.first};
  PostTally tally;
  std::vector<std::thread> posters;
  posters.reserve(static_cast<std::size_t>(args.posters));
  for (int p = 0; p < args.posters; ++p) {
    posters.emplace_back([&] {
      auto http = client(*at);
      while (!stopping) {
        const std::string body = scan_report(next_report++, args.files, args.scale);
        tally.count(post_document(*http, body, tally));
      }
    });
  }
  auto http = client(*at);
  const std::string limit = std::to_string(args.limit);
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_seed;
  std::map<std::string, std::string> totals;
  int failures = 0;
  const auto started = Clock::now();
  for (int r = 0; r < args.requests; ++r) {
    const std::string& seed = args.seeds[static_cast<std::size_t>(r) % args.seeds.size()];
    const auto asked = Clock::now();
    const httplib::Params query = {{"compromised", seed}, {"limit", limit}};
    const auto answer = http->Get("/api/v1/trace", query, httplib::Headers{});
    const double latency = seconds_since(asked);
    if (!answer || answer->status != 200) {
      ++failures;
      std::fprintf(stderr, "serve_bench: trace %s failed: %s\n", seed.c_str(),
                   answer ? (std::to_string(answer->status) + " " + answer->body).c_str()
                          : httplib::to_string(answer.error()).c_str());
      continue;
    }
    all.push_back(latency);
    by_seed[seed].push_back(latency);
    totals[seed] = answer->get_header_value("Cascade-Total");
  }
  const double elapsed = seconds_since(started);
  stopping = true;
  for (auto& thread : posters) thread.join();
  metric("trace_requests", static_cast<std::uint64_t>(all.size()));
  metric("trace_failed", static_cast<std::uint64_t>(failures));
  metric("trace_p50_s", percentile(all, 0.5));
  metric("trace_p99_s", percentile(all, 0.99));
  for (const auto& [seed, times] : by_seed) {
    std::printf("seed %s total %s p50_s %.3f max_s %.3f\n", seed.c_str(), totals[seed].c_str(),
                percentile(times, 0.5), percentile(times, 1.0));
  }
  if (args.posters > 0) {
    metric("posted_meanwhile", tally.stored.load());
    metric("posted_per_s", static_cast<double>(tally.stored.load()) / elapsed);
    metric("post_failed", tally.failed.load());
  }
  return failures == 0 && tally.failed == 0 ? 0 : 1;
}

int usage() {
  std::fprintf(
      stderr,
      "usage: serve_bench reports --out DIR --count N [--files F] [--scale S] [--first K]\n"
      "       serve_bench post --url URL --token-file FILE --dir DIR [--clients C]\n"
      "       serve_bench trace --url URL --token-file FILE --seed NODE... [--requests N]"
      " [--limit L] [--posters P --scale S --first K --files F]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  Args args;
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return usage();
    const std::string option = argv[i];
    const char* value = argv[i + 1];
    if (option == "--out") {
      args.out = value;
    } else if (option == "--url") {
      args.url = value;
    } else if (option == "--token-file") {
      args.token_file = value;
    } else if (option == "--dir") {
      args.dir = value;
    } else if (option == "--seed") {
      args.seeds.emplace_back(value);
    } else if (option == "--count") {
      args.count = std::strtoull(value, nullptr, 10);
    } else if (option == "--files") {
      args.files = std::max<std::uint64_t>(1, std::strtoull(value, nullptr, 10));
    } else if (option == "--first") {
      args.first = std::strtoull(value, nullptr, 10);
    } else if (option == "--scale") {
      args.scale = std::strtod(value, nullptr);
    } else if (option == "--clients") {
      args.clients = std::atoi(value);
    } else if (option == "--requests") {
      args.requests = std::max(1, std::atoi(value));
    } else if (option == "--posters") {
      args.posters = std::max(0, std::atoi(value));
    } else if (option == "--limit") {
      args.limit = std::strtoull(value, nullptr, 10);
    } else {
      return usage();
    }
  }
  if (!(args.scale > 0)) return usage();
  if (mode == "reports") return write_reports(args);
  if (mode == "post") return post_all(args);
  if (mode == "trace") return trace_latency(args);
  return usage();
}
