// ByteReader: the one bounds-checked cursor every parser reads through (after BoringSSL's CBS).
// A failed read leaves the reader unchanged and returns false/nullopt; offsets and lengths from
// the input are checked against the remaining bytes before use, with no arithmetic that can wrap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cascade {

using Bytes = std::span<const std::uint8_t>;

// A sub-span [offset, offset+length) of `data`, or nullopt if any part lies outside it.
inline std::optional<Bytes> slice(Bytes data, std::uint64_t offset, std::uint64_t length) {
  if (offset > data.size() || length > data.size() - offset) return std::nullopt;
  return data.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
}

// The bytes from `offset` to the end, or nullopt when offset is past the end.
inline std::optional<Bytes> tail(Bytes data, std::uint64_t offset) {
  if (offset > data.size()) return std::nullopt;
  return data.subspan(static_cast<std::size_t>(offset));
}

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(Bytes data) : data_(data) {}

  std::size_t remaining() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  Bytes rest() const { return data_; }

  bool skip(std::uint64_t n);
  std::optional<Bytes> take(std::uint64_t n);
  std::optional<ByteReader> take_reader(std::uint64_t n);

  std::optional<std::uint8_t> u8();
  std::optional<std::uint16_t> u16le();
  std::optional<std::uint32_t> u32le();
  std::optional<std::uint64_t> u64le();
  std::optional<std::uint16_t> u16be();
  std::optional<std::uint32_t> u32be();
  std::optional<std::uint64_t> u64be();

  // Reads a NUL-terminated string of at most max_len bytes (terminator not included).
  // Fails when no terminator occurs within max_len bytes or before the end.
  std::optional<std::string> cstring(std::size_t max_len);

 private:
  template <typename T, bool kLittle>
  std::optional<T> integer();

  Bytes data_;
};

// Little-endian loads at a checked offset into a buffer; nullopt when out of bounds.
std::optional<std::uint16_t> load_u16le(Bytes data, std::uint64_t offset);
std::optional<std::uint32_t> load_u32le(Bytes data, std::uint64_t offset);
std::optional<std::uint64_t> load_u64le(Bytes data, std::uint64_t offset);

// NUL-terminated string starting at `offset`, at most max_len bytes; a string that runs to the
// end of the buffer without a terminator is rejected.
std::optional<std::string> load_cstring(Bytes data, std::uint64_t offset, std::size_t max_len);

}  // namespace cascade
