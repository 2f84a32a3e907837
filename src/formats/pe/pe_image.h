// The PE/COFF object model (PE32 and PE32+): plain values, filled by parse_pe().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::pe {

inline constexpr std::uint32_t kScnMemExecute = 0x20000000;
inline constexpr std::uint32_t kScnMemWrite = 0x80000000;
inline constexpr std::uint32_t kScnMemRead = 0x40000000;
inline constexpr std::uint32_t kScnCntCode = 0x00000020;

enum DirectoryIndex : std::size_t {
  kDirExport = 0,
  kDirImport = 1,
  kDirResource = 2,
  kDirSecurity = 4,
  kDirDelayImport = 13,
};

struct DataDirectory {
  std::uint32_t rva = 0;  // a file offset, not an RVA, for the security directory
  std::uint32_t size = 0;
};

struct Section {
  std::string name;
  std::uint32_t virtual_address = 0;
  std::uint32_t virtual_size = 0;
  std::uint32_t raw_offset = 0;
  std::uint32_t raw_size = 0;
  std::uint32_t characteristics = 0;
  double entropy = 0.0;  // over the raw bytes present in the file (see measure_contents)
  bool executable() const { return (characteristics & kScnMemExecute) != 0; }
  bool writable() const { return (characteristics & kScnMemWrite) != 0; }
};

struct ImportedFunction {
  std::string name;                      // empty when imported by ordinal
  std::optional<std::uint16_t> ordinal;  // set when imported by ordinal
  std::uint16_t hint = 0;
  bool name_valid = true;  // false when the name has characters no linker emits
};

struct ImportedDll {
  std::string name;
  bool delay_load = false;
  std::vector<ImportedFunction> functions;
};

struct Export {
  std::uint32_t ordinal = 0;
  std::string name;  // empty for ordinal-only exports
  std::uint32_t rva = 0;
  std::string forwarder;  // "DLL.Function" when forwarded
};

struct VersionInfo {
  std::optional<std::string> file_version_fixed;             // from VS_FIXEDFILEINFO, "a.b.c.d"
  std::optional<std::string> product_version_fixed;          // from VS_FIXEDFILEINFO
  std::vector<std::pair<std::string, std::string>> strings;  // StringFileInfo, first table
  std::string language;  // the string table's key, e.g. "040904b0"
};

struct Region {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct PeImage {
  bool pe32_plus = false;
  std::uint32_t pe_header_offset = 0;  // e_lfanew
  std::uint16_t machine = 0;
  std::uint32_t timestamp = 0;
  std::uint16_t characteristics = 0;
  std::uint16_t subsystem = 0;
  std::uint16_t dll_characteristics = 0;
  std::uint32_t entry_point = 0;
  std::uint64_t image_base = 0;
  std::uint32_t section_alignment = 0;
  std::uint32_t file_alignment = 0;
  std::uint32_t size_of_image = 0;
  std::uint32_t size_of_headers = 0;
  std::uint32_t checksum_stored = 0;
  std::uint32_t checksum_computed = 0;                 // see measure_contents
  std::uint64_t checksum_field_offset = 0;             // file offset of OptionalHeader.CheckSum
  std::optional<std::uint64_t> security_entry_offset;  // file offset of data directory 4
  std::vector<DataDirectory> directories;
  std::vector<Section> sections;
  std::vector<ImportedDll> imports;  // regular imports first, then delay-load imports
  std::string export_name;
  std::vector<Export> exports;
  std::optional<VersionInfo> version;
  std::uint64_t end_of_sections = 0;   // highest raw_offset + raw_size (or headers' end)
  std::vector<std::string> anomalies;  // structural oddities worth a finding, parse went on

  bool is_dll() const { return (characteristics & 0x2000) != 0; }
  const DataDirectory* directory(std::size_t index) const {
    return index < directories.size() ? &directories[index] : nullptr;
  }
};

// Parses headers and sections (mandatory: failure is an error) and the import, export and
// resource directories (best effort: damage there is recorded in `anomalies`). Measures that
// read every byte (section entropy, the computed checksum) are left to measure_contents(), or
// to inspect, which folds them into its single hashing pass.
Result<PeImage> parse_pe(Bytes file);

// Fills section entropy and checksum_computed with separate passes over `file`.
void measure_contents(Bytes file, PeImage& image);

// The section's raw bytes present in the file (cut at the end of file), if any.
std::optional<Bytes> section_bytes(Bytes file, const Section& section);

// True when `file` starts like a PE image (MZ header pointing at a PE signature).
bool looks_like_pe(Bytes file);

// The PE checksum as the Windows loader and pefile compute it, with the CheckSum field skipped;
// finish_checksum does the same from sum_dwords(file) computed elsewhere.
std::uint32_t compute_checksum(Bytes file, std::uint64_t checksum_field_offset);
std::uint32_t finish_checksum(Bytes file, std::uint64_t dword_sum,
                              std::uint64_t checksum_field_offset);

// pefile's get_imphash(): md5 of "dll.func,..." over regular (not delay-load) imports.
std::string imphash(const PeImage& image);

std::string machine_name(std::uint16_t machine);
std::string subsystem_name(std::uint16_t subsystem);
std::vector<std::string> dll_characteristics_names(std::uint16_t flags);
std::vector<std::string> section_characteristics_names(std::uint32_t flags);

}  // namespace cascade::pe
