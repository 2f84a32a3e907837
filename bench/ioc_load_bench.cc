// Times IndicatorSet::load on a large plain SHA-256 list, and lookups in it.
//   ioc_load_bench generate N FILE     N random SHA-256 lines (fixed seed) into FILE
//   ioc_load_bench load FILE [LOOKUPS]  load FILE, then LOOKUPS lookups (half hits, half misses)
// Driven by bench/ioc_load.sh.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/digest.h"
#include "core/mapped_file.h"
#include "scan/ioc/indicators.h"

namespace {

constexpr std::uint64_t kSeed = 0x3c3c2023;

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void random_hex(std::mt19937_64& rng, char* out) {
  static const char* kDigits = "0123456789abcdef";
  for (int w = 0; w < 4; ++w) {
    std::uint64_t v = rng();
    for (int i = 0; i < 16; ++i, v >>= 4) out[w * 16 + i] = kDigits[v & 15];
  }
}

int generate(std::uint64_t n, const char* path) {
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) return std::perror(path), 1;
  std::mt19937_64 rng(kSeed);
  std::vector<char> buffer(65 * 16384);
  std::size_t used = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    random_hex(rng, buffer.data() + used);
    buffer[used + 64] = '\n';
    used += 65;
    if (used == buffer.size()) {
      std::fwrite(buffer.data(), 1, used, f);
      used = 0;
    }
  }
  std::fwrite(buffer.data(), 1, used, f);
  return std::fclose(f) == 0 ? 0 : 1;
}

int load(const char* path, std::uint64_t lookups) {
  // The file's pages are read once first, so the timing is of cascade, not of the disk.
  auto warm = cascade::MappedFile::open(path);
  if (!warm) return std::fprintf(stderr, "%s: %s\n", path, warm.error().message.c_str()), 1;
  const auto size_mb = static_cast<double>(warm->size()) / 1e6;
  auto start = Clock::now();
  (void)cascade::digest(cascade::DigestAlgorithm::kSha256, warm->bytes());
  const double digest_s = seconds_since(start);

  cascade::scan::IndicatorSet set;
  start = Clock::now();
  auto info = set.load(path);
  const double load_s = seconds_since(start);
  if (!info) return std::fprintf(stderr, "%s\n", info.error().message.c_str()), 1;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "load: %llu indicators, %.0f MB, %.2f s (the feed's SHA-256 alone: %.2f s, taken in "
      "parallel), peak RSS %ld MB\n",
      static_cast<unsigned long long>(info->indicators), size_mb, load_s, digest_s,
      usage.ru_maxrss / 1024);

  // Hits are the first keys of the generated file; misses come from another seed.
  std::mt19937_64 hits(kSeed);
  std::mt19937_64 misses(kSeed + 1);
  std::vector<cascade::FileHashes> queries(lookups);
  char hex[64];
  for (std::uint64_t i = 0; i < lookups; ++i) {
    random_hex(i % 2 == 0 ? hits : misses, hex);
    queries[i].sha256.assign(hex, 64);
  }
  std::uint64_t found = 0;
  start = Clock::now();
  for (const auto& q : queries) found += set.match_file(q).size();
  const double lookup_s = seconds_since(start);
  std::printf("lookup: %llu lookups, %llu found, %.3f us each\n",
              static_cast<unsigned long long>(lookups), static_cast<unsigned long long>(found),
              lookups == 0 ? 0.0 : lookup_s * 1e6 / static_cast<double>(lookups));
  return found == (lookups + 1) / 2 || info->indicators < lookups ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && argc == 4)
    return generate(std::strtoull(argv[2], nullptr, 10), argv[3]);
  if (mode == "load" && (argc == 3 || argc == 4)) {
    return load(argv[2], argc == 4 ? std::strtoull(argv[3], nullptr, 10) : 1000000);
  }
  std::fprintf(stderr, "usage: %s generate N FILE | load FILE [LOOKUPS]\n", argv[0]);
  return 2;
}
