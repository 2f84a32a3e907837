// The DER reader: walks nested TLVs to a bounded depth.
#include <cstddef>
#include <cstdint>

#include "core/der.h"

namespace {
void walk(cascade::ByteReader r, int depth) {
  while (auto element = cascade::der::read(r)) {
    if (depth < 16 && (element->tag & 0x20))
      walk(cascade::ByteReader(element->contents), depth + 1);
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  walk(cascade::ByteReader(cascade::Bytes(data, size)), 0);
  return 0;
}
