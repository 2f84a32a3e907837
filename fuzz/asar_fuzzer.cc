// The asar reader. Input byte 0 picks the mode: odd, the rest is a whole file (framing
// included); even, bytes 1-2 give the JSON header's length and the rest is header then file
// data, wrapped in valid pickle framing here so that the fuzzer spends its time in the JSON walk
// (tree depth, bad offsets, overlapping entries) rather than on the framing checks.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "scan/container/container.h"

namespace {

using cascade::Bytes;
using namespace cascade::scan;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::vector<std::uint8_t> frame(Bytes json, Bytes files) {
  const auto length = static_cast<std::uint32_t>(json.size());
  const std::uint32_t padded = (length + 3) & ~3u;
  std::vector<std::uint8_t> out;
  put_u32(out, 4);
  put_u32(out, 8 + padded);
  put_u32(out, 4 + padded);
  put_u32(out, length);
  out.insert(out.end(), json.begin(), json.end());
  out.resize(out.size() + (padded - length), 0);
  out.insert(out.end(), files.begin(), files.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const Bytes input(data, size);
  std::vector<std::uint8_t> framed;
  Bytes file = input.subspan(1);
  if ((data[0] & 1) == 0) {
    std::size_t json_size = data[1] | (std::size_t{data[2]} << 8);
    const Bytes rest = input.subspan(3);
    if (json_size > rest.size()) json_size = rest.size();
    framed = frame(rest.first(json_size), rest.subspan(json_size));
    file = Bytes(framed.data(), framed.size());
  }
  (void)detect_container(file);
  ContainerLimits limits;
  limits.max_entry_size = std::uint64_t{1} << 20;
  limits.max_entries = 5000;
  ContainerBudget budget;
  std::vector<ContainerNote> notes;
  expand_container(
      ContainerKind::kAsar, file, limits, budget,
      [](const ContainerEntry& e) {
        std::uint64_t sum = e.name.size();
        for (const std::uint8_t b : e.data) sum += b;
        volatile std::uint64_t sink = sum;
        (void)sink;
      },
      notes);
  return 0;
}
