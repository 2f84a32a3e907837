// Pieces shared by the ELF parsers; not part of the public model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "formats/elf/elf_image.h"

namespace cascade::elf::detail {

// Caps that keep a crafted file from costing unbounded time or memory.
inline constexpr std::size_t kMaxSections = 65535;
inline constexpr std::size_t kMaxSegments = 65535;
inline constexpr std::size_t kMaxSymbols = std::size_t{1} << 20;
inline constexpr std::size_t kMaxDynamicEntries = std::size_t{1} << 20;
inline constexpr std::size_t kMaxNotes = 4096;
inline constexpr std::size_t kMaxNameLength = 4096;
// All section names together (65535 names of kMaxNameLength would be 256 MiB).
inline constexpr std::size_t kMaxSectionNameBytes = std::size_t{16} << 20;
// Symbol names (C++ templates, Rust generics) can run past kMaxNameLength in real libraries.
inline constexpr std::size_t kMaxSymbolNameLength = 0x10000;
// All symbol names and versions together: 1M symbols naming one long string must not cost GBs.
inline constexpr std::size_t kMaxSymbolTextBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxVersionEntries = 4096;  // Verneed/Verdef records
inline constexpr std::size_t kMaxVersionAux = 0x10000;   // Vernaux/Verdaux records in total
inline constexpr std::size_t kMaxBuildIdBytes = 1024;
inline constexpr std::size_t kMaxAnomalies = 64;

// Fixed layout sizes.
inline constexpr std::size_t kIdentSize = 16;
inline constexpr std::uint16_t kPnXnum = 0xffff;     // e_phnum: the count is in section 0's sh_info
inline constexpr std::uint16_t kShnXindex = 0xffff;  // e_shstrndx: the index is in sh_link

// Reads fields in the file's byte order; word() is 4 or 8 bytes by class (Addr, Off, Xword).
class FieldReader {
 public:
  FieldReader(Bytes data, bool little, bool is_64) : r_(data), little_(little), is_64_(is_64) {}

  std::optional<std::uint8_t> u8() { return r_.u8(); }
  std::optional<std::uint16_t> u16() { return little_ ? r_.u16le() : r_.u16be(); }
  std::optional<std::uint32_t> u32() { return little_ ? r_.u32le() : r_.u32be(); }
  std::optional<std::uint64_t> u64() { return little_ ? r_.u64le() : r_.u64be(); }
  std::optional<std::uint64_t> word() {
    if (is_64_) return u64();
    auto narrow = u32();
    if (!narrow) return std::nullopt;
    return std::uint64_t{*narrow};
  }
  bool skip(std::uint64_t n) { return r_.skip(n); }
  std::size_t remaining() const { return r_.remaining(); }

 private:
  ByteReader r_;
  bool little_;
  bool is_64_;
};

// A string table: NUL-terminated strings at offsets into `data`.
class StringTable {
 public:
  StringTable() = default;
  explicit StringTable(Bytes data) : data_(data), present_(true) {}
  bool present() const { return present_; }
  std::optional<std::string> at(std::uint64_t offset, std::size_t max_len = kMaxNameLength) const {
    // A missing table is an empty span with no data pointer, which must not reach memchr.
    if (data_.empty()) return std::nullopt;
    return load_cstring(data_, offset, max_len);
  }

 private:
  Bytes data_;
  bool present_ = false;
};

// Section header fields the public model leaves out, parallel to ElfImage::sections.
struct SectionLinks {
  std::uint32_t link = 0;
  std::uint32_t info = 0;
  std::uint64_t addralign = 0;
  std::uint64_t entsize = 0;
};

// What the dynamic table says about the symbol, string and version tables (virtual addresses).
struct DynamicInfo {
  std::optional<std::uint64_t> strtab, strsz, symtab, syment, hash, gnu_hash;
  std::optional<std::uint64_t> versym, verneed, verneednum, verdef, verdefnum;
  std::optional<std::size_t> section;  // index of the .dynamic section the table came from
  StringTable strings;                 // the dynamic string table, when it could be found
};

// One parse in progress: the file, the image being filled and the side tables.
struct Context {
  Bytes file;
  ElfImage& image;
  std::vector<SectionLinks> links;
  DynamicInfo dynamic;
  std::size_t anomaly_count = 0;

  FieldReader reader(Bytes data) const {
    return FieldReader(data, image.little_endian, image.is_64);
  }
  std::size_t word_size() const { return image.is_64 ? 8 : 4; }

  // Records an anomaly; after kMaxAnomalies a crafted file stops adding them.
  void anomaly(std::string message);

  // The file offset of virtual address `vaddr`, through the PT_LOAD segments (or, without any,
  // the allocated sections); none when the address is not backed by file bytes.
  std::optional<std::uint64_t> offset_of(std::uint64_t vaddr) const;
  // The file bytes from `vaddr` to the end of the segment (or section) that maps it.
  std::optional<Bytes> bytes_at_vaddr(std::uint64_t vaddr) const;
  // The file range [offset, end) from `vaddr` to the end of the mapping that holds it.
  struct Mapping {
    std::uint64_t offset = 0;
    std::uint64_t end = 0;
  };
  std::optional<Mapping> mapping_of(std::uint64_t vaddr) const;
  // A section's file bytes by index (cut at the end of file); none for NOBITS or out of range.
  std::optional<Bytes> section_data(std::size_t index) const;
  // Index of the first section of `type`.
  std::optional<std::size_t> find_section(std::uint32_t type) const;
};

// Dynamic table: NEEDED, SONAME, RPATH, RUNPATH and the addresses in DynamicInfo.
void parse_dynamic(Context& ctx);
// Dynamic symbols with their versions: ElfImage::imports and exports.
void parse_dynamic_symbols(Context& ctx);
// PT_NOTE segments, then SHT_NOTE sections: the GNU build ID.
void parse_notes(Context& ctx);

// Offset + size without wrapping (saturates at UINT64_MAX).
inline std::uint64_t saturating_end(std::uint64_t offset, std::uint64_t size) {
  return size > UINT64_MAX - offset ? UINT64_MAX : offset + size;
}

}  // namespace cascade::elf::detail
