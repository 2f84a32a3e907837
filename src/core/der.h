// Minimal DER TLV reading on top of ByteReader, for the few ASN.1 structures OpenSSL does not
// model (Authenticode's SpcIndirectDataContent). Definite lengths only, as DER requires.
#pragma once

#include <optional>

#include "core/byte_reader.h"

namespace cascade::der {

inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kObjectId = 0x06;

struct Element {
  std::uint8_t tag = 0;
  Bytes contents;  // value bytes
  Bytes encoded;   // tag, length and value
};

// Reads one element from `r`; nullopt (reader unchanged) on any inconsistency.
std::optional<Element> read(ByteReader& r);
// Reads one element that must carry `tag`.
std::optional<Element> expect(ByteReader& r, std::uint8_t tag);

}  // namespace cascade::der
