// Package URLs: any text parses or is refused; what parses is normalised, so formatting and
// parsing again gives the same purl (a purl that changed on a second pass would be two keys).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/purl.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto purl = cascade::parse_purl(text);
  if (!purl) return 0;
  const std::string canonical = cascade::format_purl(*purl);
  auto again = cascade::parse_purl(canonical);
  if (!again || !(*again == *purl) || cascade::format_purl(*again) != canonical) std::abort();
  return 0;
}
