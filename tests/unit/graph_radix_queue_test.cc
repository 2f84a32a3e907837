// The searches' radix heap against a plain ordered multiset under the same monotone workload:
// every pop must give the smallest key present, ties included, over keys that differ in the
// high bits of the time, the low bits, and only in the hop count.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "graph/radix_queue.h"

namespace cascade::graph {
namespace {

TEST(RadixQueue, PopsInKeyOrderUnderMonotonePushes) {
  std::mt19937_64 random(7);
  RadixQueue queue;
  std::multiset<std::pair<std::uint64_t, std::uint32_t>> expected;
  std::uint64_t last_major = ascending_key(-5'000'000'000);  // a time before 1970
  std::uint32_t last_minor = 0;
  queue.push(last_major, last_minor, 0);
  expected.emplace(last_major, last_minor);
  std::size_t pops = 0;
  while (!queue.empty()) {
    const RadixEntry entry = queue.pop();
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(std::make_pair(entry.major, entry.minor), *expected.begin()) << "pop " << pops;
    expected.erase(expected.begin());
    last_major = entry.major;
    last_minor = entry.minor;
    if (++pops > 200'000) continue;  // then drain
    // As a search does: a few pushes no smaller than what was just popped, some at the same
    // time with one more hop, some later by a small or a huge step.
    const int pushes = static_cast<int>(random() % 4);
    for (int i = 0; i < pushes; ++i) {
      std::uint64_t major = last_major;
      std::uint32_t minor = last_minor + 1;
      switch (random() % 4) {
        case 0:
          break;
        case 1:
          major += random() % 16;
          minor = static_cast<std::uint32_t>(random() % 8);
          break;
        case 2:
          major += random() % (std::uint64_t{1} << 40);
          minor = static_cast<std::uint32_t>(random());
          break;
        default:
          minor += static_cast<std::uint32_t>(random() % 3);
      }
      if (major < last_major) major = UINT64_MAX;  // an overflowing step: the open end
      if (major == last_major && minor <= last_minor) minor = last_minor + 1;
      const auto node = static_cast<std::uint32_t>(pops * 4 + static_cast<std::size_t>(i));
      queue.push(major, minor, node);
      expected.emplace(major, minor);
      // What peek shows is what the next pop returns: an entry with the smallest key.
      if (const RadixEntry* next = queue.peek()) {
        EXPECT_EQ(std::make_pair(next->major, next->minor), *expected.begin());
      }
    }
  }
  EXPECT_TRUE(expected.empty());
  EXPECT_GT(pops, 200'000U);
}

TEST(RadixQueue, TimeKeysKeepTheOrderOfTimesBothWays) {
  const std::int64_t times[] = {INT64_MIN, -62'167'219'200, -1, 0, 1, 1'680'000'000, INT64_MAX};
  for (std::size_t i = 0; i + 1 < std::size(times); ++i) {
    EXPECT_LT(ascending_key(times[i]), ascending_key(times[i + 1]));
    EXPECT_GT(descending_key(times[i]), descending_key(times[i + 1]));
  }
  for (const std::int64_t time : times) {
    EXPECT_EQ(ascending_time(ascending_key(time)), time);
    EXPECT_EQ(descending_time(descending_key(time)), time);
  }
}

}  // namespace
}  // namespace cascade::graph
