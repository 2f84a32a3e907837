#pragma once

#include <array>
#include <cstdint>

#include "core/byte_reader.h"

namespace cascade {

using ByteCounts = std::array<std::uint64_t, 256>;

// Adds the byte frequencies of `data` to `counts`.
void count_bytes(Bytes data, ByteCounts& counts);

// Shannon entropy in bits per byte of a frequency table (0.0 when empty, 8.0 for uniform).
double entropy_of(const ByteCounts& counts);

// Shannon entropy in bits per byte (0.0 for empty input, 8.0 for uniform random bytes).
double shannon_entropy(Bytes data);

}  // namespace cascade
