// PE headers, sections, imports, delay imports, exports, version resource, imphash.
#include <cstddef>
#include <cstdint>

#include "formats/pe/pe_image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto image = cascade::pe::parse_pe(cascade::Bytes(data, size));
  if (image.ok()) {
    (void)cascade::pe::imphash(image.value());
    cascade::pe::measure_contents(cascade::Bytes(data, size), image.value());
  }
  return 0;
}
