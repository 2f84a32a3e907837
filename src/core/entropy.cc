#include "core/entropy.h"

#include <array>
#include <cmath>
#include <cstdint>

namespace cascade {

double shannon_entropy(Bytes data) {
  if (data.empty()) return 0.0;
  std::array<std::uint64_t, 256> counts{};
  for (auto b : data) ++counts[b];
  const double total = static_cast<double>(data.size());
  double entropy = 0.0;
  for (auto c : counts) {
    if (c == 0) continue;
    const double p = static_cast<double>(c) / total;
    entropy -= p * std::log2(p);
  }
  return entropy;
}

}  // namespace cascade
