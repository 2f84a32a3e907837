#include "core/entropy.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace cascade {

double shannon_entropy(Bytes data) {
  if (data.empty()) return 0.0;
  // Four histograms break the store-to-load dependency between neighbouring equal bytes; this
  // loop runs over most of every file inspected, so it is worth the few lines.
  // 32-bit partial counters are emptied into 64-bit totals every 4 GiB, so any size is safe.
  std::array<std::uint64_t, 256> counts{};
  constexpr std::size_t kChunk = std::size_t{1} << 32;
  for (std::size_t start = 0; start < data.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, data.size() - start);
    const std::uint8_t* p = data.data() + start;
    std::array<std::array<std::uint32_t, 256>, 4> partial{};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      ++partial[0][p[i]];
      ++partial[1][p[i + 1]];
      ++partial[2][p[i + 2]];
      ++partial[3][p[i + 3]];
    }
    for (; i < n; ++i) ++partial[0][p[i]];
    for (std::size_t b = 0; b < 256; ++b) {
      counts[b] += std::uint64_t{partial[0][b]} + partial[1][b] + partial[2][b] + partial[3][b];
    }
  }
  const double total = static_cast<double>(data.size());
  double entropy = 0.0;
  for (const std::uint64_t c : counts) {
    if (c == 0) continue;
    const double prob = static_cast<double>(c) / total;
    entropy -= prob * std::log2(prob);
  }
  return entropy;
}

}  // namespace cascade
