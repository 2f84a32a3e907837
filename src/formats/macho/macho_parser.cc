// Mach-O detection, fat headers, the mach header and the load command walk.
#include <algorithm>
#include <cstring>

#include "core/entropy.h"
#include "formats/macho/codesign.h"
#include "formats/macho/macho_image.h"
#include "formats/macho/macho_internal.h"

namespace cascade::macho {

namespace {

constexpr std::uint32_t kSectionTypeMask = 0xff;
constexpr std::uint32_t kZeroFill = 0x1;
constexpr std::uint32_t kGbZeroFill = 0xc;
constexpr std::uint32_t kThreadLocalZeroFill = 0x12;

bool is_thin_magic(std::uint32_t magic_le) {
  return magic_le == detail::kMhMagic || magic_le == detail::kMhMagic64 ||
         magic_le == detail::kMhCigam || magic_le == detail::kMhCigam64;
}

bool has_file_data(const Section& s) {
  const std::uint32_t type = s.flags & kSectionTypeMask;
  return s.offset != 0 && s.size != 0 && type != kZeroFill && type != kGbZeroFill &&
         type != kThreadLocalZeroFill;
}

// Section data present in the slice, cut at its end (zero-fill sections have none).
std::optional<Bytes> section_data(Bytes slice, const Section& s) {
  if (!has_file_data(s)) return std::nullopt;
  auto rest = tail(slice, s.offset);
  if (!rest || rest->empty()) return std::nullopt;
  return rest->first(std::min<std::uint64_t>(rest->size(), s.size));
}

// Segments whose file ranges overlap, and sections outside their segment's file range.
void check_layout(Bytes slice, MachoImage& image) {
  std::vector<const Segment*> in_file;
  for (const auto& seg : image.segments) {
    if (seg.filesize != 0) in_file.push_back(&seg);
    for (const auto& s : seg.sections) {
      if (!has_file_data(s)) continue;
      const std::string what = "section " + s.segment + "," + s.name;
      auto data = section_data(slice, s);
      if (!data) {
        image.anomalies.push_back(what + " starts past the end of the file");
        continue;
      }
      if (data->size() < s.size)
        image.anomalies.push_back(what + " extends past the end of the file");
      // Object files have one unnamed segment holding every section; check only named ones.
      if (!seg.name.empty() && (s.offset < seg.fileoff || s.offset - seg.fileoff > seg.filesize ||
                                s.size > seg.filesize - (s.offset - seg.fileoff)))
        image.anomalies.push_back(what + " lies outside segment " + seg.name + " in the file");
    }
  }
  std::sort(in_file.begin(), in_file.end(),
            [](const Segment* a, const Segment* b) { return a->fileoff < b->fileoff; });
  for (std::size_t i = 1; i < in_file.size(); ++i) {
    const Segment& prev = *in_file[i - 1];
    if (in_file[i]->fileoff - prev.fileoff < prev.filesize)
      image.anomalies.push_back("segments " + prev.name + " and " + in_file[i]->name +
                                " overlap in the file");
  }
}

}  // namespace

namespace detail {

std::optional<std::string> Reader::fixed_name(std::size_t size) {
  auto raw = r_.take(size);
  if (!raw) return std::nullopt;
  std::string name(reinterpret_cast<const char*>(raw->data()), raw->size());
  name.resize(std::strlen(name.c_str()));
  return name;
}

std::optional<std::string> command_string(const RawCommand& command, std::uint32_t offset,
                                          const char* what, std::vector<std::string>& anomalies) {
  auto rest = tail(command.bytes, offset);
  if (offset < 8 || !rest) {
    anomalies.push_back(std::string(what) + " string offset " + std::to_string(offset) +
                        " lies outside its load command");
    return std::nullopt;
  }
  if (auto s = ByteReader(*rest).cstring(kMaxNameLength)) return s;
  const Bytes cut = rest->first(std::min(rest->size(), kMaxNameLength));
  anomalies.push_back(std::string(what) + " string is not terminated inside its load command");
  std::string s(reinterpret_cast<const char*>(cut.data()), cut.size());
  s.resize(std::strlen(s.c_str()));
  return s;
}

void note_range(Bytes slice, std::uint64_t offset, std::uint64_t size, const std::string& what,
                MachoImage& image) {
  if (size == 0) return;
  if (!cascade::slice(slice, offset, size))
    image.anomalies.push_back(what + " extends past the end of the file");
  if (offset < slice.size()) {
    const std::uint64_t end = offset + std::min<std::uint64_t>(size, slice.size() - offset);
    image.end_of_content = std::max(image.end_of_content, end);
  }
}

}  // namespace detail

Kind detect(Bytes file) {
  auto magic_le = load_u32le(file, 0);
  if (!magic_le) return Kind::kNone;
  if (is_thin_magic(*magic_le)) return Kind::kThin;
  ByteReader r(file);
  auto magic = r.u32be();
  if (*magic != detail::kFatMagic && *magic != detail::kFatMagic64) return Kind::kNone;
  auto count = r.u32be();
  if (!count) return Kind::kNone;  // too short to say
  if (parse_fat(file).ok()) return Kind::kFat;
  const std::uint32_t minor = *count >> 16;
  const std::uint32_t major = *count & 0xffff;
  const bool java_version = (minor == 0 || minor == 0xffff) && major >= 45 && major <= 99;
  return *magic == detail::kFatMagic && java_version ? Kind::kNone : Kind::kFat;
}

FatTable read_fat(Bytes file) {
  FatTable out;
  ByteReader r(file);
  auto magic = r.u32be();
  auto count = r.u32be();
  if (!magic || !count || (*magic != detail::kFatMagic && *magic != detail::kFatMagic64)) {
    out.problems.push_back("not a fat Mach-O header");
    return out;
  }
  const bool wide = *magic == detail::kFatMagic64;
  const std::uint64_t entry_size = wide ? 32 : 20;
  std::uint64_t entries = *count;
  if (entries == 0) out.problems.push_back("the fat header declares no slices");
  if (entries > detail::kMaxFatSlices) {
    out.problems.push_back("the fat header declares " + std::to_string(*count) +
                           " slices; the first " + std::to_string(detail::kMaxFatSlices) +
                           " entries were read");
    entries = detail::kMaxFatSlices;
  }
  const std::uint64_t room = (file.size() - 8) / entry_size;
  if (entries > room) {
    out.problems.push_back("the fat slice table runs past the end of the file; " +
                           std::to_string(room) + " entries were read");
    entries = room;
  }
  const std::uint64_t header_end = 8 + entry_size * entries;
  for (std::uint64_t i = 0; i < entries; ++i) {
    FatSlice s;
    s.cputype = *r.u32be();
    s.cpusubtype = *r.u32be();
    if (wide) {
      s.offset = *r.u64be();
      s.size = *r.u64be();
      s.align = *r.u32be();
      r.skip(4);
    } else {
      s.offset = *r.u32be();
      s.size = *r.u32be();
      s.align = *r.u32be();
    }
    const std::string which = "fat slice " + std::to_string(i);
    if (s.offset < header_end) {
      out.problems.push_back(which + " starts inside the fat header (offset " +
                             std::to_string(s.offset) + ")");
      continue;
    }
    if (!slice(file, s.offset, s.size)) {
      out.problems.push_back(which + " (offset " + std::to_string(s.offset) + ", size " +
                             std::to_string(s.size) + ") lies outside the file");
      continue;
    }
    for (const auto& other : out.slices) {
      if (s.offset < other.offset + other.size && other.offset < s.offset + s.size) {
        out.problems.push_back(which + " overlaps an earlier slice");
        break;
      }
    }
    out.slices.push_back(s);
  }
  return out;
}

Result<std::vector<FatSlice>> parse_fat(Bytes file) {
  // The strict reading: the lenient one, refused at its first problem.
  FatTable table = read_fat(file);
  if (!table.problems.empty()) return make_error(ErrorCode::kMalformed, table.problems.front());
  return std::move(table.slices);
}

std::optional<Bytes> slice_bytes(Bytes file, const FatSlice& s) {
  return slice(file, s.offset, s.size);
}

Result<MachoImage> parse_macho(Bytes slice) {
  auto magic_le = load_u32le(slice, 0);
  if (!magic_le) return make_error(ErrorCode::kTruncated, "file too short for a Mach-O header");
  if (!is_thin_magic(*magic_le)) return make_error(ErrorCode::kMalformed, "not a thin Mach-O file");
  MachoImage image;
  image.is_64 = *magic_le == detail::kMhMagic64 || *magic_le == detail::kMhCigam64;
  image.big_endian = *magic_le == detail::kMhCigam || *magic_le == detail::kMhCigam64;
  detail::Reader r(slice, image.big_endian);
  r.skip(4);
  auto cputype = r.u32();
  auto cpusubtype = r.u32();
  auto filetype = r.u32();
  auto ncmds = r.u32();
  auto sizeofcmds = r.u32();
  auto flags = r.u32();
  if (!flags || (image.is_64 && !r.skip(4)))
    return make_error(ErrorCode::kTruncated, "truncated Mach-O header");
  image.cputype = *cputype;
  image.cpusubtype = *cpusubtype;
  image.filetype = *filetype;
  image.flags = *flags;
  const std::uint64_t header_size = image.is_64 ? 32 : 28;
  image.end_of_content = header_size;

  // The load commands: each must fit in sizeofcmds and in the file; the walk stops at the first
  // that does not (what follows cannot be located reliably).
  const Bytes after_header = *tail(slice, header_size);
  if (*sizeofcmds > after_header.size())
    image.anomalies.push_back("load commands (sizeofcmds " + std::to_string(*sizeofcmds) +
                              ") extend past the end of the file");
  const Bytes commands =
      after_header.first(std::min<std::uint64_t>(*sizeofcmds, after_header.size()));
  image.end_of_content = header_size + commands.size();
  std::uint32_t count = *ncmds;
  if (count > detail::kMaxLoadCommands) {
    image.anomalies.push_back("header declares " + std::to_string(count) +
                              " load commands; read the first " +
                              std::to_string(detail::kMaxLoadCommands));
    count = detail::kMaxLoadCommands;
  }
  const std::uint32_t alignment = image.is_64 ? 8 : 4;
  std::uint64_t position = 0;
  bool walk_complete = true;
  std::optional<detail::RawCommand> symtab, dysymtab, code_signature;
  for (std::uint32_t i = 0; i < count; ++i) {
    detail::Reader cr(*tail(commands, position), image.big_endian);
    auto cmd = cr.u32();
    auto cmdsize = cr.u32();
    if (!cmdsize) {
      image.anomalies.push_back("load command " + std::to_string(i) +
                                " lies past the end of the load commands");
      walk_complete = false;
      break;
    }
    if (*cmdsize < 8 || *cmdsize > commands.size() - position) {
      image.anomalies.push_back("load command " + std::to_string(i) + " (" +
                                load_command_name(*cmd) + ") has size " + std::to_string(*cmdsize));
      walk_complete = false;
      break;
    }
    if (*cmdsize % alignment != 0)
      image.anomalies.push_back("load command " + std::to_string(i) + " (" +
                                load_command_name(*cmd) + ") size " + std::to_string(*cmdsize) +
                                " is not a multiple of " + std::to_string(alignment));
    detail::RawCommand raw{*cmd, header_size + position, commands.subspan(position, *cmdsize)};
    image.load_commands.push_back({*cmd, load_command_name(*cmd), *cmdsize, raw.offset});
    position += *cmdsize;
    auto keep_first = [&](std::optional<detail::RawCommand>& slot) {
      if (slot) {
        image.anomalies.push_back("more than one " + load_command_name(*cmd) +
                                  "; the first is used");
      } else {
        slot = raw;
      }
    };
    switch (*cmd) {
      case detail::kLcSymtab:
        keep_first(symtab);
        break;
      case detail::kLcDysymtab:
        keep_first(dysymtab);
        break;
      case detail::kLcCodeSignature:
        keep_first(code_signature);
        break;
      default:
        break;
    }
    detail::decode_load_command(slice, raw, image);
  }
  if (walk_complete && count == *ncmds && position != *sizeofcmds)
    image.anomalies.push_back("load commands take " + std::to_string(position) +
                              " bytes; sizeofcmds says " + std::to_string(*sizeofcmds));
  check_layout(slice, image);

  if (symtab) {
    std::vector<std::string> ordinal_libraries;
    for (const auto& d : image.dylibs) {
      if (d.kind != DylibKind::kId) ordinal_libraries.push_back(d.name);
    }
    detail::parse_symbols(slice, *symtab, dysymtab, ordinal_libraries, image);
  }
  if (code_signature) {
    detail::Reader cs(code_signature->bytes, image.big_endian);
    cs.skip(8);
    auto dataoff = cs.u32();
    auto datasize = cs.u32();
    if (!datasize) {
      image.anomalies.push_back("LC_CODE_SIGNATURE is truncated");
    } else {
      image.code_signature = parse_code_signature(slice, *dataoff, *datasize);
    }
  }
  return image;
}

void measure_contents(Bytes slice, MachoImage& image) {
  for (auto& seg : image.segments) {
    for (auto& s : seg.sections) {
      if (auto data = section_data(slice, s)) s.entropy = shannon_entropy(*data);
    }
  }
}

}  // namespace cascade::macho
