// PE: the stamps a rebuild changes (COFF, export, resource and debug timestamps, the CodeView
// GUID and age, the checksum) and the Authenticode certificate table signing adds.
#include <algorithm>
#include <cstdio>
#include <set>

#include "formats/pe/pe_certificate_table.h"
#include "formats/pe/pe_image.h"
#include "rebuild/layout.h"

namespace cascade::rebuild {
namespace {

constexpr std::size_t kDirDebug = 6;
constexpr std::uint32_t kDebugTypeCodeView = 2;
constexpr std::size_t kMaxDebugEntries = 256;
constexpr std::size_t kMaxResourceDirectories = 4096;
constexpr std::size_t kMaxResourceDepth = 8;
constexpr std::size_t kMaxDescriptors = 4096;
constexpr std::size_t kMaxThunks = 0x10000;
constexpr std::size_t kMaxImportSpans = 0x40000;
constexpr std::size_t kMaxName = 0x200;
// Signing tools pad the image with zeros to a multiple of 8 bytes before appending the
// certificate table (the table's entries are quadword aligned).
constexpr std::uint64_t kCertificateAlignment = 8;

class Image {
 public:
  Image(Bytes file, const pe::PeImage& pe) : file_(file), pe_(pe) {}

  // File offset of `rva` when it lies in the headers or in a section's raw data.
  std::optional<std::uint64_t> offset_of(std::uint64_t rva) const {
    if (rva < pe_.size_of_headers && rva < file_.size()) return rva;
    for (const auto& s : pe_.sections) {
      if (rva >= s.virtual_address && rva - s.virtual_address < s.raw_size) {
        const std::uint64_t off = std::uint64_t{s.raw_offset} + (rva - s.virtual_address);
        if (off < file_.size()) return off;
      }
    }
    return std::nullopt;
  }
  std::optional<std::uint32_t> u32_at_rva(std::uint64_t rva) const {
    auto off = offset_of(rva);
    return off ? load_u32le(file_, *off) : std::nullopt;
  }
  std::optional<std::string> string_at_rva(std::uint64_t rva) const {
    auto off = offset_of(rva);
    return off ? load_cstring(file_, *off, kMaxName) : std::nullopt;
  }
  const pe::DataDirectory* directory(std::size_t index) const {
    const auto* d = pe_.directory(index);
    return d != nullptr && d->rva != 0 && d->size != 0 ? d : nullptr;
  }

 private:
  Bytes file_;
  const pe::PeImage& pe_;
};

void add(Layout& layout, const char* what, std::uint64_t offset, std::uint64_t size, Bytes file) {
  if (offset >= file.size()) return;
  layout.normalised.push_back({what, offset, std::min<std::uint64_t>(size, file.size() - offset)});
}

void normalise_debug(Bytes file, const Image& image, Layout& layout) {
  const auto* dir = image.directory(kDirDebug);
  if (dir == nullptr) return;
  auto base = image.offset_of(dir->rva);
  if (!base) return;
  const std::size_t count = std::min<std::size_t>(dir->size / 28, kMaxDebugEntries);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t entry = *base + 28 * std::uint64_t{i};
    auto type = load_u32le(file, entry + 12);
    auto data_size = load_u32le(file, entry + 16);
    auto pointer = load_u32le(file, entry + 24);
    if (!type || !data_size || !pointer) break;
    add(layout, "pe.debug-timestamp", entry + 4, 4, file);
    if (*type != kDebugTypeCodeView || *data_size < 24) continue;
    auto magic = slice(file, *pointer, 4);
    if (magic && std::equal(magic->begin(), magic->end(), "RSDS")) {
      add(layout, "pe.codeview-rsds", std::uint64_t{*pointer} + 4, 20, file);
    }
  }
}

void normalise_resources(Bytes file, const Image& image, Layout& layout) {
  const auto* dir = image.directory(pe::kDirResource);
  if (dir == nullptr) return;
  std::vector<std::pair<std::uint64_t, std::size_t>> pending{{dir->rva, 0}};  // rva, depth
  std::set<std::uint64_t> seen;
  while (!pending.empty() && seen.size() < kMaxResourceDirectories) {
    const auto [rva, depth] = pending.back();
    pending.pop_back();
    if (!seen.insert(rva).second) continue;
    auto off = image.offset_of(rva);
    if (!off) continue;
    auto named = load_u16le(file, *off + 12);
    auto ids = load_u16le(file, *off + 14);
    if (!named || !ids) continue;
    add(layout, "pe.resource-timestamp", *off + 4, 4, file);
    if (depth + 1 >= kMaxResourceDepth) continue;
    const std::size_t entries = std::size_t{*named} + *ids;
    for (std::size_t i = 0; i < entries; ++i) {
      auto target = load_u32le(file, *off + 16 + 8 * std::uint64_t{i} + 4);
      if (!target) break;
      if ((*target & 0x80000000U) != 0) {
        pending.emplace_back(std::uint64_t{dir->rva} + (*target & 0x7fffffffU), depth + 1);
      }
    }
  }
}

// Only the signatures (each WIN_CERTIFICATE header and its PKCS#7 object) and the zeros that
// align the next entry are what signing adds; anything else in the table was put there.
void find_unsigned_content(Bytes file, const pe::PeImage& pe, Layout& layout) {
  auto table = authenticode::read_certificate_table(file, pe);
  if (!table) return;
  authenticode::measure_entries(file, *table);
  std::uint64_t hidden = 0;
  std::optional<std::uint64_t> first;
  for (const auto& entry : table->entries) {
    if (!entry.padding) continue;
    hidden += entry.padding->size;
    if (!first) first = entry.padding->offset;
  }
  if (hidden == 0) return;
  char at[32];
  std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(*first));
  layout.unsigned_content = "the certificate table holds " + std::to_string(hidden) +
                            " bytes that are no signature and no alignment, from " + at +
                            " (CVE-2013-3900 padding)";
}

// A certificate table that ends the file is cut off: the unsigned build has no such bytes. The
// zero bytes just before an 8-aligned table may be the padding the signing tool added, or the
// unsigned image's own last bytes; which, only the other build's size tells
// (match_signing_padding), so they stay compared here and are only counted.
void normalise_certificates(Bytes file, const pe::PeImage& pe, Layout& layout) {
  const auto* dir = pe.directory(pe::kDirSecurity);
  if (dir == nullptr || dir->size == 0 || dir->rva == 0 || dir->rva >= file.size()) return;
  find_unsigned_content(file, pe, layout);
  const std::uint64_t begin = dir->rva;
  const std::uint64_t end = std::min<std::uint64_t>(file.size(), begin + dir->size);
  layout.normalised.push_back({"pe.certificate-table", begin, end - begin});
  if (end != file.size()) return;
  layout.compared_size = begin;
  if (begin % kCertificateAlignment != 0) return;  // no tool padded to reach this offset
  // At most 7 bytes, and none inside the sections' raw data (padding follows the whole image).
  const std::uint64_t reach = std::min<std::uint64_t>(
      kCertificateAlignment - 1, begin > pe.end_of_sections ? begin - pe.end_of_sections : 0);
  auto before = slice(file, begin - reach, reach);
  if (!before) return;
  std::uint64_t padding = 0;
  while (padding < before->size() && (*before)[before->size() - 1 - padding] == 0) ++padding;
  layout.signing_padding = padding;
}

std::vector<ImportSpan> import_spans(Bytes file, const pe::PeImage& pe, const Image& image) {
  std::vector<ImportSpan> spans;
  const auto* dir = image.directory(pe::kDirImport);
  if (dir == nullptr) return spans;
  const std::uint64_t width = pe.pe32_plus ? 8 : 4;
  const std::uint64_t ordinal_flag = pe.pe32_plus ? (std::uint64_t{1} << 63) : 0x80000000U;
  for (std::size_t d = 0; d < kMaxDescriptors && spans.size() < kMaxImportSpans; ++d) {
    const std::uint64_t desc = std::uint64_t{dir->rva} + 20 * std::uint64_t{d};
    auto lookup = image.u32_at_rva(desc);
    auto name_rva = image.u32_at_rva(desc + 12);
    auto iat = image.u32_at_rva(desc + 16);
    if (!lookup || !name_rva || !iat || (*lookup == 0 && *name_rva == 0 && *iat == 0)) break;
    const std::string dll = image.string_at_rva(*name_rva).value_or("?");
    spans.push_back({desc, desc + 20, dll});
    spans.push_back({*name_rva, *name_rva + dll.size() + 1, dll});
    const std::uint64_t names = *lookup != 0 ? *lookup : *iat;
    for (std::size_t i = 0; i < kMaxThunks && spans.size() < kMaxImportSpans; ++i) {
      auto off = image.offset_of(names + width * i);
      if (!off) break;
      std::optional<std::uint64_t> value = load_u64le(file, *off);
      if (width == 4) value = load_u32le(file, *off);
      if (!value || *value == 0) break;
      std::string fn = dll + "!";
      if ((*value & ordinal_flag) != 0) {
        fn += "#" + std::to_string(*value & 0xffff);
      } else {
        const std::uint64_t hint = *value & 0x7fffffffU;
        const std::string name = image.string_at_rva(hint + 2).value_or("?");
        fn += name;
        spans.push_back({hint, hint + 2 + name.size() + 1, fn});
      }
      spans.push_back({names + width * i, names + width * (i + 1), fn});
      if (*lookup != 0 && *iat != 0) {
        spans.push_back({*iat + width * i, *iat + width * (i + 1), fn});
      }
    }
  }
  return spans;
}

}  // namespace

Result<Layout> analyse_pe(Bytes file) {
  auto parsed = pe::parse_pe(file);
  if (!parsed) return parsed.error();
  const pe::PeImage& pe = *parsed;
  const Image image(file, pe);
  Layout layout;
  layout.format = LayoutFormat::kPe;
  layout.compared_size = file.size();
  layout.end_of_content = std::min<std::uint64_t>(pe.end_of_sections, file.size());

  const std::uint64_t coff = std::uint64_t{pe.pe_header_offset} + 4;
  const std::uint64_t optional = coff + 20;
  const std::uint64_t optional_size = load_u16le(file, coff + 16).value_or(0);
  const std::uint64_t table = optional + optional_size;
  layout.areas = {
      {"(dos header)", 0, 64},
      {"(dos stub)", 64, pe.pe_header_offset > 64 ? pe.pe_header_offset - 64 : 0},
      {"(coff header)", coff - 4, 24},
      {"(optional header)", optional, optional_size},
      {"(section table)", table, 40 * std::uint64_t{pe.sections.size()}},
      {"(headers)", 0, pe.size_of_headers},
  };
  for (const auto& s : pe.sections) {
    if (s.raw_size == 0 || s.raw_offset >= file.size()) continue;
    Area area{s.name, s.raw_offset, std::min<std::uint64_t>(s.raw_size, file.size() - s.raw_offset),
              true, s.virtual_address};
    layout.sections.push_back(std::move(area));
  }
  std::vector<Symbol> exports;
  for (const auto& e : pe.exports) {
    if (!e.forwarder.empty()) continue;
    exports.push_back({e.rva, e.name.empty() ? "#" + std::to_string(e.ordinal) : e.name});
  }
  assign_exports(layout.sections, exports);
  for (auto& span : import_spans(file, pe, image)) {
    for (auto& area : layout.sections) {
      if (span.begin >= area.address && span.begin - area.address < area.size) {
        area.imports.push_back(std::move(span));
        break;
      }
    }
  }

  add(layout, "pe.timestamp", coff + 4, 4, file);
  add(layout, "pe.checksum", pe.checksum_field_offset, 4, file);
  if (pe.security_entry_offset)
    add(layout, "pe.security-directory", *pe.security_entry_offset, 8, file);
  if (const auto* dir = image.directory(pe::kDirExport)) {
    if (auto off = image.offset_of(dir->rva); off && load_u32le(file, *off + 8)) {
      add(layout, "pe.export-timestamp", *off + 4, 4, file);
    }
  }
  normalise_resources(file, image, layout);
  normalise_debug(file, image, layout);
  normalise_certificates(file, pe, layout);
  if (layout.compared_size == file.size()) {
    if (const auto* dir = pe.directory(pe::kDirSecurity); dir != nullptr && dir->size != 0) {
      layout.areas.push_back({"(certificate table)", dir->rva, dir->size});
    }
  }
  std::stable_sort(layout.normalised.begin(), layout.normalised.end(),
                   [](const Normalised& x, const Normalised& y) { return x.offset < y.offset; });
  return layout;
}

}  // namespace cascade::rebuild
