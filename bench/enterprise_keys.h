// The keys of graph_bench's synthetic enterprise, shared with the benches that add documents to
// it (serve_bench), so their facts land on the enterprise's own hosts and artifacts.
#pragma once

#include <cstdint>
#include <string>

namespace cascade::bench {

// splitmix64: one deterministic stream for the whole enterprise, and a stateless hash for keys.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The SHA-256 (hex) standing for artifact i; artifact 0 is the compromised library, the seed.
inline std::string artifact_digest(std::uint64_t i) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string digest(64, '0');
  for (std::uint64_t word = 0; word < 4; ++word) {
    std::uint64_t bits = mix(i * 4 + word + 0x5eed0000ULL);
    for (int d = 0; d < 16; ++d, bits >>= 4) digest[word * 16 + d] = kDigits[bits & 15];
  }
  return digest;
}

inline std::string host_name(std::uint64_t i) {
  return "h" + std::to_string(i) + ".corp";
}

}  // namespace cascade::bench
