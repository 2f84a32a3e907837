// Shared by the Mach-O parser's translation units; not part of the public model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/byte_reader.h"
#include "formats/macho/macho_image.h"

namespace cascade::macho::detail {

inline constexpr std::uint32_t kMhMagic = 0xfeedface;
inline constexpr std::uint32_t kMhMagic64 = 0xfeedfacf;
inline constexpr std::uint32_t kMhCigam = 0xcefaedfe;
inline constexpr std::uint32_t kMhCigam64 = 0xcffaedfe;
inline constexpr std::uint32_t kFatMagic = 0xcafebabe;
inline constexpr std::uint32_t kFatMagic64 = 0xcafebabf;

inline constexpr std::uint32_t kLcReqDyld = 0x80000000;
inline constexpr std::uint32_t kLcSegment = 0x1;
inline constexpr std::uint32_t kLcSymtab = 0x2;
inline constexpr std::uint32_t kLcDysymtab = 0xb;
inline constexpr std::uint32_t kLcLoadDylib = 0xc;
inline constexpr std::uint32_t kLcIdDylib = 0xd;
inline constexpr std::uint32_t kLcLoadWeakDylib = 0x18 | kLcReqDyld;
inline constexpr std::uint32_t kLcSegment64 = 0x19;
inline constexpr std::uint32_t kLcUuid = 0x1b;
inline constexpr std::uint32_t kLcRpath = 0x1c | kLcReqDyld;
inline constexpr std::uint32_t kLcCodeSignature = 0x1d;
inline constexpr std::uint32_t kLcSegmentSplitInfo = 0x1e;
inline constexpr std::uint32_t kLcReexportDylib = 0x1f | kLcReqDyld;
inline constexpr std::uint32_t kLcLazyLoadDylib = 0x20;
inline constexpr std::uint32_t kLcEncryptionInfo = 0x21;
inline constexpr std::uint32_t kLcDyldInfo = 0x22;
inline constexpr std::uint32_t kLcDyldInfoOnly = 0x22 | kLcReqDyld;
inline constexpr std::uint32_t kLcLoadUpwardDylib = 0x23 | kLcReqDyld;
inline constexpr std::uint32_t kLcVersionMinMacosx = 0x24;
inline constexpr std::uint32_t kLcVersionMinIphoneos = 0x25;
inline constexpr std::uint32_t kLcFunctionStarts = 0x26;
inline constexpr std::uint32_t kLcMain = 0x28 | kLcReqDyld;
inline constexpr std::uint32_t kLcDataInCode = 0x29;
inline constexpr std::uint32_t kLcDylibCodeSignDrs = 0x2b;
inline constexpr std::uint32_t kLcEncryptionInfo64 = 0x2c;
inline constexpr std::uint32_t kLcLinkerOptimizationHint = 0x2e;
inline constexpr std::uint32_t kLcVersionMinTvos = 0x2f;
inline constexpr std::uint32_t kLcVersionMinWatchos = 0x30;
inline constexpr std::uint32_t kLcBuildVersion = 0x32;
inline constexpr std::uint32_t kLcDyldExportsTrie = 0x33 | kLcReqDyld;
inline constexpr std::uint32_t kLcDyldChainedFixups = 0x34 | kLcReqDyld;

inline constexpr std::uint32_t kMhTwoLevel = 0x80;

inline constexpr std::size_t kMaxLoadCommands = 4096;
inline constexpr std::size_t kMaxSectionsPerSegment = 1024;
inline constexpr std::size_t kMaxSymbols = 1u << 20;
inline constexpr std::size_t kMaxFatSlices = 64;
inline constexpr std::size_t kMaxNameLength = 4096;

// Reads integers in the slice's byte order through a ByteReader.
class Reader {
 public:
  Reader(Bytes data, bool big_endian) : r_(data), big_(big_endian) {}
  std::optional<std::uint8_t> u8() { return r_.u8(); }
  std::optional<std::uint16_t> u16() { return big_ ? r_.u16be() : r_.u16le(); }
  std::optional<std::uint32_t> u32() { return big_ ? r_.u32be() : r_.u32le(); }
  std::optional<std::uint64_t> u64() { return big_ ? r_.u64be() : r_.u64le(); }
  // A 32- or 64-bit address-sized field.
  std::optional<std::uint64_t> word(bool is_64) {
    if (is_64) return u64();
    auto v = u32();
    return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
  }
  std::optional<Bytes> take(std::uint64_t n) { return r_.take(n); }
  bool skip(std::uint64_t n) { return r_.skip(n); }
  std::size_t remaining() const { return r_.remaining(); }
  // A fixed-size name field (segment and section names): the bytes before the first NUL.
  std::optional<std::string> fixed_name(std::size_t size);

 private:
  ByteReader r_;
  bool big_;
};

// One load command: its type, size, offset in the slice and its whole bytes (header included).
struct RawCommand {
  std::uint32_t cmd = 0;
  std::uint64_t offset = 0;
  Bytes bytes;
};

// An lc_str: the NUL-terminated string at `offset` (from the command's start) inside the
// command. An unterminated string is cut at the end of the command and noted in `anomalies`.
std::optional<std::string> command_string(const RawCommand& command, std::uint32_t offset,
                                          const char* what, std::vector<std::string>& anomalies);

// Notes a table at [offset, offset+size) of the slice: an anomaly when it extends past the end,
// and end_of_content moves to cover it.
void note_range(Bytes slice, std::uint64_t offset, std::uint64_t size, const std::string& what,
                MachoImage& image);

// Decodes each known load command into `image` (segments, dylibs, rpaths, uuid, ...).
void decode_load_command(Bytes slice, const RawCommand& command, MachoImage& image);

// Imports and exports from LC_SYMTAB, their libraries through the load-dylib ordinals.
void parse_symbols(Bytes slice, const RawCommand& symtab, const std::optional<RawCommand>& dysymtab,
                   const std::vector<std::string>& ordinal_libraries, MachoImage& image);

// "a.b.c" from a packed xxxx.yy.zz dylib version.
std::string dylib_version(std::uint32_t v);
// "a.b" or "a.b.c" (patch shown when non-zero) from a packed platform version, as llvm prints.
std::string platform_version(std::uint32_t v);

}  // namespace cascade::macho::detail
