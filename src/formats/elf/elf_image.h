// The ELF object model (32/64-bit, little- and big-endian): plain values, filled by parse_elf().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::elf {

// e_type
inline constexpr std::uint16_t kTypeRel = 1;
inline constexpr std::uint16_t kTypeExec = 2;
inline constexpr std::uint16_t kTypeDyn = 3;
inline constexpr std::uint16_t kTypeCore = 4;

// p_type and p_flags
inline constexpr std::uint32_t kPtLoad = 1;
inline constexpr std::uint32_t kPtDynamic = 2;
inline constexpr std::uint32_t kPtInterp = 3;
inline constexpr std::uint32_t kPtNote = 4;
inline constexpr std::uint32_t kPtPhdr = 6;
inline constexpr std::uint32_t kPtTls = 7;
inline constexpr std::uint32_t kPtGnuEhFrame = 0x6474e550;
inline constexpr std::uint32_t kPtGnuStack = 0x6474e551;
inline constexpr std::uint32_t kPtGnuRelro = 0x6474e552;
inline constexpr std::uint32_t kPtGnuProperty = 0x6474e553;
inline constexpr std::uint32_t kPfX = 1;
inline constexpr std::uint32_t kPfW = 2;
inline constexpr std::uint32_t kPfR = 4;

// sh_type and sh_flags
inline constexpr std::uint32_t kShtProgbits = 1;
inline constexpr std::uint32_t kShtSymtab = 2;
inline constexpr std::uint32_t kShtStrtab = 3;
inline constexpr std::uint32_t kShtDynamic = 6;
inline constexpr std::uint32_t kShtNote = 7;
inline constexpr std::uint32_t kShtNobits = 8;
inline constexpr std::uint32_t kShtDynsym = 11;
inline constexpr std::uint32_t kShtGnuVerdef = 0x6ffffffd;
inline constexpr std::uint32_t kShtGnuVerneed = 0x6ffffffe;
inline constexpr std::uint32_t kShtGnuVersym = 0x6fffffff;
inline constexpr std::uint64_t kShfWrite = 0x1;
inline constexpr std::uint64_t kShfAlloc = 0x2;
inline constexpr std::uint64_t kShfExecInstr = 0x4;

struct ProgramHeader {
  std::uint32_t type = 0;
  std::uint32_t flags = 0;
  std::uint64_t offset = 0, vaddr = 0, filesz = 0, memsz = 0, align = 0;
  bool executable() const { return (flags & kPfX) != 0; }
  bool writable() const { return (flags & kPfW) != 0; }
};

struct Section {
  std::string name;
  std::uint32_t type = 0;
  std::uint64_t flags = 0, addr = 0, offset = 0, size = 0;
  double entropy = 0.0;  // over the bytes present in the file (see measure_contents)
};

// STB_* and STT_* as the file has them: the named values are the ones cascade reports by name,
// any other (OS- or processor-specific) is kept as its number.
enum class SymbolBinding : std::uint8_t { kLocal = 0, kGlobal = 1, kWeak = 2, kGnuUnique = 10 };
enum class SymbolType : std::uint8_t {
  kNoType = 0,
  kObject = 1,
  kFunc = 2,
  kSection = 3,
  kFile = 4,
  kCommon = 5,
  kTls = 6,
  kGnuIfunc = 10,
};

struct Symbol {
  std::string name;
  std::string version;  // "" when unversioned, e.g. "GLIBC_2.2.5"
  SymbolBinding binding = SymbolBinding::kGlobal;
  SymbolType type = SymbolType::kNoType;
  std::uint64_t value = 0;
  bool defined = false;
};

struct ElfImage {
  bool is_64 = false;
  bool little_endian = true;
  std::uint8_t osabi = 0;
  std::uint16_t type = 0;
  std::uint16_t machine = 0;
  std::uint64_t entry = 0;
  std::vector<ProgramHeader> segments;
  std::vector<Section> sections;
  std::optional<std::string> interpreter;  // PT_INTERP
  std::vector<std::string> needed;         // DT_NEEDED, in order
  std::optional<std::string> soname;
  std::vector<std::string> rpath, runpath;  // split on ':' as stored
  std::optional<std::string> build_id;      // hex, from NT_GNU_BUILD_ID
  // From the dynamic symbol table: undefined symbols (imports) and defined non-local ones
  // (exports), with GNU symbol versions resolved as readelf does.
  std::vector<Symbol> imports, exports;
  bool stripped = false;               // no .symtab
  bool has_gnu_stack = false;          // PT_GNU_STACK present
  bool exec_stack = false;             // PT_GNU_STACK with PF_X
  std::uint64_t end_of_content = 0;    // end of the last header, table, section or segment in the
                                       // file (at most the file size): the overlay starts here
  std::vector<std::string> anomalies;  // structural oddities worth a finding, parse went on
  // A separate debug-info file (objcopy --only-keep-debug, eu-strip -f; Debian's
  // /usr/lib/debug/.build-id/*/*.debug): an executable or shared object whose code sections, and
  // every other allocated section but the notes, are SHT_NOBITS. Its program headers describe the
  // stripped original, so a segment's file range (PT_INTERP's, a PT_LOAD's) need not be in this
  // file: no anomaly when it is not. A range that is in the file is read as in any other file,
  // so a loadable file whose section headers merely say this hides only its dynamic table, which
  // is not read behind a SHT_NOBITS .dynamic (eu-strip's PT_DYNAMIC points into debug data).
  bool debug_only = false;
};

// True when `file` starts with the ELF magic and a known class and data encoding.
bool looks_like_elf(Bytes file);

// Parses the ELF header and the program header table (mandatory: failure is an error), then the
// section header table, dynamic segment, dynamic symbols with versions and notes (best effort:
// damage is recorded in `anomalies`). A missing or damaged section header table (sstrip'd files)
// falls back to the dynamic segment, as the loader and readelf do. Section entropy is left to
// measure_contents(), or to inspect, which folds it into its single hashing pass.
Result<ElfImage> parse_elf(Bytes file);

// Fills section entropy (cascade::shannon_entropy over section_bytes) with separate passes.
void measure_contents(Bytes file, ElfImage& image);

// The section's bytes present in the file (cut at the end of file); none for SHT_NOBITS or
// empty sections.
std::optional<Bytes> section_bytes(Bytes file, const Section& s);

std::string machine_name(std::uint16_t machine);         // "x86-64", "aarch64", ..., else "0x..."
std::string type_name(std::uint16_t type);               // "exec", "dyn", "rel", "core", ...
std::string segment_type_name(std::uint32_t type);       // "load", "dynamic", "gnu-stack", ...
std::string section_type_name(std::uint32_t type);       // "progbits", "nobits", "dynsym", ...
std::string symbol_binding_name(SymbolBinding binding);  // "global", "weak", ..., else "0x.."
std::string symbol_type_name(SymbolType type);  // "func", "object", "ifunc", ..., else "0x.."

}  // namespace cascade::elf
