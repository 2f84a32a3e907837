// Notes: the GNU build ID (NT_GNU_BUILD_ID) from PT_NOTE segments or SHT_NOTE sections.
#include <cstring>

#include "formats/elf/elf_internal.h"

namespace cascade::elf::detail {

namespace {

constexpr std::uint32_t kNtGnuBuildId = 3;
constexpr std::size_t kNoteHeaderSize = 12;

std::uint64_t align_up(std::uint64_t value, std::uint64_t align) {
  return saturating_end(value, align - 1) & ~(align - 1);
}

std::string to_hex(Bytes bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

// Walks the notes in `data`, padded to `align` (4, or 8 for 8-aligned note segments, as the gABI
// and readelf have it); `budget` bounds the notes read over the whole file.
void scan_notes(Context& ctx, Bytes data, std::uint64_t align, std::size_t& budget) {
  align = align == 8 ? 8 : 4;
  std::uint64_t offset = 0;
  while (offset < data.size()) {
    if (budget == 0) {
      ctx.anomaly("note count exceeds the cap");
      return;
    }
    --budget;
    auto note = tail(data, offset);
    auto r = ctx.reader(*note);
    auto name_size = r.u32();
    auto desc_size = r.u32();
    auto type = r.u32();
    if (!type) {
      ctx.anomaly("a note header is truncated");
      return;
    }
    const std::uint64_t desc_offset = align_up(kNoteHeaderSize + *name_size, align);
    auto name = slice(*note, kNoteHeaderSize, *name_size);
    auto desc = slice(*note, desc_offset, *desc_size);
    if (!name || !desc) {
      ctx.anomaly("a note runs past the end of its segment or section");
      return;
    }
    static constexpr std::uint8_t kGnu[] = {'G', 'N', 'U', 0};
    if (*type == kNtGnuBuildId && name->size() == 4 && std::memcmp(name->data(), kGnu, 4) == 0) {
      if (desc->size() > kMaxBuildIdBytes) {
        ctx.anomaly("the build ID note is " + std::to_string(desc->size()) + " bytes long");
      } else if (!ctx.image.build_id) {
        ctx.image.build_id = to_hex(*desc);
      } else if (*ctx.image.build_id != to_hex(*desc)) {
        ctx.anomaly("two different build ID notes");
      }
    }
    offset += align_up(desc_offset + *desc_size, align);
  }
}

}  // namespace

void parse_notes(Context& ctx) {
  // As readelf: the note sections when there are section headers (a separate debug file keeps
  // them, while its PT_NOTE offsets describe the stripped original), else the PT_NOTE segments;
  // the other set too when the first had no build ID (object files have no segments, and a note
  // section need not be covered by a PT_NOTE).
  std::size_t budget = kMaxNotes;
  auto scan_sections = [&ctx, &budget] {
    for (std::size_t i = 0; i < ctx.image.sections.size(); ++i) {
      if (ctx.image.sections[i].type != kShtNote) continue;
      if (auto bytes = ctx.section_data(i)) {
        scan_notes(ctx, *bytes, ctx.links[i].addralign, budget);
      } else {
        ctx.anomaly("a note section lies outside the file");
      }
    }
  };
  auto scan_segments = [&ctx, &budget] {
    for (const auto& p : ctx.image.segments) {
      if (p.type != kPtNote || p.filesz == 0) continue;
      if (auto bytes = slice(ctx.file, p.offset, p.filesz)) {
        scan_notes(ctx, *bytes, p.align, budget);
      } else {
        ctx.anomaly("a PT_NOTE segment lies outside the file");
      }
    }
  };
  const bool sections_first = ctx.find_section(kShtNote).has_value();
  if (sections_first) {
    scan_sections();
  } else {
    scan_segments();
  }
  if (ctx.image.build_id) return;
  if (sections_first) {
    scan_segments();
  } else {
    scan_sections();
  }
}

}  // namespace cascade::elf::detail
