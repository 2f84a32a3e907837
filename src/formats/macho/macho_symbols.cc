// Imports and exports from the nlist symbol table.
#include <algorithm>
#include <cstring>

#include "formats/macho/macho_image.h"
#include "formats/macho/macho_internal.h"

namespace cascade::macho::detail {

namespace {

constexpr std::uint8_t kNStab = 0xe0;
constexpr std::uint8_t kNPrivateExternal = 0x10;
constexpr std::uint8_t kNTypeMask = 0x0e;
constexpr std::uint8_t kNExternal = 0x01;
constexpr std::uint8_t kNUndefined = 0x0;
constexpr std::uint8_t kNPreboundUndefined = 0xc;
constexpr std::uint32_t kSelfLibraryOrdinal = 0x0;
constexpr std::uint32_t kDynamicLookupOrdinal = 0xfe;
constexpr std::uint32_t kExecutableOrdinal = 0xff;

std::string symbol_name(Bytes strings, std::uint32_t index, std::uint64_t& bad_names) {
  auto rest = tail(strings, index);
  if (!rest || rest->empty()) {
    ++bad_names;
    return "";
  }
  const Bytes cut = rest->first(std::min(rest->size(), kMaxNameLength));
  std::string name(reinterpret_cast<const char*>(cut.data()), cut.size());
  name.resize(std::strlen(name.c_str()));
  return name;
}

}  // namespace

void parse_symbols(Bytes slice, const RawCommand& symtab, const std::optional<RawCommand>& dysymtab,
                   const std::vector<std::string>& ordinal_libraries, MachoImage& image) {
  Reader r(symtab.bytes, image.big_endian);
  r.skip(8);
  auto symoff = r.u32();
  auto nsyms = r.u32();
  auto stroff = r.u32();
  auto strsize = r.u32();
  if (!strsize) return;  // reported by decode_load_command
  const std::uint64_t entry_size = image.is_64 ? 16 : 12;
  Bytes strings;
  if (auto rest = tail(slice, *stroff))
    strings = rest->first(std::min<std::uint64_t>(rest->size(), *strsize));
  Bytes table;
  if (auto rest = tail(slice, *symoff)) table = *rest;
  std::uint64_t count = *nsyms;
  if (count > kMaxSymbols) {
    image.anomalies.push_back("symbol table declares " + std::to_string(count) +
                              " symbols; read the first " + std::to_string(kMaxSymbols));
    count = kMaxSymbols;
  }
  count = std::min<std::uint64_t>(count, table.size() / entry_size);
  if (dysymtab) {
    // ilocalsym, nlocalsym, iextdefsym, nextdefsym, iundefsym, nundefsym.
    Reader d(dysymtab->bytes, image.big_endian);
    d.skip(8);
    const char* groups[] = {"local", "defined external", "undefined"};
    for (const char* group : groups) {
      auto first = d.u32();
      auto n = d.u32();
      if (!n) {
        image.anomalies.push_back("LC_DYSYMTAB is too short for its fields");
        break;
      }
      if (std::uint64_t{*first} + *n > *nsyms)
        image.anomalies.push_back(std::string("LC_DYSYMTAB ") + group +
                                  " symbols lie outside the symbol table");
    }
  }
  Reader entries(table.first(static_cast<std::size_t>(count * entry_size)), image.big_endian);
  std::uint64_t bad_names = 0;
  std::uint64_t bad_ordinals = 0;
  const bool two_level = (image.flags & kMhTwoLevel) != 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint32_t strx = *entries.u32();
    const std::uint8_t type = *entries.u8();
    entries.skip(1);  // n_sect
    const std::uint16_t desc = *entries.u16();
    const std::uint64_t value = *entries.word(image.is_64);
    if ((type & kNStab) != 0 || (type & kNExternal) == 0 || (type & kNPrivateExternal) != 0)
      continue;
    const std::uint8_t kind = type & kNTypeMask;
    Symbol s;
    s.external = true;
    s.value = value;
    s.name = symbol_name(strings, strx, bad_names);
    // An undefined symbol with a value is a common symbol (a tentative definition).
    const bool undefined = (kind == kNUndefined && value == 0) || kind == kNPreboundUndefined;
    s.defined = !undefined;
    if (!undefined) {
      image.exports.push_back(std::move(s));
      continue;
    }
    if (two_level) {
      const std::uint32_t ordinal = (desc >> 8) & 0xff;
      if (ordinal != kSelfLibraryOrdinal && ordinal != kDynamicLookupOrdinal &&
          ordinal != kExecutableOrdinal) {
        if (ordinal <= ordinal_libraries.size()) {
          s.library = ordinal_libraries[ordinal - 1];
        } else {
          ++bad_ordinals;
        }
      }
    }
    image.imports.push_back(std::move(s));
  }
  if (count < std::min<std::uint64_t>(*nsyms, kMaxSymbols))
    image.anomalies.push_back("symbol table is cut short by the end of the file (" +
                              std::to_string(count) + " of " + std::to_string(*nsyms) +
                              " symbols)");
  if (bad_names != 0)
    image.anomalies.push_back(std::to_string(bad_names) +
                              " symbol names lie outside the string table");
  if (bad_ordinals != 0)
    image.anomalies.push_back(std::to_string(bad_ordinals) + " imports name a library ordinal " +
                              "beyond the " + std::to_string(ordinal_libraries.size()) +
                              " libraries loaded");
}

}  // namespace cascade::macho::detail
