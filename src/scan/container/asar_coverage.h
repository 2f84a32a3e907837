// An asar's second view: its header lists where each file's bytes lie, and the data area after
// the header is simply bytes. @electron/asar packs files back to back from offset 0, so every
// byte of the data area belongs to some entry; bytes no entry covers are a payload only a reader
// that ignores the header (or a second, hand-made header) would find. They are scanned, and
// reported as `container.ambiguous`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scan/container/container.h"
#include "scan/container/expansion_guard.h"

namespace cascade::scan::detail {

struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // one past the last byte
};

class AsarCoverage {
 public:
  // An entry's bytes [offset, offset + size), already checked to lie inside the data area.
  void add(std::uint64_t offset, std::uint64_t size);
  // The stretches of [0, data_size) no entry covers, in order.
  std::vector<ByteRange> gaps(std::uint64_t data_size) const;

 private:
  std::vector<ByteRange> ranges_;
};

// The name an uncovered stretch is scanned under, e.g. "[uncovered bytes 120-4215]".
std::string uncovered_name(const ByteRange& gap);

// Notes each stretch of `data` (the asar's data area) that `coverage` leaves out as ambiguous,
// and visits it as an entry of its own, under the guard's caps.
void scan_uncovered(Bytes data, const AsarCoverage& coverage, ExpansionGuard& guard,
                    const EntryVisitor& visit);

}  // namespace cascade::scan::detail
