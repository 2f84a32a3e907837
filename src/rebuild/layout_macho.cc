// Mach-O: LC_UUID (ld64 and lld derive it from the output, but other linkers and post-link
// tools make it random) and the code signature LC_CODE_SIGNATURE points at (its identifier is
// the output's name and its CMS blob carries a signing time).
#include <algorithm>

#include "formats/macho/macho_image.h"
#include "rebuild/layout.h"

namespace cascade::rebuild {
namespace {

constexpr std::uint32_t kLcUuid = 0x1b;
constexpr std::uint32_t kLcCodeSignature = 0x1d;
constexpr std::uint32_t kSectionTypeMask = 0xff;
constexpr std::uint32_t kZeroFill = 0x1;
constexpr std::uint32_t kGbZeroFill = 0xc;
constexpr std::uint32_t kThreadLocalZeroFill = 0x12;

std::optional<std::uint32_t> load_u32(Bytes data, std::uint64_t offset, bool big_endian) {
  auto bytes = slice(data, offset, 4);
  if (!bytes) return std::nullopt;
  ByteReader r(*bytes);
  return big_endian ? r.u32be() : r.u32le();
}

bool in_file(const macho::Section& s) {
  const std::uint32_t type = s.flags & kSectionTypeMask;
  return s.offset != 0 && s.size != 0 && type != kZeroFill && type != kGbZeroFill &&
         type != kThreadLocalZeroFill;
}

// One thin image at `base` in the file; `prefix` names its slice in a fat file ("x86_64:").
Result<int> add_thin(Bytes file, std::uint64_t base, std::uint64_t size, const std::string& prefix,
                     Layout& layout) {
  auto bytes = slice(file, base, size);
  if (!bytes) return make_error(ErrorCode::kTruncated, "Mach-O slice lies outside the file");
  const Bytes thin = *bytes;
  auto parsed = macho::parse_macho(thin);
  if (!parsed) return parsed.error();
  const macho::MachoImage& image = *parsed;
  layout.end_of_content =
      std::max(layout.end_of_content, base + std::min<std::uint64_t>(image.end_of_content, size));

  layout.areas.push_back({prefix + "(mach header)", base, image.is_64 ? 32U : 28U});
  for (const auto& lc : image.load_commands) {
    layout.areas.push_back({prefix + "(" + lc.name + ")", base + lc.offset, lc.size});
    if (lc.cmd == kLcUuid && lc.size >= 24) {
      layout.normalised.push_back({"macho.uuid", base + lc.offset + 8, 16});
    }
    if (lc.cmd == kLcCodeSignature && lc.size >= 16) {
      auto dataoff = load_u32(thin, lc.offset + 8, image.big_endian);
      auto datasize = load_u32(thin, lc.offset + 12, image.big_endian);
      if (dataoff && datasize && *dataoff < size) {
        const std::uint64_t n = std::min<std::uint64_t>(*datasize, size - *dataoff);
        layout.normalised.push_back({"macho.code-signature", base + *dataoff, n});
        layout.areas.push_back({prefix + "(code signature)", base + *dataoff, n});
      }
    }
  }
  std::vector<Area> sections;
  for (const auto& seg : image.segments) {
    if (seg.filesize != 0 && seg.fileoff < size) {
      layout.areas.push_back({prefix + seg.name, base + seg.fileoff,
                              std::min<std::uint64_t>(seg.filesize, size - seg.fileoff), true,
                              seg.vmaddr});
    }
    for (const auto& s : seg.sections) {
      if (!in_file(s) || s.offset >= size) continue;
      sections.push_back({prefix + s.segment + "," + s.name, base + s.offset,
                          std::min<std::uint64_t>(s.size, size - s.offset), true, s.addr});
    }
  }
  std::vector<Symbol> exports;
  exports.reserve(image.exports.size());
  for (const auto& e : image.exports) {
    if (e.defined) exports.push_back({e.value, e.name});
  }
  assign_exports(sections, exports);
  for (auto& s : sections) layout.sections.push_back(std::move(s));
  return 0;
}

}  // namespace

Result<Layout> analyse_macho(Bytes file) {
  Layout layout;
  layout.compared_size = file.size();
  if (macho::detect(file) == macho::Kind::kThin) {
    layout.format = LayoutFormat::kMacho;
    auto added = add_thin(file, 0, file.size(), "", layout);
    if (!added) return added.error();
  } else {
    layout.format = LayoutFormat::kMachoFat;
    auto slices = macho::parse_fat(file);
    if (!slices) return slices.error();
    if (!slices->empty()) layout.areas.push_back({"(fat header)", 0, slices->front().offset});
    for (const auto& s : *slices) {
      auto added =
          add_thin(file, s.offset, s.size, macho::cpu_name(s.cputype, s.cpusubtype) + ":", layout);
      if (!added) return added.error();
    }
  }
  std::stable_sort(layout.normalised.begin(), layout.normalised.end(),
                   [](const Normalised& x, const Normalised& y) { return x.offset < y.offset; });
  return layout;
}

}  // namespace cascade::rebuild
