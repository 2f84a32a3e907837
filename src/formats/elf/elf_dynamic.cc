// The dynamic table: needed libraries, soname, search paths, and where the symbol tables are.
#include <algorithm>

#include "formats/elf/elf_internal.h"

namespace cascade::elf::detail {

namespace {

constexpr std::uint64_t kDtNull = 0;
constexpr std::uint64_t kDtNeeded = 1;
constexpr std::uint64_t kDtHash = 4;
constexpr std::uint64_t kDtStrtab = 5;
constexpr std::uint64_t kDtSymtab = 6;
constexpr std::uint64_t kDtStrsz = 10;
constexpr std::uint64_t kDtSyment = 11;
constexpr std::uint64_t kDtSoname = 14;
constexpr std::uint64_t kDtRpath = 15;
constexpr std::uint64_t kDtRunpath = 29;
constexpr std::uint64_t kDtGnuHash = 0x6ffffef5;
constexpr std::uint64_t kDtVersym = 0x6ffffff0;
constexpr std::uint64_t kDtVerdef = 0x6ffffffc;
constexpr std::uint64_t kDtVerdefnum = 0x6ffffffd;
constexpr std::uint64_t kDtVerneed = 0x6ffffffe;
constexpr std::uint64_t kDtVerneednum = 0x6fffffff;

struct Entry {
  std::uint64_t tag = 0;
  std::uint64_t value = 0;
};

std::optional<Bytes> segment_table(Context& ctx, const ProgramHeader& segment) {
  if (auto bytes = slice(ctx.file, segment.offset, segment.filesz)) return bytes;
  auto rest = tail(ctx.file, segment.offset);
  if (!rest || rest->empty()) {
    ctx.anomaly("the dynamic segment lies outside the file");
    return std::nullopt;
  }
  ctx.anomaly("the dynamic segment runs past the end of file");
  return rest;
}

// Finds the dynamic table as readelf does: the .dynamic section when the file has section
// headers, else PT_DYNAMIC. Where the two disagree (the loader reads only PT_DYNAMIC) the
// disagreement is an anomaly, and a section that cannot be read gives way to the segment. A
// SHT_NOBITS .dynamic means a separate debug-info file (ElfImage::debug_only), which has no
// table; in any other file (code or data in the file) the section is hiding the segment.
std::optional<Bytes> locate_table(Context& ctx) {
  const ElfImage& image = ctx.image;
  const ProgramHeader* segment = nullptr;
  std::size_t segments = 0;
  for (const auto& p : image.segments) {
    if (p.type != kPtDynamic) continue;
    if (segments++ == 0) segment = &p;
  }
  if (segments > 1) ctx.anomaly(std::to_string(segments) + " PT_DYNAMIC segments");

  std::optional<std::size_t> index = ctx.find_section(kShtDynamic);
  for (std::size_t i = 0; !index && i < image.sections.size(); ++i) {
    if (image.sections[i].name == ".dynamic") index = i;
  }
  if (!index) {
    if (segment == nullptr) return std::nullopt;
    if (!image.sections.empty()) ctx.anomaly("the dynamic segment has no .dynamic section");
    return segment_table(ctx, *segment);
  }
  const Section& s = image.sections[*index];
  if (s.type == kShtNobits) {
    if (segment == nullptr || segment->filesz == 0 || image.debug_only) return std::nullopt;
    ctx.anomaly("the .dynamic section is SHT_NOBITS but the dynamic segment is in the file");
    return segment_table(ctx, *segment);
  }
  if (segment != nullptr && s.offset != segment->offset) {
    ctx.anomaly("the .dynamic section is not where PT_DYNAMIC points");
  }
  if (auto bytes = ctx.section_data(*index)) {
    ctx.dynamic.section = index;
    return bytes;
  }
  ctx.anomaly("the .dynamic section lies outside the file");
  if (segment == nullptr) return std::nullopt;
  return segment_table(ctx, *segment);
}

std::vector<Entry> read_entries(Context& ctx, Bytes table) {
  std::vector<Entry> entries;
  auto r = ctx.reader(table);
  while (true) {
    auto tag = r.word();
    auto value = r.word();
    if (!value) {
      ctx.anomaly("the dynamic table is not terminated by DT_NULL");
      break;
    }
    if (*tag == kDtNull) break;
    if (entries.size() == kMaxDynamicEntries) {
      ctx.anomaly("dynamic entries exceed the cap");
      break;
    }
    entries.push_back({*tag, *value});
  }
  return entries;
}

// The dynamic string table: DT_STRTAB through the segments, bounded by DT_STRSZ; else the
// string section the .dynamic section links to.
StringTable string_table(Context& ctx) {
  const DynamicInfo& d = ctx.dynamic;
  if (d.strtab) {
    if (auto bytes = ctx.bytes_at_vaddr(*d.strtab)) {
      if (d.strsz && *d.strsz <= bytes->size()) {
        return StringTable(bytes->first(static_cast<std::size_t>(*d.strsz)));
      }
      if (d.strsz) ctx.anomaly("DT_STRSZ runs past the end of the string table's segment");
      return StringTable(*bytes);
    }
    ctx.anomaly("DT_STRTAB is not mapped by the file");
  }
  if (d.section) {
    const std::uint32_t link = ctx.links[*d.section].link;
    if (auto bytes = ctx.section_data(link)) return StringTable(*bytes);
  }
  return StringTable();
}

std::vector<std::string> split_path(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = text.find(':', start);
    out.push_back(text.substr(start, colon == std::string::npos ? colon : colon - start));
    if (colon == std::string::npos) return out;
    start = colon + 1;
  }
}

}  // namespace

void parse_dynamic(Context& ctx) {
  auto table = locate_table(ctx);
  if (!table) return;
  const std::vector<Entry> entries = read_entries(ctx, *table);
  DynamicInfo& d = ctx.dynamic;
  // Like ld.so, the last of a repeated table entry wins.
  auto set = [&ctx](std::optional<std::uint64_t>& field, const Entry& e, const char* name) {
    if (field && *field != e.value) ctx.anomaly(std::string(name) + " appears more than once");
    field = e.value;
  };
  for (const Entry& e : entries) {
    switch (e.tag) {
      case kDtStrtab:
        set(d.strtab, e, "DT_STRTAB");
        break;
      case kDtStrsz:
        set(d.strsz, e, "DT_STRSZ");
        break;
      case kDtSymtab:
        set(d.symtab, e, "DT_SYMTAB");
        break;
      case kDtSyment:
        set(d.syment, e, "DT_SYMENT");
        break;
      case kDtHash:
        set(d.hash, e, "DT_HASH");
        break;
      case kDtGnuHash:
        set(d.gnu_hash, e, "DT_GNU_HASH");
        break;
      case kDtVersym:
        set(d.versym, e, "DT_VERSYM");
        break;
      case kDtVerneed:
        set(d.verneed, e, "DT_VERNEED");
        break;
      case kDtVerneednum:
        set(d.verneednum, e, "DT_VERNEEDNUM");
        break;
      case kDtVerdef:
        set(d.verdef, e, "DT_VERDEF");
        break;
      case kDtVerdefnum:
        set(d.verdefnum, e, "DT_VERDEFNUM");
        break;
      default:
        break;
    }
  }
  d.strings = string_table(ctx);

  ElfImage& image = ctx.image;
  std::size_t unreadable = 0;
  for (const Entry& e : entries) {
    if (e.tag != kDtNeeded && e.tag != kDtSoname && e.tag != kDtRpath && e.tag != kDtRunpath) {
      continue;
    }
    auto text = d.strings.at(e.value);
    if (!text) {
      ++unreadable;
      continue;
    }
    switch (e.tag) {
      case kDtNeeded:
        image.needed.push_back(std::move(*text));
        break;
      case kDtSoname:
        if (image.soname && *image.soname != *text) ctx.anomaly("DT_SONAME appears more than once");
        if (!image.soname) image.soname = std::move(*text);
        break;
      case kDtRpath:
        for (auto& part : split_path(*text)) image.rpath.push_back(std::move(part));
        break;
      default:
        for (auto& part : split_path(*text)) image.runpath.push_back(std::move(part));
        break;
    }
  }
  if (unreadable != 0) {
    ctx.anomaly(std::to_string(unreadable) + " dynamic entries name strings outside the table");
  }
}

}  // namespace cascade::elf::detail
