// A zip's two views (zip_records.h) on any bytes: the central directory search and walk, the
// local header walk with its bounded inflate, the comparison, and the rewritten union zip.
#include <cstddef>
#include <cstdint>

#include "scan/container/zip_views.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cascade::Bytes bytes(data, size);
  cascade::scan::detail::LocalWalkLimits limits;
  limits.max_entry_inflate = std::uint64_t{1} << 20;
  limits.max_total_inflate = std::uint64_t{4} << 20;
  const auto views = cascade::scan::detail::compare_zip_views(bytes, limits);
  volatile std::size_t sink = views.entries.size() + views.notes.size();
  if (!views.agree && size <= (std::size_t{1} << 16)) {
    const auto rewritten = cascade::scan::detail::write_union_zip(bytes, views.entries);
    sink = sink + rewritten.size();
  }
  (void)sink;
  return 0;
}
