// Export directory: names, ordinals and forwarders.
#include <unordered_map>

#include "formats/pe/pe_internal.h"

namespace cascade::pe::detail {

void parse_exports(Bytes file, PeImage& image) {
  const DataDirectory* dir = image.directory(kDirExport);
  if (dir == nullptr || dir->rva == 0) return;
  const RvaMapper map(file, image);
  auto header = map.bytes_at(dir->rva, 40);
  if (!header) {
    image.anomalies.push_back("export directory is outside the file");
    return;
  }
  ByteReader r(*header);
  r.skip(12);
  const std::uint32_t name_rva = *r.u32le();
  const std::uint32_t ordinal_base = *r.u32le();
  std::uint32_t function_count = *r.u32le();
  std::uint32_t name_count = *r.u32le();
  const std::uint32_t functions_rva = *r.u32le();
  const std::uint32_t names_rva = *r.u32le();
  const std::uint32_t name_ordinals_rva = *r.u32le();
  image.export_name = map.cstring_at(name_rva, kMaxNameLength).value_or("");
  if (function_count > kMaxExports || name_count > kMaxExports) {
    image.anomalies.push_back("export count exceeds the cap");
    function_count = std::min<std::uint32_t>(function_count, kMaxExports);
    name_count = std::min<std::uint32_t>(name_count, kMaxExports);
  }
  auto functions = map.bytes_at(functions_rva, std::uint64_t{function_count} * 4);
  if (!functions) {
    image.anomalies.push_back("export address table is outside the file");
    return;
  }
  // Names point at function indexes; an index may carry several names.
  std::unordered_multimap<std::uint32_t, std::string> names;
  auto name_ptrs = map.bytes_at(names_rva, std::uint64_t{name_count} * 4);
  auto name_ords = map.bytes_at(name_ordinals_rva, std::uint64_t{name_count} * 2);
  if (name_count != 0 && (!name_ptrs || !name_ords)) {
    image.anomalies.push_back("export name tables are outside the file");
  } else if (name_count != 0) {
    ByteReader pr(*name_ptrs), orr(*name_ords);
    for (std::uint32_t i = 0; i < name_count; ++i) {
      const std::uint32_t ptr = *pr.u32le();
      const std::uint16_t index = *orr.u16le();
      auto name = map.cstring_at(ptr, kMaxNameLength);
      if (!name) continue;
      names.emplace(index, std::move(*name));
    }
  }
  ByteReader fr(*functions);
  const std::uint64_t dir_begin = dir->rva;
  const std::uint64_t dir_end = dir_begin + dir->size;
  for (std::uint32_t i = 0; i < function_count; ++i) {
    const std::uint32_t rva = *fr.u32le();
    if (rva == 0) continue;  // unused ordinal slot
    Export e;
    e.ordinal = ordinal_base + i;
    e.rva = rva;
    // An address inside the export directory is the text of a forwarder ("DLL.Function").
    if (rva >= dir_begin && rva < dir_end) {
      e.forwarder = map.cstring_at(rva, kMaxNameLength).value_or("");
    }
    auto [first, last] = names.equal_range(i);
    if (first == last) {
      image.exports.push_back(std::move(e));
      continue;
    }
    for (auto it = first; it != last; ++it) {
      Export named = e;
      named.name = it->second;
      image.exports.push_back(std::move(named));
    }
  }
}

}  // namespace cascade::pe::detail
