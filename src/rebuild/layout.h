// What rebuild-compare knows about one binary: the byte ranges a reproducible rebuild may
// legitimately change (normalised away before comparing) and the named parts (sections,
// headers, load commands) a differing byte is reported in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::rebuild {

struct Range {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::uint64_t end() const { return offset + size; }
  bool operator==(const Range&) const = default;
};

// A file range read as zeros when comparing, and the field it holds ("pe.timestamp", ...).
struct Normalised {
  std::string what;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

struct Symbol {
  std::uint64_t address = 0;
  std::string name;
};

// Where an import's descriptor, thunk or name lives, in the image's address space.
struct ImportSpan {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::string name;  // "dll!function", or "dll" for the descriptor and the DLL name
};

// A named, file-backed part of the image.
struct Area {
  std::string name;
  std::uint64_t offset = 0;  // in the file
  std::uint64_t size = 0;
  bool mapped = false;              // `address` is meaningful (sections); headers are not mapped
  std::uint64_t address = 0;        // where `offset` lands in memory (an RVA for PE)
  std::vector<Symbol> exports;      // inside this area, sorted by address
  std::vector<ImportSpan> imports;  // inside this area
};

// The binary formats rebuild-compare understands.
enum class LayoutFormat { kPe, kElf, kMacho, kMachoFat };
constexpr std::string_view layout_format_name(LayoutFormat format) {
  switch (format) {
    case LayoutFormat::kPe:
      return "pe";
    case LayoutFormat::kElf:
      return "elf";
    case LayoutFormat::kMacho:
      return "macho";
    case LayoutFormat::kMachoFat:
      return "macho-fat";
  }
  return "pe";
}

struct Layout {
  LayoutFormat format = LayoutFormat::kPe;
  // Sections are looked up first; areas (headers, load commands, segments) are the fallback.
  std::vector<Area> sections;
  std::vector<Area> areas;
  std::vector<Normalised> normalised;  // sorted by offset
  // Bytes [0, compared_size) take part; a certificate table that ends the file is cut off rather
  // than zeroed, since an unsigned build lacks those bytes altogether.
  std::uint64_t compared_size = 0;
  // How many zero bytes just before that cut (at most 7, before an 8-aligned table) may be the
  // padding a signing tool added; how many really were, only the unsigned build's size tells,
  // and match_signing_padding cuts those.
  std::uint64_t signing_padding = 0;
  std::uint64_t end_of_content = 0;  // past this (and before compared_size) is "(overlay)"
  // Bytes inside the certificate table after a signature's PKCS#7 object that are more than the
  // zeros aligning the next entry (CVE-2013-3900 padding): signing adds none, so a build holding
  // them differs, whatever else matches. Empty when the table holds only signatures.
  std::string unsigned_content;
};

struct LayoutOptions {
  bool include_build_id = false;  // ELF: keep the build-id note's descriptor in the comparison
};

// The layout of a PE, ELF or Mach-O (thin or fat) file; an error for anything else or when the
// format's mandatory headers do not parse.
Result<Layout> analyse(Bytes file, const LayoutOptions& options);

Result<Layout> analyse_pe(Bytes file);
Result<Layout> analyse_elf(Bytes file, const LayoutOptions& options);
Result<Layout> analyse_macho(Bytes file);

// A signed build and its unsigned counterpart: when one layout's compared size exceeds the
// other's by no more than its signing padding, it is cut to the other's size (and its
// certificate table entry grows to cover the padding). The unsigned image's own bytes, trailing
// zeros included, stay compared; bytes it lacks that are not zeros, or more than the padding,
// still make the sizes differ.
void match_signing_padding(Layout& a, Layout& b);

// The masked ranges of a layout, sorted and merged (what compare_masked takes).
std::vector<Range> mask_ranges(const Layout& layout);

// Attaches each symbol to the mapped area holding its address (the first, when areas overlap),
// and sorts every area's exports.
void assign_exports(std::vector<Area>& sections, const std::vector<Symbol>& symbols);

// Where a differing region lies: its section (or header area), the nearest export at or before
// it in the same section, and the import whose descriptor, thunk or name it touches.
struct Location {
  std::string section;
  std::string export_name;
  std::string import_name;
};

Location locate(const Layout& layout, std::uint64_t offset, std::uint64_t size);

}  // namespace cascade::rebuild
