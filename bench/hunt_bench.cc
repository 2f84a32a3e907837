// cascade hunt at enterprise size (issue 24): a 100,000-indicator feed against the inventory
// graph_bench generates (20 million edges at scale 1).
//   hunt_bench feed --db PATH --out DIR [--hashes N] [--in-inventory K] [--advisories A]
//       writes DIR/hashes.txt (N SHA-256 lines, K of them artifacts of the store, spread over
//       it, the rest random) and DIR/advisories.json (A OSV advisories of invented npm packages)
//   hunt_bench run --db PATH --ioc FEED... [--runs N] [--trace yes|no]
//       loads the feeds and the graph, then times the hunt itself N times
// Figures are printed as "metric NAME VALUE" lines.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "core/digest.h"
#include "graph/csr.h"
#include "graph/store.h"
#include "hunt/hunt.h"
#include "scan/ioc/indicators.h"

namespace {

using namespace cascade;
using bench::Clock;
using bench::cpu_seconds;
using bench::metric;
using bench::peak_rss_mb;
using bench::seconds_since;

int fail(const std::string& message) {
  std::fprintf(stderr, "hunt_bench: %s\n", message.c_str());
  return 2;
}

std::string option(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

std::vector<std::string> options(int argc, char** argv, const std::string& name) {
  std::vector<std::string> values;
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == name) values.emplace_back(argv[i + 1]);
  }
  return values;
}

// splitmix64, for the random digests and names.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string random_sha256(std::uint64_t i) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(64, '0');
  for (std::uint64_t word = 0; word < 4; ++word) {
    std::uint64_t bits = mix(i * 4 + word + 0xfeed0000ULL);
    for (int d = 0; d < 16; ++d, bits >>= 4) hex[word * 16 + d] = kDigits[bits & 15];
  }
  return hex;
}

int make_feed(int argc, char** argv) {
  const std::string db = option(argc, argv, "--db", "");
  const std::string out = option(argc, argv, "--out", "");
  if (db.empty() || out.empty()) return fail("feed needs --db and --out");
  const std::uint64_t hashes =
      std::strtoull(option(argc, argv, "--hashes", "100000").c_str(), nullptr, 10);
  const std::uint64_t in_inventory =
      std::strtoull(option(argc, argv, "--in-inventory", "1000").c_str(), nullptr, 10);
  const std::uint64_t advisories =
      std::strtoull(option(argc, argv, "--advisories", "1000").c_str(), nullptr, 10);
  auto store = graph::open_store(db, graph::OpenMode::kExisting);
  if (!store) return fail(store.error().message);
  // The store's artifacts, every k-th: real keys, so the feed matches what generate wrote.
  std::vector<std::string> artifacts;
  auto counts = (*store)->counts();
  if (!counts) return fail(counts.error().message);
  const std::uint64_t step =
      std::max<std::uint64_t>(1, static_cast<std::uint64_t>(counts->nodes) / (in_inventory * 2));
  std::uint64_t seen = 0;
  auto scanned =
      (*store)->scan_node_rows([&](std::int64_t, std::int64_t kind, std::string_view key) {
        if (kind != static_cast<std::int64_t>(graph::NodeKind::kArtifact)) return;
        if (artifacts.size() < in_inventory && seen++ % step == 0) artifacts.emplace_back(key);
      });
  if (!scanned) return fail(scanned.error().message);
  std::ofstream list(out + "/hashes.txt");
  list << "# feed: bench hashes\n";
  // The known digests sit every `stride` lines, the rest are random.
  const std::uint64_t stride = hashes / std::max<std::uint64_t>(1, artifacts.size());
  for (std::uint64_t i = 0; i < hashes; ++i) {
    const std::uint64_t slot = stride == 0 ? artifacts.size() : i / stride;
    const bool known = stride != 0 && i % stride == 0 && slot < artifacts.size();
    list << (known ? artifacts[slot] : random_sha256(i)) << " indicator-" << i << "\n";
  }
  std::ofstream osv(out + "/advisories.json");
  osv << "[\n";
  for (std::uint64_t i = 0; i < advisories; ++i) {
    osv << (i == 0 ? "" : ",\n") << R"({"id": "MAL-BENCH-)" << i
        << R"(", "modified": "2024-01-01T00:00:00Z", "summary": "bench", "affected": [{"package": )"
        << R"({"ecosystem": "npm", "name": "bench-package-)" << i
        << R"("}, "versions": ["1.0.0"], "ranges": [{"type": "SEMVER", "events": )"
        << R"([{"introduced": "0"}, {"fixed": "1.0.1"}]}]}]})";
  }
  osv << "\n]\n";
  std::printf(
      "metric feed_hashes %llu\nmetric feed_hashes_in_inventory %zu\nmetric feed_advisories %llu\n",
      static_cast<unsigned long long>(hashes), artifacts.size(),
      static_cast<unsigned long long>(advisories));
  return 0;
}

int run(int argc, char** argv) {
  const std::string db = option(argc, argv, "--db", "");
  const auto feeds_given = options(argc, argv, "--ioc");
  const int runs =
      static_cast<int>(std::strtol(option(argc, argv, "--runs", "5").c_str(), nullptr, 10));
  const bool trace = option(argc, argv, "--trace", "no") == "yes";
  if (db.empty() || feeds_given.empty()) return fail("run needs --db and --ioc");

  auto start = Clock::now();
  scan::IndicatorSet feeds;
  for (const auto& path : feeds_given) {
    if (auto loaded = feeds.load(path); !loaded) return fail(loaded.error().message);
  }
  metric("feed_load_s", seconds_since(start));

  auto store = graph::open_store(db, graph::OpenMode::kExisting);
  if (!store) return fail(store.error().message);
  auto snapshot = graph::StoreSnapshot::take(**store);
  if (!snapshot) return fail(snapshot.error().message);
  start = Clock::now();
  auto graph = graph::load_graph(**store, graph::Direction::kPropagation);
  if (!graph) return fail(graph.error().message);
  metric("graph_load_s", seconds_since(start));
  metric("nodes", static_cast<double>(graph->node_count()));
  metric("edges", static_cast<double>(graph->stored_edges));

  hunt::HuntOptions hunt_options;
  hunt_options.trace = trace;
  for (int r = 0; r < runs; ++r) {
    const double cpu = cpu_seconds();
    start = Clock::now();
    auto result = hunt::hunt(*graph, **store, feeds, hunt_options);
    if (!result) return fail(result.error().message);
    metric("hunt_s", seconds_since(start));
    metric("hunt_cpu_s", cpu_seconds() - cpu);
    if (r == 0) {
      metric("hash_indicators", static_cast<double>(result->hash_indicators));
      metric("advisories", static_cast<double>(result->advisories));
      metric("matches", static_cast<double>(result->matches.size()));
      std::size_t hosts = 0;
      for (const auto& match : result->matches) hosts += match.hosts.size();
      metric("match_hosts", static_cast<double>(hosts));
      if (result->trace)
        metric("trace_affected", static_cast<double>(result->trace->affected.size()));
    }
  }
  metric("peak_rss_mb", static_cast<double>(peak_rss_mb()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "feed") return make_feed(argc, argv);
  if (command == "run") return run(argc, argv);
  return fail(
      "usage: hunt_bench feed --db PATH --out DIR [--hashes N] [--in-inventory K] "
      "[--advisories A] | run --db PATH --ioc FEED... [--runs N] [--trace yes|no]");
}
