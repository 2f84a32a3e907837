// rebuild-compare on attacker bytes: the input is split in two builds (a 4-byte split point,
// then A, then B; the split point's top bit sets --include-build-id), both are analysed,
// compared and reported as JSON and text.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "rebuild/compare.h"
#include "report/rebuild_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::uint32_t header =
      static_cast<std::uint32_t>(data[0]) | static_cast<std::uint32_t>(data[1]) << 8 |
      static_cast<std::uint32_t>(data[2]) << 16 | static_cast<std::uint32_t>(data[3]) << 24;
  const cascade::Bytes rest(data + 4, size - 4);
  const std::size_t split = rest.empty() ? 0 : (header & 0x7fffffffU) % (rest.size() + 1);
  cascade::rebuild::CompareOptions options;
  options.include_build_id = (header & 0x80000000U) != 0;
  options.max_regions = 64;
  auto result = cascade::rebuild::compare_builds(rest.first(split), rest.subspan(split), options);
  if (!result) return 0;
  cascade::rebuild::RebuildRun run;
  run.a.size = split;
  run.b.size = rest.size() - split;
  // As the CLI writes it: names from the file may be any bytes, not UTF-8.
  (void)cascade::rebuild::rebuild_document(run, *result)
      .dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::ostringstream text;
  cascade::rebuild::write_rebuild_text(text, run, *result, true);
  return 0;
}
