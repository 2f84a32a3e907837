#include "core/byte_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <limits>

namespace cascade {
namespace {

TEST(ByteReader, ReadsLittleAndBigEndian) {
  const std::array<std::uint8_t, 8> data{1, 2, 3, 4, 5, 6, 7, 8};
  ByteReader r{Bytes(data)};
  EXPECT_EQ(*r.u16le(), 0x0201);
  EXPECT_EQ(*r.u16be(), 0x0304);
  EXPECT_EQ(*r.u32le(), 0x08070605u);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8().has_value());
}

TEST(ByteReader, FailedReadLeavesReaderUnchanged) {
  const std::array<std::uint8_t, 3> data{1, 2, 3};
  ByteReader r{Bytes(data)};
  EXPECT_FALSE(r.u32le().has_value());
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_FALSE(r.skip(4));
  EXPECT_FALSE(r.take(std::numeric_limits<std::uint64_t>::max()).has_value());
  EXPECT_EQ(r.remaining(), 3u);
}

TEST(ByteReader, SliceRejectsOverflowingRanges) {
  const std::array<std::uint8_t, 16> data{};
  EXPECT_TRUE(slice(Bytes(data), 0, 16).has_value());
  EXPECT_FALSE(slice(Bytes(data), 1, 16).has_value());
  EXPECT_FALSE(slice(Bytes(data), 8, std::numeric_limits<std::uint64_t>::max()).has_value());
  EXPECT_FALSE(slice(Bytes(data), std::numeric_limits<std::uint64_t>::max(), 1).has_value());
  EXPECT_FALSE(load_u32le(Bytes(data), 13).has_value());
  EXPECT_TRUE(load_u32le(Bytes(data), 12).has_value());
}

TEST(ByteReader, CStringNeedsTerminatorWithinLimit) {
  const std::array<std::uint8_t, 6> data{'a', 'b', 'c', 0, 'd', 'e'};
  EXPECT_EQ(*load_cstring(Bytes(data), 0, 3), "abc");
  EXPECT_FALSE(load_cstring(Bytes(data), 0, 2).has_value());
  EXPECT_FALSE(load_cstring(Bytes(data), 4, 100).has_value());  // runs off the end
  EXPECT_EQ(*load_cstring(Bytes(data), 3, 100), "");
  EXPECT_EQ(*load_cstring(Bytes(data), 0, std::numeric_limits<std::size_t>::max()), "abc");
}

}  // namespace
}  // namespace cascade
