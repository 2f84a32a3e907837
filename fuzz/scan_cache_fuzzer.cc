// The scan cache's stored entry lists: the cache is a trusted local file, but a damaged one is
// read, so any row decodes or is refused, with its facts or without them, and what decodes
// with its facts encodes to a form that decodes to the same encoding again (a row that changed
// on a second pass would report two ways).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "scan/cache/cached_entry.h"

namespace {

void round_trip(std::string_view list, std::string_view facts) {
  auto entries = cascade::scan::decode_entries(list, facts);
  if (!entries) return;
  const auto encoded = cascade::scan::encode_entries(*entries);
  auto again = cascade::scan::decode_entries(encoded.list, encoded.facts);
  if (!again) std::abort();
  const auto twice = cascade::scan::encode_entries(*again);
  if (twice.list != encoded.list || twice.facts != encoded.facts) std::abort();
}

}  // namespace

// The row as two columns: the list up to the first line break, the facts after it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t split = text.find('\n');
  const std::string_view list = text.substr(0, split);
  const std::string_view facts =
      split == std::string_view::npos ? std::string_view() : text.substr(split + 1);
  round_trip(list, facts);
  (void)cascade::scan::decode_entries(list, std::nullopt);
  return 0;
}
