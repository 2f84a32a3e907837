// Throughput of the primitives every inspected byte goes through (bytes/s, one core).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "core/digest.h"
#include "core/entropy.h"

namespace {

std::vector<std::uint8_t> make_data(bool random) {
  std::vector<std::uint8_t> data(8u << 20, 0);  // 8 MiB
  if (random) {
    std::mt19937_64 rng(1);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
  }
  return data;
}

void BM_CountBytes(benchmark::State& state) {
  const auto data = make_data(state.range(0) != 0);
  for (auto _ : state) {
    cascade::ByteCounts counts{};
    cascade::count_bytes(cascade::Bytes(data.data(), data.size()), counts);
    benchmark::DoNotOptimize(counts);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_CountBytes)->Arg(0)->Arg(1)->ArgName("random");

void BM_Sha256(benchmark::State& state) {
  const auto data = make_data(true);
  for (auto _ : state) {
    benchmark::DoNotOptimize(cascade::digest(cascade::DigestAlgorithm::kSha256,
                                             cascade::Bytes(data.data(), data.size())));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Sha256);

// inspect's fused pass: SHA-256, one histogram over everything, and the checksum sum.
void BM_FilePass(benchmark::State& state) {
  const auto data = make_data(true);
  for (auto _ : state) {
    std::vector<cascade::RangeHistogram> histograms{{0, data.size(), {}}};
    auto result =
        cascade::run_file_pass(cascade::Bytes(data.data(), data.size()),
                               {{cascade::DigestAlgorithm::kSha256, {}}}, histograms, true);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_FilePass);

}  // namespace
