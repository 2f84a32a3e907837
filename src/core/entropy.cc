#include "core/entropy.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace cascade {

void count_bytes(Bytes data, ByteCounts& counts) {
  // Four histograms break the store-to-load dependency between neighbouring equal bytes (eight
  // measured no faster: bench/core_bench), and bytes come from one 8-byte load (a byte pointer
  // may alias the counters, so indexing p[i] after each increment would force a reload). 32-bit
  // partials are emptied into the 64-bit totals every 4 GiB, so any size is safe. This loop sees
  // nearly every byte inspected.
  constexpr std::size_t kChunk = std::size_t{1} << 32;
  for (std::size_t start = 0; start < data.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, data.size() - start);
    const std::uint8_t* p = data.data() + start;
    std::array<std::array<std::uint32_t, 256>, 4> partial{};
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      ++partial[0][w & 0xff];
      ++partial[1][(w >> 8) & 0xff];
      ++partial[2][(w >> 16) & 0xff];
      ++partial[3][(w >> 24) & 0xff];
      ++partial[0][(w >> 32) & 0xff];
      ++partial[1][(w >> 40) & 0xff];
      ++partial[2][(w >> 48) & 0xff];
      ++partial[3][w >> 56];
    }
    for (; i < n; ++i) ++partial[0][p[i]];
    for (std::size_t b = 0; b < 256; ++b) {
      std::uint64_t sum = 0;
      for (const auto& table : partial) sum += table[b];
      counts[b] += sum;
    }
  }
}

double entropy_of(const ByteCounts& counts) {
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  if (total == 0) return 0.0;
  double entropy = 0.0;
  for (const std::uint64_t c : counts) {
    if (c == 0) continue;
    const double prob = static_cast<double>(c) / static_cast<double>(total);
    entropy -= prob * std::log2(prob);
  }
  return entropy;
}

double shannon_entropy(Bytes data) {
  ByteCounts counts{};
  count_bytes(data, counts);
  return entropy_of(counts);
}

}  // namespace cascade
