#include "scan/container/asar_coverage.h"

#include <algorithm>

namespace cascade::scan::detail {

namespace {

constexpr std::size_t kMaxGapNotes = 32;

}  // namespace

void AsarCoverage::add(std::uint64_t offset, std::uint64_t size) {
  if (size > 0) ranges_.push_back({offset, offset + size});
}

std::vector<ByteRange> AsarCoverage::gaps(std::uint64_t data_size) const {
  std::vector<ByteRange> sorted = ranges_;
  std::sort(sorted.begin(), sorted.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
  std::vector<ByteRange> out;
  std::uint64_t covered_to = 0;
  for (const auto& r : sorted) {
    if (r.begin > covered_to) out.push_back({covered_to, r.begin});
    covered_to = std::max(covered_to, r.end);
  }
  if (data_size > covered_to) out.push_back({covered_to, data_size});
  return out;
}

std::string uncovered_name(const ByteRange& gap) {
  return "[uncovered bytes " + std::to_string(gap.begin) + "-" + std::to_string(gap.end - 1) + "]";
}

void scan_uncovered(Bytes data, const AsarCoverage& coverage, ExpansionGuard& guard,
                    const EntryVisitor& visit) {
  const auto gaps = coverage.gaps(data.size());
  for (std::size_t i = 0; i < gaps.size() && i < kMaxGapNotes; ++i) {
    guard.note_ambiguous(
        std::to_string(gaps[i].end - gaps[i].begin) + " bytes of the asar data area (offsets " +
        std::to_string(gaps[i].begin) + " to " + std::to_string(gaps[i].end - 1) +
        ") belong to no entry of its header; scanned as " + quote_name(uncovered_name(gaps[i])));
  }
  if (gaps.size() > kMaxGapNotes) {
    guard.note_ambiguous(std::to_string(gaps.size() - kMaxGapNotes) +
                         " more stretches of the asar data area belong to no entry (not listed); "
                         "scanned");
  }
  for (const auto& gap : gaps) {
    const std::string name = uncovered_name(gap);
    const std::uint64_t size = gap.end - gap.begin;
    if (!guard.admit_entry(name)) return;
    if (size > guard.entry_cap()) {
      guard.note_oversized(name, size);
      continue;
    }
    if (!guard.add_data(size)) return;
    visit(ContainerEntry{name, data.subspan(gap.begin, size)});
    guard.count_visit();
  }
}

}  // namespace cascade::scan::detail
