#include <algorithm>
#include <cstring>

#include "core/digest.h"
#include "core/entropy.h"
#include "formats/pe/pe_image.h"
#include "formats/pe/pe_internal.h"

namespace cascade::pe {

namespace {

constexpr std::uint16_t kMagicPe32 = 0x10b;
constexpr std::uint16_t kMagicPe32Plus = 0x20b;
constexpr std::size_t kSectionHeaderSize = 40;
constexpr std::uint32_t kMaxDirectories = 16;

// Long section names ("/4") point into the COFF string table (mingw uses them for debug
// sections); resolve them as llvm-readobj does, keeping the raw name when that fails.
std::string section_name(Bytes file, Bytes raw_name, std::uint32_t symtab_offset,
                         std::uint32_t symbol_count) {
  std::string name(reinterpret_cast<const char*>(raw_name.data()), raw_name.size());
  name.resize(std::strlen(name.c_str()));
  if (name.size() < 2 || name[0] != '/' || symtab_offset == 0) return name;
  std::uint64_t index = 0;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return name;
    index = index * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  const std::uint64_t strtab = std::uint64_t{symtab_offset} + std::uint64_t{symbol_count} * 18;
  auto resolved = load_cstring(file, strtab + index, detail::kMaxNameLength);
  return resolved && !resolved->empty() ? *resolved : name;
}

}  // namespace

bool looks_like_pe(Bytes file) {
  if (file.size() < 0x40 || file[0] != 'M' || file[1] != 'Z') return false;
  auto lfanew = load_u32le(file, 0x3c);
  auto sig = lfanew ? load_u32le(file, *lfanew) : std::nullopt;
  return sig && *sig == 0x00004550;  // "PE\0\0"
}

Result<PeImage> parse_pe(Bytes file) {
  if (file.size() < 2 || file[0] != 'M' || file[1] != 'Z')
    return make_error(ErrorCode::kMalformed, "not a PE file (no MZ header)");
  if (file.size() < 0x40)
    return make_error(ErrorCode::kTruncated, "file too short for a DOS header");
  PeImage image;
  image.pe_header_offset = *load_u32le(file, 0x3c);
  auto headers = tail(file, image.pe_header_offset);
  if (!headers) return make_error(ErrorCode::kTruncated, "e_lfanew points past the end of file");
  ByteReader r(*headers);
  auto signature = r.u32le();
  if (!signature) return make_error(ErrorCode::kTruncated, "truncated PE signature");
  if (*signature != 0x00004550) return make_error(ErrorCode::kMalformed, "no PE signature");

  auto machine = r.u16le();
  auto section_count = r.u16le();
  auto timestamp = r.u32le();
  auto symtab = r.u32le();
  auto symbols = r.u32le();
  auto optional_size = r.u16le();
  auto characteristics = r.u16le();
  if (!characteristics) return make_error(ErrorCode::kTruncated, "truncated COFF header");
  image.machine = *machine;
  image.timestamp = *timestamp;
  image.characteristics = *characteristics;

  auto optional = r.take_reader(*optional_size);
  if (!optional) return make_error(ErrorCode::kTruncated, "truncated optional header");
  const std::uint64_t optional_offset = std::uint64_t{image.pe_header_offset} + 24;
  ByteReader opt = *optional;
  auto magic = opt.u16le();
  if (!magic || (*magic != kMagicPe32 && *magic != kMagicPe32Plus))
    return make_error(ErrorCode::kMalformed, "unknown optional header magic");
  image.pe32_plus = *magic == kMagicPe32Plus;
  // Fixed fields of both layouts; PE32 has BaseOfData and a 32-bit ImageBase where PE32+ has a
  // 64-bit ImageBase, and 32- vs 64-bit stack/heap sizes.
  ByteReader o = *optional;
  std::optional<std::uint32_t> entry, section_alignment, file_alignment, size_of_image,
      size_of_headers, checksum, directory_count;
  std::optional<std::uint16_t> subsystem, dll_characteristics;
  std::optional<std::uint64_t> image_base;
  bool header_ok = o.skip(16) && (entry = o.u32le()) && o.skip(4);
  if (header_ok && !image.pe32_plus) {
    header_ok = o.skip(4) && (image_base = o.u32le());
  } else if (header_ok) {
    header_ok = static_cast<bool>(image_base = o.u64le());
  }
  header_ok = header_ok && (section_alignment = o.u32le()) && (file_alignment = o.u32le()) &&
              o.skip(16) && (size_of_image = o.u32le()) && (size_of_headers = o.u32le()) &&
              (checksum = o.u32le()) && (subsystem = o.u16le()) &&
              (dll_characteristics = o.u16le()) && o.skip(image.pe32_plus ? 32 : 16) && o.skip(4) &&
              (directory_count = o.u32le());
  if (!header_ok) return make_error(ErrorCode::kTruncated, "truncated optional header");
  image.entry_point = *entry;
  image.image_base = *image_base;
  image.section_alignment = *section_alignment;
  image.file_alignment = *file_alignment;
  image.size_of_image = *size_of_image;
  image.size_of_headers = *size_of_headers;
  image.checksum_stored = *checksum;
  image.subsystem = *subsystem;
  image.dll_characteristics = *dll_characteristics;
  image.checksum_field_offset = optional_offset + 64;

  // The loader honours at most 16 directories however many the header claims.
  const std::uint64_t directories_offset = optional_offset + (image.pe32_plus ? 112 : 96);
  const std::uint32_t directory_total = std::min(*directory_count, kMaxDirectories);
  if (*directory_count > kMaxDirectories)
    image.anomalies.push_back("NumberOfRvaAndSizes is " + std::to_string(*directory_count));
  for (std::uint32_t i = 0; i < directory_total; ++i) {
    auto va = o.u32le();
    auto size = o.u32le();
    if (!size) break;  // directories cut short by SizeOfOptionalHeader are simply absent
    image.directories.push_back({*va, *size});
    if (i == kDirSecurity) image.security_entry_offset = directories_offset + 8 * std::uint64_t{i};
  }

  auto section_table = r.take(std::uint64_t{*section_count} * kSectionHeaderSize);
  if (!section_table) return make_error(ErrorCode::kTruncated, "truncated section table");
  ByteReader st(*section_table);
  image.end_of_sections = std::min<std::uint64_t>(image.size_of_headers, file.size());
  for (std::uint16_t i = 0; i < *section_count; ++i) {
    Section s;
    auto raw_name = st.take(8);
    auto vsize = st.u32le();
    auto va = st.u32le();
    auto raw_size = st.u32le();
    auto raw_offset = st.u32le();
    st.skip(12);
    auto flags = st.u32le();
    if (!flags) return make_error(ErrorCode::kTruncated, "truncated section header");
    s.name = section_name(file, *raw_name, *symtab, *symbols);
    s.virtual_size = *vsize;
    s.virtual_address = *va;
    s.raw_size = *raw_size;
    s.raw_offset = *raw_offset;
    s.characteristics = *flags;
    if (s.raw_size != 0) {
      if (!slice(file, s.raw_offset, s.raw_size)) {
        image.anomalies.push_back("section " + s.name + " raw data extends past end of file");
      }
      image.end_of_sections =
          std::max(image.end_of_sections,
                   std::min<std::uint64_t>(std::uint64_t{s.raw_offset} + s.raw_size, file.size()));
    }
    image.sections.push_back(std::move(s));
  }

  detail::parse_imports(file, image);
  detail::parse_delay_imports(file, image);
  detail::parse_exports(file, image);
  detail::parse_version_resource(file, image);
  return image;
}

std::uint32_t finish_checksum(Bytes file, std::uint64_t dword_sum,
                              std::uint64_t checksum_field_offset) {
  // pefile and imagehlp: one's-complement sum of the little-endian dwords with the dword holding
  // the CheckSum field skipped (here: one's-complement subtracted), the trailing bytes as one
  // zero-padded dword, folded to 16 bits, plus the file length.
  const std::size_t dwords = file.size() / 4;
  const std::uint64_t skip = checksum_field_offset / 4;
  std::uint64_t sum = dword_sum;
  if (skip < dwords) {
    std::uint32_t dword;
    std::memcpy(&dword, file.data() + skip * 4, 4);
    sum += ~dword;
  }
  if (const std::size_t rest = file.size() % 4; rest != 0 && dwords != skip) {
    std::uint32_t dword = 0;
    std::memcpy(&dword, file.data() + dwords * 4, rest);
    sum += dword;
  }
  while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
  std::uint64_t folded = (sum & 0xffff) + (sum >> 16);
  folded = (folded + (folded >> 16)) & 0xffff;
  return static_cast<std::uint32_t>(folded + file.size());
}

std::uint32_t compute_checksum(Bytes file, std::uint64_t checksum_field_offset) {
  return finish_checksum(file, sum_dwords(file), checksum_field_offset);
}

void measure_contents(Bytes file, PeImage& image) {
  image.checksum_computed = compute_checksum(file, image.checksum_field_offset);
  for (auto& s : image.sections) {
    if (auto raw = section_bytes(file, s)) s.entropy = shannon_entropy(*raw);
  }
}

std::optional<Bytes> section_bytes(Bytes file, const Section& section) {
  if (section.raw_size == 0) return std::nullopt;
  auto raw = slice(file, section.raw_offset, section.raw_size);
  return raw ? raw : tail(file, section.raw_offset);
}

namespace detail {

std::optional<std::uint64_t> RvaMapper::offset_of(std::uint64_t rva) const {
  if (rva < image_.size_of_headers && rva < file_.size()) return rva;
  for (const auto& s : image_.sections) {
    const std::uint64_t span = std::max(s.virtual_size, s.raw_size);
    if (rva < s.virtual_address || rva - s.virtual_address >= span) continue;
    const std::uint64_t delta = rva - s.virtual_address;
    if (delta >= s.raw_size) return std::nullopt;  // zero-filled by the loader, not in the file
    // The loader rounds PointerToRawData down to 512 when FileAlignment allows it.
    const std::uint64_t base =
        image_.file_alignment >= 0x200 ? (s.raw_offset & ~0x1ffULL) : s.raw_offset;
    const std::uint64_t offset = base + delta;
    if (offset >= file_.size()) return std::nullopt;
    return offset;
  }
  return std::nullopt;
}

std::optional<Bytes> RvaMapper::bytes_at(std::uint64_t rva, std::uint64_t length) const {
  auto offset = offset_of(rva);
  if (!offset) return std::nullopt;
  return slice(file_, *offset, length);
}

std::optional<Bytes> RvaMapper::bytes_from(std::uint64_t rva) const {
  auto offset = offset_of(rva);
  if (!offset) return std::nullopt;
  return tail(file_, *offset);
}

std::optional<std::string> RvaMapper::cstring_at(std::uint64_t rva, std::size_t max_len) const {
  auto bytes = bytes_from(rva);
  if (!bytes) return std::nullopt;
  return ByteReader(*bytes).cstring(max_len);
}

bool is_valid_function_name(const std::string& name) {
  // pefile's rule: letters, digits and the characters of mangled C++ names.
  static constexpr std::string_view kExtra = "._?@$()<>";
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x80 && std::isalnum(u)) || kExtra.find(c) != std::string_view::npos;
  });
}

}  // namespace detail
}  // namespace cascade::pe
