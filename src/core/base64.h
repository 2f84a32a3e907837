// Base64 as DSSE envelopes carry it. Encoding is OpenSSL's; decoding is our own because DSSE
// verifiers must accept URL-safe and unpadded text, which OpenSSL's decoder rejects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"

namespace cascade {

// Standard alphabet, padded.
std::string base64_encode(Bytes data);

// Standard or URL-safe alphabet (not mixed), padding optional; nullopt on any other byte, a
// misplaced '=' or non-zero trailing bits.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

// Lower-case hex digits, even length; nullopt otherwise. Upper case is accepted.
std::optional<std::vector<std::uint8_t>> hex_decode(std::string_view text);

}  // namespace cascade
