// The inventory graph at enterprise size (issue 7): a deterministic synthetic enterprise stored
// through the real ingest path, then the in-memory load and the forward trace timed on it.
//   graph_bench generate --db PATH [--scale S] [--durability bulk|durable|discard]
//       build the enterprise into a fresh SQLite file (discard: rows made, counted, dropped)
//   graph_bench trace --db PATH --seed NODE [--since T] [--runs N] [--materialise yes|no]
//   graph_bench dump --db PATH --seed NODE [--since T] reached set as "id,time" CSV lines (the
//                                                      seed included, time empty when unbounded)
// Figures are printed as "metric NAME VALUE" lines for bench/graph_vs_cte.sh.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_clock.h"
#include "core/bounded_queue.h"
#include "enterprise_keys.h"
#include "graph/csr.h"
#include "graph/facts.h"
#include "graph/ingest.h"
#include "graph/model.h"
#include "graph/store.h"
#include "graph/trace.h"

namespace {

using namespace cascade;
using namespace cascade::graph;

using bench::Clock;
using bench::cpu_seconds;
using bench::metric;
using bench::mix;
using bench::peak_rss_mb;
using bench::seconds_since;

int fail(const std::string& message) {
  std::fprintf(stderr, "graph_bench: %s\n", message.c_str());
  return 2;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return mix(state_++); }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Popular things first: index i is chosen with density falling like i^(-2/3) (u^3).
  std::uint64_t skewed(std::uint64_t n) {
    const double u = unit();
    return std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(u * u * u * n));
  }
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

constexpr std::int64_t kStart = 1672531200;  // 2023-01-01T00:00:00Z
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kSpan = 730 * kDay;  // two years of history
constexpr std::uint64_t kChunkEdges = 1000000;

// How many of everything at a scale; 1 is the issue's enterprise.
struct Shape {
  std::uint64_t hosts, artifacts, builds, releases, orgs, edges;
  std::uint64_t hubs;         // jump hosts, domain controllers, config management: hosts [0, hubs)
  std::uint64_t build_hosts;  // CI runners: hosts [hubs, hubs + build_hosts)
  std::uint64_t in_house;     // artifacts [1, 1 + in_house) are produced by builds (5 per build)
  std::uint64_t consumed_per_build, contains_per_release, deploys_per_release;
  std::uint64_t hub_access, regular_access, ran_on;

  explicit Shape(double scale) {
    auto at = [&](double base, std::uint64_t floor) {
      return std::max<std::uint64_t>(floor, static_cast<std::uint64_t>(std::llround(base * scale)));
    };
    hosts = at(1e6, 200);
    artifacts = at(5e6, 1000);
    builds = at(1e5, 20);
    releases = at(1e3, 4);
    orgs = at(5e3, 4);
    edges = at(2e7, 4000);
    hubs = std::max<std::uint64_t>(2, hosts / 10000);
    build_hosts = std::max<std::uint64_t>(2, builds / 200);
    in_house = builds * 5;
    consumed_per_build = 20;
    contains_per_release = edges / 20 / releases;  // 5% of the edges
    deploys_per_release = edges / 50 / releases;   // 2%
    hub_access = edges / 50 + hubs * build_hosts;  // 2% plus every hub to every CI runner
    regular_access = edges / 12;                   // ~8%
    const std::uint64_t others = hosts + builds * (1 + consumed_per_build + 5) +
                                 releases * (contains_per_release + deploys_per_release) +
                                 hub_access + regular_access;
    ran_on = edges > others ? edges - others : artifacts;
  }
};

NodeRef artifact(std::uint64_t i) {
  return {NodeKind::kArtifact, bench::artifact_digest(i)};
}
NodeRef host(std::uint64_t i) {
  return {NodeKind::kHost, bench::host_name(i)};
}
NodeRef build(std::uint64_t i) {
  return {NodeKind::kBuild, "ci-" + std::to_string(i)};
}
NodeRef release(std::uint64_t i) {
  return {NodeKind::kRelease, "product-" + std::to_string(i % 97) + "@" + std::to_string(i) + ".0"};
}
NodeRef org(std::uint64_t i) {
  return {NodeKind::kOrg, "org-" + std::to_string(i)};
}

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// `--durability discard`: the rows ingest makes are counted and dropped, so the run measures
// what the generator and the row converter cost without any store: the ceiling of every
// backend's ingest rate on this machine. Reading is refused: there is nothing to read.
class DiscardingStore final : public GraphStore {
 public:
  Result<bool> begin_document(const DocRow& /*doc*/) override {
    ++counts_.documents;
    return true;
  }
  Status put_nodes(std::span<const NodeWrite> rows) override {
    counts_.nodes += static_cast<std::int64_t>(rows.size());
    return ok_status();
  }
  Status put_edges(std::span<const EdgeRow> rows) override {
    counts_.edges += static_cast<std::int64_t>(rows.size());
    return ok_status();
  }
  Status put_names(std::span<const NameRow> /*rows*/) override { return ok_status(); }
  Status put_signers(std::span<const SignerRow> /*rows*/) override { return ok_status(); }
  Status put_signals(std::span<const SignalRow> rows) override {
    counts_.signals += static_cast<std::int64_t>(rows.size());
    return ok_status();
  }
  Status commit_document() override { return ok_status(); }
  void rollback() override {}
  Status begin_bulk() override { return ok_status(); }
  Status end_bulk() override { return ok_status(); }

  Status scan_nodes(const std::function<void(std::int64_t, NodeKind)>& /*visit*/) override {
    return nothing_stored();
  }
  Status scan_edges(const std::function<void(const EdgeRow&)>& /*visit*/) override {
    return nothing_stored();
  }
  Result<std::optional<NodeRow>> find_node(std::int64_t /*id*/) override {
    return nothing_stored();
  }
  Result<std::vector<std::string>> node_names(std::int64_t /*id*/, std::size_t /*limit*/) override {
    return nothing_stored();
  }
  Result<std::optional<DocRow>> find_document(std::int64_t /*id*/) override {
    return nothing_stored();
  }
  Result<std::string> edge_note(const EdgeRow& /*edge*/) override { return nothing_stored(); }
  Result<std::vector<SignalRow>> all_signals() override { return nothing_stored(); }
  Status scan_signers(const std::function<void(const SignerRow&)>& /*visit*/) override {
    return nothing_stored();
  }
  // Rows handed over, not distinct rows: every node a document names once per document.
  Result<StoreCounts> counts() override { return counts_; }
  Result<int> schema_version() override { return nothing_stored(); }
  Result<EngineCheck> engine_check(std::size_t /*max_problems*/) override {
    return nothing_stored();
  }
  Status scan_node_rows(
      const std::function<void(std::int64_t, std::int64_t, std::string_view)>& /*visit*/) override {
    return nothing_stored();
  }
  Status scan_documents(const std::function<void(const DocRow&)>& /*visit*/) override {
    return nothing_stored();
  }
  std::string describe() const override { return "discard"; }

 protected:
  Status open_snapshot() override { return nothing_stored(); }
  Status close_snapshot() override { return ok_status(); }

 private:
  static Error nothing_stored() {
    return make_error(ErrorCode::kUsage, "a discarding store keeps nothing to read");
  }
  StoreCounts counts_;
};

// Collects facts into documents of about kChunkEdges edges and queues each one for the ingest
// running on the other end of `queue` (what `cascade graph ingest` does with files it has read).
class ChunkWriter {
 public:
  explicit ChunkWriter(BoundedQueue<PendingDocument>& queue) : queue_(queue) {}

  Status start(DocumentFormat format) {
    if (format != document_.format && !document_.edges.empty()) {
      if (auto done = flush(); !done) return done;
    }
    document_.format = format;
    return ok_status();
  }
  Status add(EdgeFact fact) {
    if (document_.edges.empty()) document_.edges.reserve(kChunkEdges);
    document_.edges.push_back(std::move(fact));
    ++generated_;
    return document_.edges.size() >= kChunkEdges ? flush() : ok_status();
  }
  void name(NodeRef node, std::string name) {
    document_.names.push_back(NameFact{std::move(node), std::move(name)});
  }
  Status flush() {
    if (document_.edges.empty() && document_.names.empty()) return ok_status();
    const std::string path = "synthetic/chunk-" + std::to_string(chunks_);
    std::string sha256 = artifact(0xc4a2c000ULL + chunks_).key;  // distinct per chunk
    DocRow row = document_row(sha256, document_.format, path, kStart + kSpan);
    const DocumentFormat format = document_.format;
    if (chunks_ == 0) first_chunk_cpu_s_ = thread_cpu_seconds();
    ++chunks_;
    if (!queue_.push(PendingDocument{std::move(row), std::move(document_)})) {
      return make_error(ErrorCode::kIo, "the ingest stopped");
    }
    document_ = Document{};
    document_.format = format;
    return ok_status();
  }

  std::uint64_t generated() const { return generated_; }
  std::uint64_t chunks() const { return chunks_; }
  // This thread's CPU seconds once the first document was made.
  double first_chunk_cpu_seconds() const { return first_chunk_cpu_s_; }

 private:
  BoundedQueue<PendingDocument>& queue_;
  Document document_;
  std::uint64_t generated_ = 0, chunks_ = 0;
  double first_chunk_cpu_s_ = 0;
};

EdgeFact fact(EdgeKind kind, NodeRef src, NodeRef dst, std::optional<std::int64_t> time,
              std::optional<std::int64_t> until = std::nullopt) {
  return EdgeFact{kind, std::move(src), std::move(dst), time, until, {}};
}

std::int64_t build_started(const Shape& shape, std::uint64_t b) {
  return kStart + static_cast<std::int64_t>(b * kSpan / shape.builds) +
         static_cast<std::int64_t>(mix(b) % 3600);
}
std::int64_t build_finished(const Shape& shape, std::uint64_t b) {
  return build_started(shape, b) + 300 + static_cast<std::int64_t>(mix(b + 1) % 3300);
}
std::int64_t release_time(const Shape& shape, std::uint64_t r) {
  return kStart + static_cast<std::int64_t>((r + 1) * kSpan / (shape.releases + 1));
}
std::uint64_t third_party(const Shape& shape, std::uint64_t k) {
  return 1 + shape.in_house + k;
}
std::uint64_t third_party_count(const Shape& shape) {
  return shape.artifacts - 1 - shape.in_house;
}

// Hosts, orgs and who can reach whom (events): every host belongs to an org; hubs reach every
// CI runner and thousands of hosts for long periods; ordinary hosts reach a few others briefly.
Status generate_estate(const Shape& shape, Rng& rng, ChunkWriter& out) {
  if (auto done = out.start(DocumentFormat::kEvents); !done) return done;
  for (std::uint64_t h = 0; h < shape.hosts; ++h) {
    const std::uint64_t o = h < shape.orgs ? h : rng.skewed(shape.orgs);
    if (auto done = out.add(fact(EdgeKind::kOwnedBy, host(h), org(o), std::nullopt)); !done) {
      return done;
    }
  }
  for (std::uint64_t hub = 0; hub < shape.hubs; ++hub) {
    for (std::uint64_t r = 0; r < shape.build_hosts; ++r) {
      const std::int64_t from = kStart + static_cast<std::int64_t>(rng.below(30 * kDay));
      if (auto done = out.add(fact(EdgeKind::kAccess, host(hub), host(shape.hubs + r), from));
          !done) {
        return done;
      }
    }
  }
  const std::uint64_t hub_random = shape.hub_access - shape.hubs * shape.build_hosts;
  for (std::uint64_t i = 0; i < hub_random; ++i) {
    const std::int64_t from = kStart + static_cast<std::int64_t>(rng.below(kSpan / 2));
    std::optional<std::int64_t> until;
    if (rng.chance(0.4))
      until = from + 30 * kDay + static_cast<std::int64_t>(rng.below(335 * kDay));
    if (auto done = out.add(fact(EdgeKind::kAccess, host(rng.below(shape.hubs)),
                                 host(rng.below(shape.hosts)), from, until));
        !done) {
      return done;
    }
  }
  for (std::uint64_t i = 0; i < shape.regular_access; ++i) {
    const std::int64_t from = kStart + static_cast<std::int64_t>(rng.below(kSpan));
    std::optional<std::int64_t> until;
    if (rng.chance(0.8)) until = from + kDay + static_cast<std::int64_t>(rng.below(179 * kDay));
    EdgeFact access = fact(EdgeKind::kAccess, host(rng.below(shape.hosts)),
                           host(rng.below(shape.hosts)), from, until);
    if (rng.chance(0.01)) access.note = "ssh key";
    if (auto done = out.add(std::move(access)); !done) return done;
  }
  return ok_status();
}

// Builds (SLSA provenance): each ran on a CI runner (popular runners busier), read 20 artifacts
// (popular third-party libraries, and products of recent builds) and produced 5.
Status generate_builds(const Shape& shape, Rng& rng, ChunkWriter& out) {
  if (auto done = out.start(DocumentFormat::kInToto); !done) return done;
  // A few builds (one in 10,000) pulled the compromised library: the seed.
  const std::uint64_t seed_every = std::min<std::uint64_t>(shape.builds, 10000);
  for (std::uint64_t b = 0; b < shape.builds; ++b) {
    const std::int64_t started = build_started(shape, b);
    const std::int64_t finished = build_finished(shape, b);
    const std::uint64_t runner = shape.hubs + rng.skewed(shape.build_hosts);
    if (auto done = out.add(fact(EdgeKind::kBuiltOn, build(b), host(runner), started, finished));
        !done) {
      return done;
    }
    for (std::uint64_t c = 0; c < shape.consumed_per_build; ++c) {
      std::uint64_t material = 0;
      if (c != 0 || b % seed_every != 7 % seed_every) {
        if (b > 0 && rng.chance(0.3)) {
          const std::uint64_t earlier = b - 1 - rng.below(std::min<std::uint64_t>(b, 2000));
          material = 1 + earlier * 5 + rng.below(5);
        } else {
          material = third_party(shape, rng.skewed(third_party_count(shape)));
        }
      }
      if (auto done = out.add(fact(EdgeKind::kConsumed, build(b), artifact(material), started));
          !done) {
        return done;
      }
    }
    for (std::uint64_t p = 0; p < 5; ++p) {
      const std::uint64_t product = 1 + b * 5 + p;
      out.name(artifact(product), "dist/app-" + std::to_string(b) + "/bin" + std::to_string(p));
      if (auto done = out.add(fact(EdgeKind::kProduced, build(b), artifact(product), finished));
          !done) {
        return done;
      }
    }
  }
  return ok_status();
}

// Releases (SBOMs): mostly products of builds that finished before the release, some
// third-party components; each release then deployed on hosts over the following quarter.
Status generate_releases(const Shape& shape, Rng& rng, ChunkWriter& out) {
  if (auto done = out.start(DocumentFormat::kCycloneDx); !done) return done;
  for (std::uint64_t r = 0; r < shape.releases; ++r) {
    const std::int64_t at = release_time(shape, r);
    const std::uint64_t builds_before =
        std::max<std::uint64_t>(1, shape.builds * (r + 1) / (shape.releases + 1));
    for (std::uint64_t c = 0; c < shape.contains_per_release; ++c) {
      const std::uint64_t component =
          rng.chance(0.7)
              ? 1 +
                    (builds_before - 1 - rng.below(std::min<std::uint64_t>(builds_before, 5000))) *
                        5 +
                    rng.below(5)
              : third_party(shape, rng.skewed(third_party_count(shape)));
      std::optional<std::int64_t> time;
      if (!rng.chance(0.1)) time = at;  // some SBOMs carry no timestamp
      if (auto done = out.add(fact(EdgeKind::kContains, release(r), artifact(component), time));
          !done) {
        return done;
      }
    }
  }
  if (auto done = out.start(DocumentFormat::kEvents); !done) return done;
  for (std::uint64_t r = 0; r < shape.releases; ++r) {
    const std::int64_t at = release_time(shape, r);
    for (std::uint64_t d = 0; d < shape.deploys_per_release; ++d) {
      const std::int64_t when = at + static_cast<std::int64_t>(rng.below(90 * kDay));
      if (auto done =
              out.add(fact(EdgeKind::kDeployedOn, release(r), host(rng.below(shape.hosts)), when));
          !done) {
        return done;
      }
    }
  }
  return ok_status();
}

// Scan reports: the seed ran early on hub 0; every artifact was seen somewhere once; the rest
// follows popularity (in-house products after they were built, third-party any time).
Status generate_scans(const Shape& shape, Rng& rng, ChunkWriter& out) {
  if (auto done = out.start(DocumentFormat::kScanReport); !done) return done;
  std::uint64_t emitted = 0;
  auto ran_on = [&](std::uint64_t a, std::uint64_t h, std::int64_t t) {
    ++emitted;
    return out.add(fact(EdgeKind::kRanOn, artifact(a), host(h), t));
  };
  auto after_build = [&](std::uint64_t a) {
    const std::int64_t t =
        build_finished(shape, (a - 1) / 5) + static_cast<std::int64_t>(rng.below(180 * kDay));
    return std::min(t, kStart + kSpan);
  };
  if (auto done = ran_on(0, 0, kStart + kDay); !done) return done;
  for (std::uint64_t i = 0; i < 10; ++i) {
    const auto t = kStart + 2 * kDay + static_cast<std::int64_t>(rng.below(kSpan / 2));
    if (auto done = ran_on(0, shape.hubs + rng.below(shape.hosts - shape.hubs), t); !done) {
      return done;
    }
  }
  for (std::uint64_t k = 0; k < third_party_count(shape); ++k) {
    const auto t = kStart + static_cast<std::int64_t>(rng.below(kSpan));
    if (auto done = ran_on(third_party(shape, k), rng.below(shape.hosts), t); !done) return done;
  }
  for (std::uint64_t a = 1; a <= shape.in_house; ++a) {
    if (auto done = ran_on(a, rng.below(shape.hosts), after_build(a)); !done) return done;
  }
  while (emitted < shape.ran_on) {
    std::uint64_t a = 0;
    std::int64_t t = 0;
    if (rng.chance(0.5)) {
      a = 1 + rng.skewed(shape.in_house);
      t = after_build(a);
    } else {
      a = third_party(shape, rng.skewed(third_party_count(shape)));
      t = kStart + static_cast<std::int64_t>(rng.below(kSpan));
    }
    if (auto done = ran_on(a, rng.below(shape.hosts), t); !done) return done;
  }
  return ok_status();
}

enum class Durability { kBulk, kDurable, kDiscard };

std::optional<Durability> durability_named(std::string_view name) {
  if (name == "bulk") return Durability::kBulk;
  if (name == "durable") return Durability::kDurable;
  if (name == "discard") return Durability::kDiscard;
  return std::nullopt;
}

// `bulk` is begin_bulk/end_bulk (journal in memory, no syncs: a first load into a fresh file);
// `durable` is what `cascade graph ingest` does: WAL, each document committed as it is stored;
// `discard` stores nothing (DiscardingStore) and leaves the file at `db` alone.
int generate(const std::string& db, double scale, Durability durability) {
  if (!(scale > 0) || scale > 100) return fail("--scale must be in (0, 100]");
  const Shape shape(scale);
  const bool bulk = durability == Durability::kBulk;
  Result<std::unique_ptr<GraphStore>> store = std::unique_ptr<GraphStore>();
  if (durability == Durability::kDiscard) {
    store = std::unique_ptr<GraphStore>(std::make_unique<DiscardingStore>());
  } else {
    std::remove(db.c_str());
    store = open_store(db);
  }
  if (!store) return fail(store.error().message);
  const auto started = Clock::now();
  if (bulk) {
    if (auto done = (*store)->begin_bulk(); !done) return fail(done.error().message);
  }
  // The generator runs beside the ingest, one document ahead, as a reader of files would.
  BoundedQueue<PendingDocument> queue(1);
  ChunkWriter out(queue);
  Status generated = ok_status();
  double generator_cpu_s = 0;
  std::thread generating([&] {
    Rng rng(0x9a4be2c1ULL);
    for (auto* phase : {generate_estate, generate_builds, generate_releases, generate_scans}) {
      generated = phase(shape, rng, out);
      if (!generated) break;
    }
    if (generated) generated = out.flush();
    generator_cpu_s = thread_cpu_seconds() - out.first_chunk_cpu_seconds();
    queue.finish();
  });
  std::optional<Clock::time_point> first_ready;
  double cpu_at_first_ready = 0;
  double waits_for_generator_s = 0;
  std::uint64_t stored = 0;
  std::uint64_t chunk = 0;
  std::optional<Error> ingest_error;
  ingest_documents(
      **store,
      [&]() -> std::optional<Result<PendingDocument>> {
        const auto asked = Clock::now();
        auto next = queue.pop();
        if (first_ready) {
          waits_for_generator_s += seconds_since(asked);
        } else {
          first_ready = Clock::now();
          cpu_at_first_ready = cpu_seconds();
        }
        if (!next) return std::nullopt;
        return std::move(*next);
      },
      [&](Result<IngestOutcome> outcome) {
        if (!outcome) {
          if (!ingest_error) ingest_error = outcome.error();
          queue.cancel();
          return;
        }
        stored += outcome->edges;
        std::fprintf(stderr, "  chunk %llu (%s): %llu edges, %llu nodes, %.1f s since the first\n",
                     static_cast<unsigned long long>(chunk++),
                     std::string(graph::document_format_name(outcome->format)).c_str(),
                     static_cast<unsigned long long>(outcome->edges),
                     static_cast<unsigned long long>(outcome->nodes), seconds_since(*first_ready));
      });
  const double ingest_only_s = seconds_since(*first_ready);
  const double ingest_only_cpu_s = cpu_seconds() - cpu_at_first_ready;
  generating.join();
  if (ingest_error) return fail(ingest_error->message);
  if (!generated) return fail(generated.error().message);
  const auto end_started = Clock::now();
  const double end_cpu_started = cpu_seconds();
  if (bulk) {
    if (auto done = (*store)->end_bulk(); !done) return fail(done.error().message);
  }
  const double end_bulk_s = seconds_since(end_started);
  const double total_s = seconds_since(started);
  const double ingest_s = ingest_only_s + end_bulk_s;
  // The generator's CPU after it made the first document ran alongside: not ingest work.
  const double ingest_cpu_s = ingest_only_cpu_s - generator_cpu_s + cpu_seconds() - end_cpu_started;
  auto counts = (*store)->counts();
  if (!counts) return fail(counts.error().message);
  std::printf("seed %s\n", format_node(artifact(0)).c_str());
  metric("seed_id", static_cast<std::uint64_t>(node_id(artifact(0))));
  metric("scale", scale);
  static constexpr std::array<const char*, 3> kDurabilityNames = {"bulk", "durable", "discard"};
  std::printf("durability %s\n", kDurabilityNames[static_cast<std::size_t>(durability)]);
  metric("edges_generated", out.generated());
  if (durability == Durability::kDiscard) {
    // Node rows made per document, before the store would skip those it already has.
    metric("edge_rows_made", static_cast<std::uint64_t>(counts->edges));
    metric("node_rows_made", static_cast<std::uint64_t>(counts->nodes));
  } else {
    metric("edges_stored", static_cast<std::uint64_t>(counts->edges));
    metric("nodes_stored", static_cast<std::uint64_t>(counts->nodes));
  }
  metric("documents", out.chunks());
  metric("ingest_s", ingest_s);
  metric("ingest_edges_per_s", static_cast<double>(stored) / ingest_s);
  metric("ingest_waits_for_generator_s", waits_for_generator_s);
  metric("ingest_cpu_s", ingest_cpu_s);
  metric("ingest_edges_per_cpu_s", static_cast<double>(stored) / ingest_cpu_s);
  metric("generate_and_ingest_s", total_s);
  metric("generate_and_ingest_edges_per_s", static_cast<double>(stored) / total_s);
  metric("generate_peak_rss_mb", static_cast<std::uint64_t>(peak_rss_mb()));
  return 0;
}

struct TraceArgs {
  std::string db, seed;
  std::int64_t since = kNoTime;
  std::optional<std::int64_t> since_given;
  int runs = 5;
  bool materialise = true;
};

struct Loaded {
  std::unique_ptr<GraphStore> store;
  std::optional<StoreSnapshot> snapshot;  // the load and the answer see one state, as in trace
  CsrGraph graph;
  std::uint32_t seed = 0;
  double load_s = 0;
  double load_cpu_s = 0;
};

Result<Loaded> load(const TraceArgs& args) {
  auto seed = parse_node(args.seed);
  if (!seed) return seed.error();
  auto store = open_store(args.db);
  if (!store) return store.error();
  const auto started = Clock::now();
  const double cpu_started = cpu_seconds();
  auto snapshot = StoreSnapshot::take(**store);
  if (!snapshot) return snapshot.error();
  auto graph = load_graph(**store, Direction::kPropagation);
  if (!graph) return graph.error();
  Loaded loaded{std::move(*store),      std::move(*snapshot),       std::move(*graph), 0,
                seconds_since(started), cpu_seconds() - cpu_started};
  const auto index = loaded.graph.index_of(node_id(*seed));
  if (!index) return make_error(ErrorCode::kUsage, args.seed + " is not in " + args.db);
  loaded.seed = *index;
  return loaded;
}

int trace(const TraceArgs& args) {
  auto loaded = load(args);
  if (!loaded) return fail(loaded.error().message);
  const CsrGraph& graph = loaded->graph;
  metric("nodes", static_cast<std::uint64_t>(graph.node_count()));
  metric("edges", graph.stored_edges);
  metric("load_s", loaded->load_s);
  metric("load_cpu_s", loaded->load_cpu_s);
  metric("rss_after_load_mb", static_cast<std::uint64_t>(peak_rss_mb()));

  std::vector<double> times, cpu_times;
  SearchState state;
  for (int run = 0; run < args.runs; ++run) {
    const auto started = Clock::now();
    const double cpu_started = cpu_seconds();
    state = search_forward(graph, loaded->seed, args.since);
    times.push_back(seconds_since(started));
    cpu_times.push_back(cpu_seconds() - cpu_started);
  }
  std::sort(times.begin(), times.end());
  std::sort(cpu_times.begin(), cpu_times.end());
  metric("search_s", times[times.size() / 2]);
  metric("search_min_s", times.front());
  metric("search_cpu_s", cpu_times[cpu_times.size() / 2]);
  metric("reached", static_cast<std::uint64_t>(state.reached.size() - 1));  // seed excluded
  std::array<std::uint64_t, kNodeKindCount> by_kind{};
  std::uint64_t hops_total = 0, settled_edges = 0;
  for (const std::uint32_t node : state.reached) {
    ++by_kind[static_cast<std::size_t>(graph.kinds[node])];
    hops_total += state.hops(node);
    settled_edges += graph.offsets[node + 1] - graph.offsets[node];
  }
  for (int kind = 0; kind < kNodeKindCount; ++kind) {
    const std::string name = "reached_" + std::string(node_kind_name(static_cast<NodeKind>(kind)));
    metric(name.c_str(), by_kind[static_cast<std::size_t>(kind)] - (kind == 0 ? 1 : 0));
  }
  metric("edges_scanned", settled_edges);
  metric("path_hops_total", hops_total);
  metric("rss_after_search_mb", static_cast<std::uint64_t>(peak_rss_mb()));

  if (args.materialise) {
    TraceOptions options;
    options.since = args.since_given;
    auto seed = parse_node(args.seed);
    const auto started = Clock::now();
    const double cpu_started = cpu_seconds();
    auto result = trace_forward(graph, *loaded->store, *seed, options);
    const double materialised_s = seconds_since(started);
    const double materialised_cpu_s = cpu_seconds() - cpu_started;
    if (!result) return fail(result.error().message);
    metric("trace_materialised_s", materialised_s);
    metric("trace_materialised_cpu_s", materialised_cpu_s);
    metric("affected", static_cast<std::uint64_t>(result->affected.size()));
    metric("rss_after_materialise_mb", static_cast<std::uint64_t>(peak_rss_mb()));
    if (result->affected.size() + 1 != state.reached.size()) {
      return fail("trace_forward listed " + std::to_string(result->affected.size()) +
                  " nodes, search_forward reached " + std::to_string(state.reached.size() - 1));
    }
  }
  metric("peak_rss_mb", static_cast<std::uint64_t>(peak_rss_mb()));

  // Where load time goes: the store's row scans alone, without building anything.
  const auto scan_started = Clock::now();
  const double scan_cpu_started = cpu_seconds();
  std::uint64_t rows = 0;
  auto scanned = loaded->store->scan_nodes([&](std::int64_t, NodeKind) { ++rows; });
  if (scanned) scanned = loaded->store->scan_edges([&](const EdgeRow&) { ++rows; });
  if (!scanned) return fail(scanned.error().message);
  metric("store_scan_s", seconds_since(scan_started));
  metric("store_scan_cpu_s", cpu_seconds() - scan_cpu_started);
  return 0;
}

int dump(const TraceArgs& args) {
  auto loaded = load(args);
  if (!loaded) return fail(loaded.error().message);
  const SearchState state = search_forward(loaded->graph, loaded->seed, args.since);
  for (const std::uint32_t node : state.reached) {
    const std::int64_t time = state.time(node);
    if (time == kNoTime) {
      std::printf("%lld,\n", static_cast<long long>(loaded->graph.ids[node]));
    } else {
      std::printf("%lld,%lld\n", static_cast<long long>(loaded->graph.ids[node]),
                  static_cast<long long>(time));
    }
  }
  return 0;
}

int usage() {
  std::fprintf(
      stderr,
      "usage: graph_bench generate --db PATH [--scale S] [--durability bulk|durable|discard]\n"
      "       graph_bench trace --db PATH --seed NODE [--since T] [--runs N] "
      "[--materialise yes|no]\n"
      "       graph_bench dump --db PATH --seed NODE [--since T]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  TraceArgs args;
  double scale = 1;
  Durability durability = Durability::kBulk;
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return usage();
    const std::string option = argv[i];
    const char* value = argv[i + 1];
    if (option == "--db") {
      args.db = value;
    } else if (option == "--scale") {
      scale = std::strtod(value, nullptr);
    } else if (option == "--durability") {
      const auto named = durability_named(value);
      if (!named) return usage();
      durability = *named;
    } else if (option == "--seed") {
      args.seed = value;
    } else if (option == "--since") {
      args.since = std::strtoll(value, nullptr, 10);
      args.since_given = args.since;
    } else if (option == "--runs") {
      args.runs = std::max(1, std::atoi(value));
    } else if (option == "--materialise") {
      args.materialise = std::strcmp(value, "no") != 0;
    } else {
      return usage();
    }
  }
  if (args.db.empty()) return usage();
  if (mode == "generate") return generate(args.db, scale, durability);
  if (args.seed.empty()) return usage();
  if (mode == "trace") return trace(args);
  if (mode == "dump") return dump(args);
  return usage();
}
