// ELF header, program and section header tables, and the pieces that hang off them.
#include <algorithm>
#include <cstring>

#include "core/entropy.h"
#include "formats/elf/elf_image.h"
#include "formats/elf/elf_internal.h"

namespace cascade::elf {

namespace {

using detail::Context;
using detail::saturating_end;

constexpr std::uint8_t kClass32 = 1;
constexpr std::uint8_t kClass64 = 2;
constexpr std::uint8_t kData2Lsb = 1;
constexpr std::uint8_t kData2Msb = 2;

struct Header {
  std::uint16_t type = 0, machine = 0;
  std::uint32_t version = 0;
  std::uint64_t entry = 0, phoff = 0, shoff = 0;
  std::uint16_t ehsize = 0, phentsize = 0, phnum = 0, shentsize = 0, shnum = 0, shstrndx = 0;
};

struct RawSection {
  std::uint32_t name = 0, type = 0;
  std::uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  std::uint32_t link = 0, info = 0;
  std::uint64_t addralign = 0, entsize = 0;
};

bool has_magic(Bytes file) {
  return file.size() >= 4 && file[0] == 0x7f && file[1] == 'E' && file[2] == 'L' && file[3] == 'F';
}

std::size_t header_size(bool is_64) {
  return is_64 ? 64 : 52;
}
std::size_t phdr_size(bool is_64) {
  return is_64 ? 56 : 32;
}
std::size_t shdr_size(bool is_64) {
  return is_64 ? 64 : 40;
}

std::optional<Header> read_header(const Context& ctx) {
  auto bytes =
      slice(ctx.file, detail::kIdentSize, header_size(ctx.image.is_64) - detail::kIdentSize);
  if (!bytes) return std::nullopt;
  auto r = ctx.reader(*bytes);
  Header h;
  auto type = r.u16();
  auto machine = r.u16();
  auto version = r.u32();
  auto entry = r.word();
  auto phoff = r.word();
  auto shoff = r.word();
  r.skip(4);  // e_flags
  auto ehsize = r.u16();
  auto phentsize = r.u16();
  auto phnum = r.u16();
  auto shentsize = r.u16();
  auto shnum = r.u16();
  auto shstrndx = r.u16();
  if (!shstrndx) return std::nullopt;
  h.type = *type;
  h.machine = *machine;
  h.version = *version;
  h.entry = *entry;
  h.phoff = *phoff;
  h.shoff = *shoff;
  h.ehsize = *ehsize;
  h.phentsize = *phentsize;
  h.phnum = *phnum;
  h.shentsize = *shentsize;
  h.shnum = *shnum;
  h.shstrndx = *shstrndx;
  return h;
}

// One section header; the caller has checked that `bytes` holds a whole entry.
RawSection read_section_header(const Context& ctx, Bytes bytes) {
  auto r = ctx.reader(bytes);
  RawSection s;
  s.name = r.u32().value_or(0);
  s.type = r.u32().value_or(0);
  s.flags = r.word().value_or(0);
  s.addr = r.word().value_or(0);
  s.offset = r.word().value_or(0);
  s.size = r.word().value_or(0);
  s.link = r.u32().value_or(0);
  s.info = r.u32().value_or(0);
  s.addralign = r.word().value_or(0);
  s.entsize = r.word().value_or(0);
  return s;
}

ProgramHeader read_program_header(const Context& ctx, Bytes bytes) {
  auto r = ctx.reader(bytes);
  ProgramHeader p;
  p.type = r.u32().value_or(0);
  if (ctx.image.is_64) {
    p.flags = r.u32().value_or(0);
    p.offset = r.word().value_or(0);
    p.vaddr = r.word().value_or(0);
    r.skip(8);  // p_paddr
    p.filesz = r.word().value_or(0);
    p.memsz = r.word().value_or(0);
    p.align = r.word().value_or(0);
  } else {
    p.offset = r.word().value_or(0);
    p.vaddr = r.word().value_or(0);
    r.skip(4);  // p_paddr
    p.filesz = r.word().value_or(0);
    p.memsz = r.word().value_or(0);
    p.flags = r.u32().value_or(0);
    p.align = r.word().value_or(0);
  }
  return p;
}

// Section 0 holds the real counts when they overflow the header's 16-bit fields.
std::optional<RawSection> first_section(const Context& ctx, const Header& h) {
  if (h.shoff == 0 || h.shentsize < shdr_size(ctx.image.is_64)) return std::nullopt;
  auto bytes = slice(ctx.file, h.shoff, shdr_size(ctx.image.is_64));
  if (!bytes) return std::nullopt;
  return read_section_header(ctx, *bytes);
}

std::uint64_t clamp_end(Bytes file, std::uint64_t offset, std::uint64_t size) {
  return std::min<std::uint64_t>(saturating_end(offset, size), file.size());
}

void parse_sections(Context& ctx, const Header& h, const std::optional<RawSection>& first) {
  ElfImage& image = ctx.image;
  if (h.shoff == 0) {
    if (h.shnum != 0) ctx.anomaly("e_shnum is " + std::to_string(h.shnum) + " but e_shoff is 0");
    return;
  }
  if (h.shentsize < shdr_size(image.is_64)) {
    ctx.anomaly("e_shentsize is " + std::to_string(h.shentsize) + "; section headers ignored");
    return;
  }
  std::uint64_t count = h.shnum;
  if (count == 0) {
    if (!first) {
      ctx.anomaly("section header table lies outside the file");
      return;
    }
    count = first->size;  // extended numbering (or an empty table)
  }
  if (count > detail::kMaxSections) {
    ctx.anomaly("section count " + std::to_string(count) + " exceeds the cap");
    count = detail::kMaxSections;
  }
  auto table = slice(ctx.file, h.shoff, count * h.shentsize);
  if (!table) {
    ctx.anomaly("section header table lies outside the file; section headers ignored");
    return;
  }
  image.end_of_content = std::max(image.end_of_content, h.shoff + table->size());
  std::vector<RawSection> raw;
  raw.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    raw.push_back(read_section_header(ctx, table->subspan(i * h.shentsize, h.shentsize)));
  }

  std::uint64_t names_index = h.shstrndx;
  if (names_index == detail::kShnXindex && first) names_index = first->link;
  std::optional<Bytes> names;
  if (names_index != 0 && names_index < raw.size()) {
    const RawSection& s = raw[static_cast<std::size_t>(names_index)];
    if (s.type != kShtNobits) names = slice(ctx.file, s.offset, s.size);
    if (!names) ctx.anomaly("section name table lies outside the file");
  } else if (names_index != 0) {
    ctx.anomaly("e_shstrndx " + std::to_string(names_index) + " is out of range");
  }

  std::size_t bad_names = 0, name_bytes = 0;
  image.sections.reserve(raw.size());
  ctx.links.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const RawSection& r = raw[i];
    Section s;
    if (names && name_bytes <= detail::kMaxSectionNameBytes) {
      auto name =
          names->empty() ? std::nullopt : load_cstring(*names, r.name, detail::kMaxNameLength);
      if (name) {
        name_bytes += name->size();
        s.name = std::move(*name);
      } else {
        ++bad_names;
      }
      if (name_bytes > detail::kMaxSectionNameBytes) {
        ctx.anomaly("section names exceed the cap of " +
                    std::to_string(detail::kMaxSectionNameBytes) + " bytes");
      }
    }
    s.type = r.type;
    s.flags = r.flags;
    s.addr = r.addr;
    s.offset = r.offset;
    s.size = r.size;
    if (r.type != kShtNobits && r.size != 0) {
      if (!slice(ctx.file, r.offset, r.size)) {
        ctx.anomaly("section " + std::to_string(i) + " (" + s.name +
                    ") extends past the end of file");
      }
      image.end_of_content = std::max(image.end_of_content, clamp_end(ctx.file, r.offset, r.size));
    }
    if (r.type == kShtSymtab) image.stripped = false;
    image.sections.push_back(std::move(s));
    ctx.links.push_back({r.link, r.info, r.addralign, r.entsize});
  }
  if (bad_names != 0) {
    ctx.anomaly(std::to_string(bad_names) + " section names lie outside the name table");
  }
}

// See ElfImage::debug_only. The section headers decide, since the segments describe the
// original; what the flag excuses is only data missing from the file, which a loader could not
// use either.
bool is_debug_only(const ElfImage& image) {
  if (image.type != kTypeExec && image.type != kTypeDyn) return false;
  bool code = false;
  for (const auto& s : image.sections) {
    if ((s.flags & kShfAlloc) == 0 || s.size == 0) continue;
    if (s.type != kShtNobits && s.type != kShtNote) return false;
    code = code || (s.flags & kShfExecInstr) != 0;
  }
  return code;
}

void parse_segments(Context& ctx, const Header& h, Bytes table, std::uint64_t count) {
  ElfImage& image = ctx.image;
  image.segments.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    image.segments.push_back(
        read_program_header(ctx, table.subspan(i * h.phentsize, phdr_size(image.is_64))));
  }
  std::size_t interps = 0, stacks = 0;
  for (std::size_t i = 0; i < image.segments.size(); ++i) {
    const ProgramHeader& p = image.segments[i];
    const bool in_file = p.filesz != 0 && slice(ctx.file, p.offset, p.filesz).has_value();
    if (p.filesz != 0) {
      if (!in_file && !image.debug_only) {
        ctx.anomaly("segment " + std::to_string(i) + " (" + segment_type_name(p.type) +
                    ") extends past the end of file");
      }
      image.end_of_content =
          std::max(image.end_of_content, clamp_end(ctx.file, p.offset, p.filesz));
    }
    if (p.type == kPtGnuStack) {
      // The kernel takes the last PT_GNU_STACK.
      image.has_gnu_stack = true;
      image.exec_stack = p.executable();
      ++stacks;
    }
    if (p.type != kPtInterp || interps++ != 0) continue;
    // A debug-only file's .interp is SHT_NOBITS: objcopy empties PT_INTERP, eu-strip leaves it
    // pointing where the original had it.
    if (image.debug_only && !in_file) continue;
    if (p.filesz == 0) {
      ctx.anomaly("PT_INTERP is empty");
      continue;
    }
    auto bytes = tail(ctx.file, p.offset);
    if (!bytes) {
      ctx.anomaly("PT_INTERP lies outside the file");
      continue;
    }
    const std::size_t limit =
        static_cast<std::size_t>(std::min<std::uint64_t>(p.filesz, bytes->size()));
    const Bytes text = bytes->first(std::min(limit, detail::kMaxNameLength));
    const void* nul = text.empty() ? nullptr : std::memchr(text.data(), 0, text.size());
    const std::size_t len =
        nul == nullptr
            ? text.size()
            : static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - text.data());
    if (nul == nullptr) ctx.anomaly("PT_INTERP is not NUL-terminated");
    image.interpreter = std::string(reinterpret_cast<const char*>(text.data()), len);
  }
  if (interps > 1) ctx.anomaly(std::to_string(interps) + " PT_INTERP segments");
  if (stacks > 1) ctx.anomaly(std::to_string(stacks) + " PT_GNU_STACK segments");
}

}  // namespace

bool looks_like_elf(Bytes file) {
  return has_magic(file) && file.size() >= detail::kIdentSize &&
         (file[4] == kClass32 || file[4] == kClass64) &&
         (file[5] == kData2Lsb || file[5] == kData2Msb);
}

Result<ElfImage> parse_elf(Bytes file) {
  if (!has_magic(file)) return make_error(ErrorCode::kMalformed, "not an ELF file (no magic)");
  if (file.size() < detail::kIdentSize) {
    return make_error(ErrorCode::kTruncated, "file too short for e_ident");
  }
  if (file[4] != kClass32 && file[4] != kClass64) {
    return make_error(ErrorCode::kUnsupported, "unknown ELF class " + std::to_string(file[4]));
  }
  if (file[5] != kData2Lsb && file[5] != kData2Msb) {
    return make_error(ErrorCode::kUnsupported,
                      "unknown ELF data encoding " + std::to_string(file[5]));
  }
  ElfImage image;
  image.is_64 = file[4] == kClass64;
  image.little_endian = file[5] == kData2Lsb;
  image.osabi = file[7];
  image.stripped = true;  // until a SHT_SYMTAB section turns up
  Context ctx{file, image};
  if (file[6] != 1) ctx.anomaly("EI_VERSION is " + std::to_string(file[6]));

  auto header = read_header(ctx);
  if (!header) return make_error(ErrorCode::kTruncated, "truncated ELF header");
  const Header& h = *header;
  image.type = h.type;
  image.machine = h.machine;
  image.entry = h.entry;
  image.end_of_content = header_size(image.is_64);
  if (h.version != 1) ctx.anomaly("e_version is " + std::to_string(h.version));
  if (h.ehsize != header_size(image.is_64)) ctx.anomaly("e_ehsize is " + std::to_string(h.ehsize));

  const auto first = first_section(ctx, h);
  std::uint64_t phnum = h.phnum;
  if (phnum == detail::kPnXnum && first) phnum = first->info;
  if (phnum != 0) {
    if (h.phentsize < phdr_size(image.is_64)) {
      return make_error(ErrorCode::kMalformed, "e_phentsize is " + std::to_string(h.phentsize));
    }
    if (h.phentsize != phdr_size(image.is_64)) {
      ctx.anomaly("e_phentsize is " + std::to_string(h.phentsize));
    }
    if (phnum > detail::kMaxSegments) {
      ctx.anomaly("program header count " + std::to_string(phnum) + " exceeds the cap");
      phnum = detail::kMaxSegments;
    }
  }
  auto table = slice(file, h.phoff, phnum * h.phentsize);
  if (phnum != 0 && !table) {
    return make_error(ErrorCode::kTruncated, "program header table extends past the end of file");
  }
  if (phnum != 0) {
    image.end_of_content = std::max(image.end_of_content, h.phoff + table->size());
  }

  parse_sections(ctx, h, first);
  image.debug_only = is_debug_only(image);
  if (phnum != 0) parse_segments(ctx, h, *table, phnum);
  detail::parse_dynamic(ctx);
  detail::parse_dynamic_symbols(ctx);
  detail::parse_notes(ctx);
  image.end_of_content = std::min<std::uint64_t>(image.end_of_content, file.size());
  return image;
}

void measure_contents(Bytes file, ElfImage& image) {
  // Linkers never overlap sections; a crafted table of 65535 sections that each claim the whole
  // file would cost 65535 passes. Measure at most a few times the file's size in all.
  const std::uint64_t budget = 4 * std::uint64_t{file.size()} + (std::uint64_t{1} << 20);
  std::uint64_t measured = 0;
  for (auto& s : image.sections) {
    auto bytes = section_bytes(file, s);
    if (!bytes) continue;
    if (bytes->size() > budget - measured) {
      image.anomalies.emplace_back("overlapping sections: entropy left unmeasured past " +
                                   std::to_string(measured) + " bytes");
      return;
    }
    measured += bytes->size();
    s.entropy = shannon_entropy(*bytes);
  }
}

std::optional<Bytes> section_bytes(Bytes file, const Section& s) {
  if (s.type == kShtNobits || s.size == 0) return std::nullopt;
  auto bytes = slice(file, s.offset, s.size);
  if (bytes) return bytes;
  auto rest = tail(file, s.offset);
  if (!rest || rest->empty()) return std::nullopt;
  return rest;
}

namespace detail {

void Context::anomaly(std::string message) {
  // The same damage seen twice (a note through its section and its segment) is one anomaly.
  if (std::find(image.anomalies.begin(), image.anomalies.end(), message) != image.anomalies.end()) {
    return;
  }
  ++anomaly_count;
  if (anomaly_count <= kMaxAnomalies) {
    image.anomalies.push_back(std::move(message));
  } else if (anomaly_count == kMaxAnomalies + 1) {
    image.anomalies.emplace_back("further anomalies omitted");
  }
}

std::optional<Context::Mapping> Context::mapping_of(std::uint64_t vaddr) const {
  // Like the loader (and readelf), only PT_LOAD segments map addresses; a file without any (an
  // object file, or one whose program headers are gone) maps through its allocated sections.
  bool any_load = false;
  std::optional<Mapping> found;
  for (const auto& p : image.segments) {
    if (p.type != kPtLoad) continue;
    any_load = true;
    if (vaddr < p.vaddr || vaddr - p.vaddr >= p.filesz) continue;
    found = Mapping{saturating_end(p.offset, vaddr - p.vaddr), saturating_end(p.offset, p.filesz)};
    break;
  }
  for (std::size_t i = 0; !any_load && !found && i < image.sections.size(); ++i) {
    const Section& s = image.sections[i];
    if ((s.flags & kShfAlloc) == 0 || s.type == kShtNobits) continue;
    if (vaddr < s.addr || vaddr - s.addr >= s.size) continue;
    found = Mapping{saturating_end(s.offset, vaddr - s.addr), saturating_end(s.offset, s.size)};
  }
  if (!found || found->offset >= file.size()) return std::nullopt;
  found->end = std::min<std::uint64_t>(found->end, file.size());
  return found;
}

std::optional<std::uint64_t> Context::offset_of(std::uint64_t vaddr) const {
  auto mapping = mapping_of(vaddr);
  if (!mapping) return std::nullopt;
  return mapping->offset;
}

std::optional<Bytes> Context::bytes_at_vaddr(std::uint64_t vaddr) const {
  auto mapping = mapping_of(vaddr);
  if (!mapping) return std::nullopt;
  return slice(file, mapping->offset, mapping->end - mapping->offset);
}

std::optional<Bytes> Context::section_data(std::size_t index) const {
  if (index >= image.sections.size()) return std::nullopt;
  return section_bytes(file, image.sections[index]);
}

std::optional<std::size_t> Context::find_section(std::uint32_t type) const {
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    if (image.sections[i].type == type) return i;
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace cascade::elf
