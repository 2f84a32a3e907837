// The priority queue of the time-respecting searches: a radix heap (Ahuja, Mehlhorn, Orlin and
// Tarjan, 1990). It relies on what both searches guarantee, that no key pushed is smaller than
// the last key popped, and in return never sifts: an entry sits in the bucket of the highest bit
// where its key differs from the last key popped, and moves only to lower buckets, a few times
// in its life, by sequential scans. A binary heap of the million labels a large trace holds at
// once spent most of the search in cache misses down its levels.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "core/huge_pages.h"

namespace cascade::graph {

// Keys order as the pair (major, minor); the searches use (time, hops).
struct RadixEntry {
  std::uint64_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t node = 0;
};

class RadixQueue {
 public:
  bool empty() const { return size_ == 0; }

  // The key must not be smaller than the last key popped (the searches' monotonicity).
  void push(std::uint64_t major, std::uint32_t minor, std::uint32_t node) {
    buckets_[bucket_of(major, minor)].push_back(RadixEntry{major, minor, node});
    ++size_;
  }

  // An entry with the smallest key. Precondition: not empty.
  RadixEntry pop() {
    if (buckets_[0].empty()) refill();
    const RadixEntry entry = buckets_[0].back();
    buckets_[0].pop_back();
    --size_;
    return entry;
  }

  // The entry the next pop returns when that is known without work (it shares the smallest key
  // with the entry just popped), for prefetching; nullptr otherwise.
  const RadixEntry* peek() const { return buckets_[0].empty() ? nullptr : &buckets_[0].back(); }

 private:
  // Bucket 0 holds keys equal to the last popped; bucket b > 0 those whose highest differing
  // bit, counting the 96 bits of (major, minor) from the lowest, is bit b - 1.
  static constexpr std::size_t kMinorBits = 32;
  static constexpr std::size_t kBuckets = 1 + kMinorBits + 64;

  std::size_t bucket_of(std::uint64_t major, std::uint32_t minor) const {
    if (major != last_major_) {
      return 1 + kMinorBits + 63 - static_cast<std::size_t>(std::countl_zero(major ^ last_major_));
    }
    if (minor != last_minor_) {
      return 1 + 31 - static_cast<std::size_t>(std::countl_zero(minor ^ last_minor_));
    }
    return 0;
  }

  // Bucket 0 is empty: the lowest non-empty bucket holds the smallest key, which becomes the
  // last popped; every other entry of that bucket then differs from it only in lower bits.
  void refill() {
    std::size_t lowest = 1;
    while (buckets_[lowest].empty()) ++lowest;
    HugeVector<RadixEntry>& from = buckets_[lowest];
    const RadixEntry smallest =
        *std::min_element(from.begin(), from.end(), [](const RadixEntry& a, const RadixEntry& b) {
          return a.major != b.major ? a.major < b.major : a.minor < b.minor;
        });
    last_major_ = smallest.major;
    last_minor_ = smallest.minor;
    for (const RadixEntry& entry : from) {
      buckets_[bucket_of(entry.major, entry.minor)].push_back(entry);
    }
    from.clear();
  }

  std::array<HugeVector<RadixEntry>, kBuckets> buckets_;
  std::uint64_t last_major_ = 0;
  std::uint32_t last_minor_ = 0;
  std::size_t size_ = 0;
};

// Times as radix keys: the order-preserving map of a signed time onto unsigned integers, and
// its mirror image for the root-cause search, which settles the latest times first.
inline std::uint64_t ascending_key(std::int64_t time) {
  return static_cast<std::uint64_t>(time) ^ (std::uint64_t{1} << 63);
}
inline std::uint64_t descending_key(std::int64_t time) {
  return ~ascending_key(time);
}
inline std::int64_t ascending_time(std::uint64_t key) {
  return static_cast<std::int64_t>(key ^ (std::uint64_t{1} << 63));
}
inline std::int64_t descending_time(std::uint64_t key) {
  return ascending_time(~key);
}

}  // namespace cascade::graph
