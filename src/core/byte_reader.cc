#include "core/byte_reader.h"

#include <cstring>

namespace cascade {

bool ByteReader::skip(std::uint64_t n) {
  if (n > data_.size()) return false;
  data_ = data_.subspan(static_cast<std::size_t>(n));
  return true;
}

std::optional<Bytes> ByteReader::take(std::uint64_t n) {
  if (n > data_.size()) return std::nullopt;
  Bytes out = data_.first(static_cast<std::size_t>(n));
  data_ = data_.subspan(static_cast<std::size_t>(n));
  return out;
}

std::optional<ByteReader> ByteReader::take_reader(std::uint64_t n) {
  auto bytes = take(n);
  if (!bytes) return std::nullopt;
  return ByteReader(*bytes);
}

template <typename T, bool kLittle>
std::optional<T> ByteReader::integer() {
  if (data_.size() < sizeof(T)) return std::nullopt;
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    const std::size_t index = kLittle ? sizeof(T) - 1 - i : i;
    value = static_cast<T>((value << 8) | data_[index]);
  }
  data_ = data_.subspan(sizeof(T));
  return value;
}

std::optional<std::uint8_t> ByteReader::u8() {
  return integer<std::uint8_t, true>();
}
std::optional<std::uint16_t> ByteReader::u16le() {
  return integer<std::uint16_t, true>();
}
std::optional<std::uint32_t> ByteReader::u32le() {
  return integer<std::uint32_t, true>();
}
std::optional<std::uint64_t> ByteReader::u64le() {
  return integer<std::uint64_t, true>();
}
std::optional<std::uint16_t> ByteReader::u16be() {
  return integer<std::uint16_t, false>();
}
std::optional<std::uint32_t> ByteReader::u32be() {
  return integer<std::uint32_t, false>();
}
std::optional<std::uint64_t> ByteReader::u64be() {
  return integer<std::uint64_t, false>();
}

std::optional<std::string> ByteReader::cstring(std::size_t max_len) {
  // memchr on an empty span's (possibly null) pointer is undefined even with a zero length.
  if (data_.empty()) return std::nullopt;
  const std::size_t limit = max_len < data_.size() ? max_len + 1 : data_.size();
  const void* nul = std::memchr(data_.data(), 0, limit);
  if (nul == nullptr) return std::nullopt;
  const auto len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - data_.data());
  std::string out(reinterpret_cast<const char*>(data_.data()), len);
  data_ = data_.subspan(len + 1);
  return out;
}

std::optional<std::uint16_t> load_u16le(Bytes data, std::uint64_t offset) {
  auto bytes = tail(data, offset);
  if (!bytes) return std::nullopt;
  return ByteReader(*bytes).u16le();
}

std::optional<std::uint32_t> load_u32le(Bytes data, std::uint64_t offset) {
  auto bytes = tail(data, offset);
  if (!bytes) return std::nullopt;
  return ByteReader(*bytes).u32le();
}

std::optional<std::uint64_t> load_u64le(Bytes data, std::uint64_t offset) {
  auto bytes = tail(data, offset);
  if (!bytes) return std::nullopt;
  return ByteReader(*bytes).u64le();
}

std::optional<std::string> load_cstring(Bytes data, std::uint64_t offset, std::size_t max_len) {
  auto bytes = tail(data, offset);
  if (!bytes) return std::nullopt;
  return ByteReader(*bytes).cstring(max_len);
}

}  // namespace cascade
