// Byte-level comparison of two normalised files: differing bytes become coalesced regions.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_reader.h"
#include "rebuild/layout.h"

namespace cascade::rebuild {

// Differing bytes separated by fewer equal bytes than this join one region: a changed
// instruction or constant reads as one region, not a scatter of single bytes.
inline constexpr std::uint64_t kCoalesceGap = 8;
inline constexpr std::size_t kMaxRegions = 1000;

// Collects differing byte offsets (fed in increasing order) into coalesced runs that never
// cross a boundary (a section's start or end). Past `cap` runs, further runs are only counted.
class RunCollector {
 public:
  RunCollector(std::vector<std::uint64_t> boundaries, std::size_t cap);

  void add(std::uint64_t offset);
  void flush();  // closes the open run; the next byte starts a new one however close

  const std::vector<Range>& runs() const { return runs_; }
  std::uint64_t omitted() const { return omitted_; }
  std::uint64_t differing_bytes() const { return differing_bytes_; }

 private:
  void close();

  std::vector<std::uint64_t> boundaries_;  // sorted, unique
  std::size_t cap_;
  std::vector<Range> runs_;
  std::uint64_t omitted_ = 0;
  std::uint64_t differing_bytes_ = 0;
  bool open_ = false;
  Range current_;
  std::uint64_t limit_ = 0;  // the first boundary after current_.offset
};

// Compares `length` bytes of `a` from a_begin with those of `b` from b_begin, reading bytes
// inside each side's masks (sorted, merged, absolute file offsets) as zero, and feeds the
// a-offsets of differing bytes to `out`. Ranges outside either file are not compared.
void compare_masked(Bytes a, const std::vector<Range>& a_masks, std::uint64_t a_begin, Bytes b,
                    const std::vector<Range>& b_masks, std::uint64_t b_begin, std::uint64_t length,
                    RunCollector& out);

}  // namespace cascade::rebuild
