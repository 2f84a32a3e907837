#pragma once

#include "core/byte_reader.h"

namespace cascade {

// Shannon entropy in bits per byte (0.0 for empty input, 8.0 for uniform random bytes).
double shannon_entropy(Bytes data);

}  // namespace cascade
