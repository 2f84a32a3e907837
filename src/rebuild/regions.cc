#include "rebuild/regions.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace cascade::rebuild {

RunCollector::RunCollector(std::vector<std::uint64_t> boundaries, std::size_t cap)
    : boundaries_(std::move(boundaries)), cap_(cap) {
  std::sort(boundaries_.begin(), boundaries_.end());
  boundaries_.erase(std::unique(boundaries_.begin(), boundaries_.end()), boundaries_.end());
}

void RunCollector::add(std::uint64_t offset) {
  ++differing_bytes_;
  if (open_ && offset >= current_.end() && offset - current_.end() < kCoalesceGap &&
      offset < limit_) {
    current_.size = offset + 1 - current_.offset;
    return;
  }
  close();
  open_ = true;
  current_ = {offset, 1};
  auto next = std::upper_bound(boundaries_.begin(), boundaries_.end(), offset);
  limit_ = next == boundaries_.end() ? std::numeric_limits<std::uint64_t>::max() : *next;
}

void RunCollector::flush() {
  close();
}

void RunCollector::close() {
  if (!open_) return;
  open_ = false;
  if (runs_.size() < cap_) {
    runs_.push_back(current_);
  } else {
    ++omitted_;
  }
}

namespace {

// [begin, begin+length) of the masks, relative to begin.
std::vector<Range> clip(const std::vector<Range>& masks, std::uint64_t begin,
                        std::uint64_t length) {
  std::vector<Range> out;
  for (const auto& m : masks) {
    const std::uint64_t lo = std::max(m.offset, begin);
    const std::uint64_t hi = std::min(m.end(), begin + length);
    if (lo < hi) out.push_back({lo - begin, hi - lo});
  }
  return out;
}

bool covered(const std::vector<Range>& masks, std::size_t& index, std::uint64_t at) {
  while (index < masks.size() && masks[index].end() <= at) ++index;
  return index < masks.size() && masks[index].offset <= at;
}

// Differences between two equal-length byte runs, either of which may read as zeros (nullptr).
void scan(const std::uint8_t* a, const std::uint8_t* b, std::uint64_t base, std::uint64_t n,
          RunCollector& out) {
  constexpr std::uint64_t kBlock = 4096;
  std::uint64_t i = 0;
  while (i < n) {
    if (a != nullptr && b != nullptr) {
      while (n - i >= kBlock && std::memcmp(a + i, b + i, kBlock) == 0) i += kBlock;
    }
    const std::uint64_t stop = std::min(n, i + kBlock);
    for (; i < stop; ++i) {
      const std::uint8_t x = a != nullptr ? a[i] : 0;
      const std::uint8_t y = b != nullptr ? b[i] : 0;
      if (x != y) out.add(base + i);
    }
  }
}

}  // namespace

void compare_masked(Bytes a, const std::vector<Range>& a_masks, std::uint64_t a_begin, Bytes b,
                    const std::vector<Range>& b_masks, std::uint64_t b_begin, std::uint64_t length,
                    RunCollector& out) {
  auto sa = slice(a, a_begin, length);
  auto sb = slice(b, b_begin, length);
  if (!sa || !sb) return;
  const auto ma = clip(a_masks, a_begin, length);
  const auto mb = clip(b_masks, b_begin, length);
  std::vector<std::uint64_t> cuts{0, length};
  for (const auto* masks : {&ma, &mb}) {
    for (const auto& m : *masks) {
      cuts.push_back(m.offset);
      cuts.push_back(m.end());
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::size_t ia = 0;
  std::size_t ib = 0;
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const std::uint64_t lo = cuts[k];
    const std::uint64_t hi = cuts[k + 1];
    const bool masked_a = covered(ma, ia, lo);
    const bool masked_b = covered(mb, ib, lo);
    if (masked_a && masked_b) continue;
    scan(masked_a ? nullptr : sa->data() + lo, masked_b ? nullptr : sb->data() + lo, a_begin + lo,
         hi - lo, out);
  }
}

}  // namespace cascade::rebuild
