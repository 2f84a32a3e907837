// Any bytes through detect_container, archive_recognised and expand_container (libarchive for
// every input, asar when detected), one nesting level deep as the scan engine goes, with caps
// small enough that a bomb cannot outrun the fuzzer's time and memory limits.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "scan/container/container.h"

namespace {

using cascade::Bytes;
using namespace cascade::scan;

ContainerLimits fuzz_limits() {
  ContainerLimits limits;
  limits.max_entry_size = std::uint64_t{1} << 20;
  limits.max_total_size = std::uint64_t{16} << 20;
  limits.max_entries = 2000;
  return limits;
}

// Reads every byte handed out, so ASan sees any span that outlives or overruns its buffer.
std::uint64_t touch(Bytes data) {
  std::uint64_t sum = 0;
  for (const std::uint8_t b : data) sum += b;
  return sum;
}

void expand(ContainerKind kind, Bytes data, int depth, ContainerBudget& budget) {
  static const ContainerLimits limits = fuzz_limits();
  std::vector<ContainerNote> notes;
  expand_container(
      kind, data, limits, budget,
      [&](const ContainerEntry& e) {
        volatile std::uint64_t sink = touch(e.data) + e.name.size();
        (void)sink;
        if (depth == 0) {
          const ContainerKind inner = detect_container(e.data);
          if (inner != ContainerKind::kNone) expand(inner, e.data, depth + 1, budget);
        }
      },
      notes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes bytes(data, size);
  const ContainerKind kind = detect_container(bytes);
  (void)archive_recognised(bytes);
  ContainerBudget budget;
  // libarchive gets every input, detected or not: expand_container must cope with being handed
  // anything.
  expand(kind == ContainerKind::kAsar ? ContainerKind::kAsar : ContainerKind::kArchive, bytes, 0,
         budget);
  return 0;
}
