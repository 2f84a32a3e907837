// Decoding individual load commands into the model.
#include <cstdio>

#include "formats/macho/macho_image.h"
#include "formats/macho/macho_internal.h"

namespace cascade::macho::detail {

namespace {

void truncated(const RawCommand& command, MachoImage& image) {
  image.anomalies.push_back(load_command_name(command.cmd) + " at offset " +
                            std::to_string(command.offset) + " is too short for its fields");
}

// A reader over the command's fields after cmd and cmdsize.
Reader fields(const RawCommand& command, const MachoImage& image) {
  Reader r(command.bytes, image.big_endian);
  r.skip(8);
  return r;
}

void decode_segment(Bytes slice, const RawCommand& command, bool wide, MachoImage& image) {
  Reader r = fields(command, image);
  Segment seg;
  auto name = r.fixed_name(16);
  auto vmaddr = r.word(wide);
  auto vmsize = r.word(wide);
  auto fileoff = r.word(wide);
  auto filesize = r.word(wide);
  auto maxprot = r.u32();
  auto initprot = r.u32();
  auto nsects = r.u32();
  auto flags = r.u32();
  if (!flags) return truncated(command, image);
  seg.name = *name;
  seg.vmaddr = *vmaddr;
  seg.vmsize = *vmsize;
  seg.fileoff = *fileoff;
  seg.filesize = *filesize;
  seg.maxprot = *maxprot;
  seg.initprot = *initprot;
  note_range(slice, seg.fileoff, seg.filesize, "segment " + seg.name, image);
  if (seg.filesize > seg.vmsize)
    image.anomalies.push_back("segment " + seg.name + " is larger in the file than in memory");
  std::uint32_t count = *nsects;
  const std::uint64_t entry_size = wide ? 80 : 68;
  if (count > kMaxSectionsPerSegment) {
    image.anomalies.push_back("segment " + seg.name + " declares " + std::to_string(count) +
                              " sections; read the first " +
                              std::to_string(kMaxSectionsPerSegment));
    count = kMaxSectionsPerSegment;
  }
  if (r.remaining() / entry_size < count) {
    image.anomalies.push_back("segment " + seg.name + " declares " + std::to_string(*nsects) +
                              " sections, more than its load command holds");
    count = static_cast<std::uint32_t>(r.remaining() / entry_size);
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    Section s;
    s.name = *r.fixed_name(16);
    s.segment = *r.fixed_name(16);
    s.addr = *r.word(wide);
    s.size = *r.word(wide);
    s.offset = *r.u32();
    r.skip(4);  // align
    const std::uint32_t reloff = *r.u32();
    const std::uint32_t nreloc = *r.u32();
    s.flags = *r.u32();
    r.skip(wide ? 12 : 8);  // reserved1..2 (and reserved3)
    note_range(slice, reloff, std::uint64_t{nreloc} * 8, "relocations of section " + s.name, image);
    seg.sections.push_back(std::move(s));
  }
  image.segments.push_back(std::move(seg));
}

void decode_dylib(const RawCommand& command, DylibKind kind, MachoImage& image) {
  Reader r = fields(command, image);
  auto name_offset = r.u32();
  auto timestamp = r.u32();
  auto current = r.u32();
  auto compatibility = r.u32();
  if (!compatibility || !timestamp) return truncated(command, image);
  Dylib d;
  d.kind = kind;
  d.name = command_string(command, *name_offset, "dylib name", image.anomalies).value_or("");
  d.current_version = dylib_version(*current);
  d.compatibility_version = dylib_version(*compatibility);
  image.dylibs.push_back(std::move(d));
}

void decode_build_version(const RawCommand& command, MachoImage& image) {
  Reader r = fields(command, image);
  BuildVersion v;
  v.source = load_command_name(command.cmd);
  if (command.cmd == kLcBuildVersion) {
    auto platform = r.u32();
    auto minos = r.u32();
    auto sdk = r.u32();
    if (!sdk) return truncated(command, image);
    v.platform = platform_name(*platform);
    v.minos = platform_version(*minos);
    v.sdk = platform_version(*sdk);
  } else {
    auto version = r.u32();
    auto sdk = r.u32();
    if (!sdk) return truncated(command, image);
    v.platform = command.cmd == kLcVersionMinMacosx     ? "macos"
                 : command.cmd == kLcVersionMinIphoneos ? "ios"
                 : command.cmd == kLcVersionMinTvos     ? "tvos"
                                                        : "watchos";
    v.minos = platform_version(*version);
    v.sdk = platform_version(*sdk);
  }
  if (image.build_version) {
    image.anomalies.push_back("more than one build version command (" +
                              image.build_version->source + ", " + v.source +
                              "); the first is used");
    return;
  }
  image.build_version = std::move(v);
}

std::string format_uuid(Bytes b) {
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return buf;
}

// linkedit_data_command: dataoff, datasize.
void decode_linkedit_data(Bytes slice, const RawCommand& command, MachoImage& image) {
  Reader r = fields(command, image);
  auto offset = r.u32();
  auto size = r.u32();
  if (!size) return truncated(command, image);
  note_range(slice, *offset, *size, load_command_name(command.cmd) + " data", image);
}

}  // namespace

void decode_load_command(Bytes slice, const RawCommand& command, MachoImage& image) {
  switch (command.cmd) {
    case kLcSegment:
    case kLcSegment64:
      return decode_segment(slice, command, command.cmd == kLcSegment64, image);
    case kLcLoadDylib:
      return decode_dylib(command, DylibKind::kLoad, image);
    case kLcLoadWeakDylib:
      return decode_dylib(command, DylibKind::kWeak, image);
    case kLcReexportDylib:
      return decode_dylib(command, DylibKind::kReexport, image);
    case kLcLazyLoadDylib:
      return decode_dylib(command, DylibKind::kLazy, image);
    case kLcLoadUpwardDylib:
      return decode_dylib(command, DylibKind::kUpward, image);
    case kLcIdDylib:
      return decode_dylib(command, DylibKind::kId, image);
    case kLcRpath: {
      Reader r = fields(command, image);
      auto offset = r.u32();
      if (!offset) return truncated(command, image);
      if (auto path = command_string(command, *offset, "rpath", image.anomalies))
        image.rpaths.push_back(*path);
      return;
    }
    case kLcUuid: {
      Reader r = fields(command, image);
      auto bytes = r.take(16);
      if (!bytes) return truncated(command, image);
      if (image.uuid) {
        image.anomalies.push_back("more than one LC_UUID; the first is used");
        return;
      }
      image.uuid = format_uuid(*bytes);
      return;
    }
    case kLcBuildVersion:
    case kLcVersionMinMacosx:
    case kLcVersionMinIphoneos:
    case kLcVersionMinTvos:
    case kLcVersionMinWatchos:
      return decode_build_version(command, image);
    case kLcMain: {
      Reader r = fields(command, image);
      auto entry = r.u64();
      if (!entry || !r.u64()) return truncated(command, image);
      if (image.entry_offset) {
        image.anomalies.push_back("more than one LC_MAIN; the first is used");
        return;
      }
      if (*entry >= slice.size())
        image.anomalies.push_back("LC_MAIN entry point lies past the end of the file");
      image.entry_offset = *entry;
      return;
    }
    case kLcEncryptionInfo:
    case kLcEncryptionInfo64: {
      Reader r = fields(command, image);
      auto offset = r.u32();
      auto size = r.u32();
      auto cryptid = r.u32();
      if (!cryptid) return truncated(command, image);
      note_range(slice, *offset, *size, "encrypted range", image);
      if (!image.encryption_cryptid || *image.encryption_cryptid == 0)
        image.encryption_cryptid = *cryptid;
      return;
    }
    case kLcSymtab: {
      Reader r = fields(command, image);
      auto symoff = r.u32();
      auto nsyms = r.u32();
      auto stroff = r.u32();
      auto strsize = r.u32();
      if (!strsize) return truncated(command, image);
      note_range(slice, *symoff, std::uint64_t{*nsyms} * (image.is_64 ? 16 : 12), "symbol table",
                 image);
      note_range(slice, *stroff, *strsize, "string table", image);
      return;
    }
    case kLcDyldInfo:
    case kLcDyldInfoOnly: {
      static constexpr const char* kParts[] = {"rebase", "bind", "weak bind", "lazy bind",
                                               "export"};
      Reader r = fields(command, image);
      for (const char* part : kParts) {
        auto offset = r.u32();
        auto size = r.u32();
        if (!size) return truncated(command, image);
        note_range(slice, *offset, *size, std::string("dyld ") + part + " info", image);
      }
      return;
    }
    case kLcCodeSignature:
    case kLcSegmentSplitInfo:
    case kLcFunctionStarts:
    case kLcDataInCode:
    case kLcDylibCodeSignDrs:
    case kLcLinkerOptimizationHint:
    case kLcDyldExportsTrie:
    case kLcDyldChainedFixups:
      return decode_linkedit_data(slice, command, image);
    default:
      return;
  }
}

}  // namespace cascade::macho::detail
