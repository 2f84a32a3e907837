// The scan cache's stored entry lists: the cache is a trusted local file, but a damaged one is
// read, so any text decodes or is refused, and what decodes encodes to a form that decodes to
// the same encoding again (a row that changed on a second pass would report two ways).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scan/cache/cached_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto entries = cascade::scan::decode_entries(text);
  if (!entries) return 0;
  const std::string encoded = cascade::scan::encode_entries(*entries);
  auto again = cascade::scan::decode_entries(encoded);
  if (!again || cascade::scan::encode_entries(*again) != encoded) std::abort();
  return 0;
}
