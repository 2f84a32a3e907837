// The dynamic symbol table and GNU symbol versions (.gnu.version, _r and _d).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "formats/elf/elf_internal.h"

namespace cascade::elf::detail {

namespace {

constexpr std::uint16_t kShnUndef = 0;
constexpr std::uint16_t kVersymIndexMask = 0x7fff;
constexpr std::uint16_t kEmS390 = 22;
constexpr std::uint16_t kEmAlpha = 0x9026;

// A table located either by its section header or by a dynamic tag.
struct Table {
  Bytes bytes;
  StringTable strings;
  std::uint64_t count = 0;  // entries (symbols) or records (Verneed/Verdef)
  std::uint64_t entry_size = 0;
};

// Number of dynamic symbols from DT_HASH's nchain, as the loader sizes the table.
std::optional<std::uint64_t> count_from_hash(Context& ctx, std::uint64_t vaddr) {
  auto bytes = ctx.bytes_at_vaddr(vaddr);
  if (!bytes) {
    ctx.anomaly("DT_HASH is not mapped by the file");
    return std::nullopt;
  }
  auto r = ctx.reader(*bytes);
  // 64-bit s390 and Alpha use 8-byte hash table entries.
  const bool wide =
      ctx.image.is_64 && (ctx.image.machine == kEmS390 || ctx.image.machine == kEmAlpha);
  std::optional<std::uint64_t> nchain;
  if (wide) {
    r.u64();
    nchain = r.u64();
  } else if (r.u32()) {
    if (auto n = r.u32()) nchain = *n;
  }
  if (!nchain) ctx.anomaly("DT_HASH is truncated");
  return nchain;
}

// Number of dynamic symbols from DT_GNU_HASH: one past the last symbol of the longest chain.
std::optional<std::uint64_t> count_from_gnu_hash(Context& ctx, std::uint64_t vaddr) {
  auto bytes = ctx.bytes_at_vaddr(vaddr);
  if (!bytes) {
    ctx.anomaly("DT_GNU_HASH is not mapped by the file");
    return std::nullopt;
  }
  auto r = ctx.reader(*bytes);
  auto nbuckets = r.u32();
  auto symoffset = r.u32();
  auto bloom_size = r.u32();
  if (!r.u32() || !r.skip(std::uint64_t{*bloom_size} * ctx.word_size())) {
    ctx.anomaly("DT_GNU_HASH is truncated");
    return std::nullopt;
  }
  std::uint32_t last = 0;
  for (std::uint32_t i = 0; i < *nbuckets; ++i) {
    auto bucket = r.u32();
    if (!bucket) {
      ctx.anomaly("DT_GNU_HASH buckets are truncated");
      return std::nullopt;
    }
    last = std::max(last, *bucket);
  }
  if (last == 0) return std::uint64_t{*symoffset};
  if (last < *symoffset) {
    ctx.anomaly("DT_GNU_HASH bucket points below symoffset");
    return std::nullopt;
  }
  // r now sits on the chain array, which starts at symbol index symoffset.
  if (!r.skip(std::uint64_t{last - *symoffset} * 4)) {
    ctx.anomaly("DT_GNU_HASH chains are truncated");
    return std::nullopt;
  }
  std::uint64_t index = last;
  while (true) {
    auto hash = r.u32();
    if (!hash) {
      ctx.anomaly("DT_GNU_HASH chains are truncated");
      return index;
    }
    if ((*hash & 1) != 0 || index - last >= kMaxSymbols) return index + 1;
    ++index;
  }
}

Table symbol_table(Context& ctx) {
  Table t;
  t.entry_size = ctx.image.is_64 ? 24 : 16;
  if (auto index = ctx.find_section(kShtDynsym)) {
    const SectionLinks& links = ctx.links[*index];
    auto bytes = ctx.section_data(*index);
    if (!bytes) {
      ctx.anomaly("the .dynsym section lies outside the file");
      return t;
    }
    // A larger sh_entsize strides over padding; a smaller one cannot hold a symbol.
    if (links.entsize != 0 && links.entsize != t.entry_size) {
      ctx.anomaly(".dynsym sh_entsize is " + std::to_string(links.entsize));
    }
    t.entry_size = std::max(t.entry_size, links.entsize);
    t.bytes = *bytes;
    t.count = ctx.image.sections[*index].size / t.entry_size;
    if (auto strings = ctx.section_data(links.link)) {
      t.strings = StringTable(*strings);
    } else {
      ctx.anomaly("the .dynsym string table is missing");
      t.strings = ctx.dynamic.strings;
    }
    // The loader finds its symbols through DT_SYMTAB only.
    const DynamicInfo& d = ctx.dynamic;
    if (d.symtab && *d.symtab != ctx.image.sections[*index].addr) {
      ctx.anomaly("the .dynsym section is not the table DT_SYMTAB points to");
    }
    return t;
  }
  const DynamicInfo& d = ctx.dynamic;
  if (!d.symtab) return t;
  // No section headers (sstrip'd, or damaged): size the table from the hash tables as ld.so
  // does, else assume it runs up to the string table as every linker lays them out.
  auto bytes = ctx.bytes_at_vaddr(*d.symtab);
  if (!bytes) {
    ctx.anomaly("DT_SYMTAB is not mapped by the file");
    return t;
  }
  if (d.syment && *d.syment > t.entry_size && *d.syment <= 0x100) t.entry_size = *d.syment;
  std::optional<std::uint64_t> count;
  if (d.hash) count = count_from_hash(ctx, *d.hash);
  if (!count && d.gnu_hash) count = count_from_gnu_hash(ctx, *d.gnu_hash);
  if (!count && !d.hash && !d.gnu_hash && d.strtab && *d.strtab > *d.symtab) {
    count = (*d.strtab - *d.symtab) / t.entry_size;
  }
  if (!count) {
    ctx.anomaly("the dynamic symbol count cannot be determined");
    return t;
  }
  t.bytes = *bytes;
  t.count = *count;
  t.strings = d.strings;
  return t;
}

// Version tables: the section of `type` when present, else the dynamic tag's address.
Table version_table(Context& ctx, std::uint32_t type, const std::optional<std::uint64_t>& vaddr,
                    const std::optional<std::uint64_t>& count) {
  Table t;
  if (auto index = ctx.find_section(type)) {
    if (auto bytes = ctx.section_data(*index)) t.bytes = *bytes;
    t.count = ctx.links[*index].info;
    if (auto strings = ctx.section_data(ctx.links[*index].link)) t.strings = StringTable(*strings);
  } else if (vaddr) {
    if (auto bytes = ctx.bytes_at_vaddr(*vaddr)) t.bytes = *bytes;
    t.count = count.value_or(0);
    t.strings = ctx.dynamic.strings;
  } else {
    return t;
  }
  if (t.bytes.empty()) ctx.anomaly(section_type_name(type) + " table lies outside the file");
  return t;
}

struct VersionName {
  std::string text;
  std::uint32_t offset = 0;  // in the string table
};
using VersionNames = std::unordered_map<std::uint16_t, VersionName>;

// Version index -> name from Verneed records (vna_other -> vna_name).
VersionNames needed_versions(Context& ctx, const Table& t) {
  VersionNames names;
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t offset = 0;
  std::size_t aux_total = 0;
  const std::uint64_t records = std::min<std::uint64_t>(t.count, kMaxVersionEntries);
  for (std::uint64_t i = 0; i < records; ++i) {
    auto record = tail(t.bytes, offset);
    if (!record || !seen.insert(offset).second) {
      ctx.anomaly("version needs are damaged");
      return names;
    }
    auto r = ctx.reader(*record);
    r.u16();  // vn_version
    auto aux_count = r.u16();
    r.u32();  // vn_file
    auto aux = r.u32();
    auto next = r.u32();
    if (!next) {
      ctx.anomaly("version needs are truncated");
      return names;
    }
    std::uint64_t aux_offset = offset + *aux;
    for (std::uint16_t j = 0; j < *aux_count; ++j) {
      auto entry = tail(t.bytes, aux_offset);
      if (!entry || !seen.insert(aux_offset).second || ++aux_total > kMaxVersionAux) {
        ctx.anomaly("version need entries are damaged");
        return names;
      }
      auto a = ctx.reader(*entry);
      a.u32();  // vna_hash
      a.u16();  // vna_flags
      auto other = a.u16();
      auto name = a.u32();
      auto aux_next = a.u32();
      if (!aux_next) {
        ctx.anomaly("version need entries are truncated");
        return names;
      }
      if (auto text = t.strings.at(*name)) {
        names.emplace(*other & kVersymIndexMask, VersionName{std::move(*text), *name});
      }
      if (*aux_next == 0) break;
      aux_offset += *aux_next;
    }
    if (*next == 0) break;
    offset += *next;
  }
  return names;
}

// Version index -> name from Verdef records (vd_ndx -> the first Verdaux's name).
VersionNames defined_versions(Context& ctx, const Table& t) {
  VersionNames names;
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t offset = 0;
  const std::uint64_t records = std::min<std::uint64_t>(t.count, kMaxVersionEntries);
  for (std::uint64_t i = 0; i < records; ++i) {
    auto record = tail(t.bytes, offset);
    if (!record || !seen.insert(offset).second) {
      ctx.anomaly("version definitions are damaged");
      return names;
    }
    auto r = ctx.reader(*record);
    r.u16();  // vd_version
    r.u16();  // vd_flags
    auto index = r.u16();
    auto aux_count = r.u16();
    r.u32();  // vd_hash
    auto aux = r.u32();
    auto next = r.u32();
    if (!next) {
      ctx.anomaly("version definitions are truncated");
      return names;
    }
    if (*aux_count != 0) {
      auto entry = tail(t.bytes, offset + *aux);
      auto name = entry ? ctx.reader(*entry).u32() : std::nullopt;
      auto text = name ? t.strings.at(*name) : std::nullopt;
      if (text) {
        names.emplace(*index & kVersymIndexMask, VersionName{std::move(*text), *name});
      } else {
        ctx.anomaly("a version definition has no readable name");
      }
    }
    if (*next == 0) break;
    offset += *next;
  }
  return names;
}

}  // namespace

void parse_dynamic_symbols(Context& ctx) {
  const Table symbols = symbol_table(ctx);
  if (symbols.count == 0) return;
  std::uint64_t count = symbols.count;
  if (count > kMaxSymbols) {
    ctx.anomaly("dynamic symbol count " + std::to_string(count) + " exceeds the cap");
    count = kMaxSymbols;
  }
  if (count > symbols.bytes.size() / symbols.entry_size) {
    ctx.anomaly("the dynamic symbol table runs past the end of its data");
    count = symbols.bytes.size() / symbols.entry_size;
  }
  const DynamicInfo& d = ctx.dynamic;
  const Table versym = version_table(ctx, kShtGnuVersym, d.versym, std::nullopt);
  const VersionNames needed =
      needed_versions(ctx, version_table(ctx, kShtGnuVerneed, d.verneed, d.verneednum));
  const VersionNames defined =
      defined_versions(ctx, version_table(ctx, kShtGnuVerdef, d.verdef, d.verdefnum));
  const bool versioned = !versym.bytes.empty();

  ElfImage& image = ctx.image;
  std::size_t text_bytes = 0, bad_names = 0;
  bool short_versym = false;
  for (std::uint64_t i = 1; i < count; ++i) {
    auto r = ctx.reader(symbols.bytes.subspan(i * symbols.entry_size, symbols.entry_size));
    std::optional<std::uint32_t> name;
    std::optional<std::uint8_t> info;
    std::optional<std::uint16_t> shndx;
    std::optional<std::uint64_t> value;
    name = r.u32();
    if (image.is_64) {
      info = r.u8();
      r.u8();  // st_other
      shndx = r.u16();
      value = r.u64();
    } else {
      value = r.word();
      r.u32();  // st_size
      info = r.u8();
      r.u8();  // st_other
      shndx = r.u16();
    }
    if (!shndx || !value) break;  // cannot happen: the entry size was checked above
    const auto binding = static_cast<SymbolBinding>(*info >> 4);
    const bool defined_here = *shndx != kShnUndef;
    if (defined_here && binding == SymbolBinding::kLocal) continue;
    auto text = symbols.strings.at(*name, kMaxSymbolNameLength);
    if (!text) {
      ++bad_names;
      continue;
    }
    if (text->empty()) continue;
    Symbol s;
    s.name = std::move(*text);
    s.binding = binding;
    s.type = static_cast<SymbolType>(*info & 0xf);
    s.value = *value;
    s.defined = defined_here;
    if (versioned) {
      auto raw = slice(versym.bytes, i * 2, 2);
      auto entry = raw ? ctx.reader(*raw).u16() : std::nullopt;
      if (!entry) {
        short_versym = true;
      } else if (const std::uint16_t index = *entry & kVersymIndexMask; index > 1) {
        // As readelf: a defined symbol looks in the definitions first (copy relocations define
        // symbols that carry a needed version), then in the needs; an undefined one only there.
        const VersionName* version = nullptr;
        if (auto it = defined.find(index); defined_here && it != defined.end()) {
          version = &it->second;
          // readelf leaves the version off the symbol that names the version definition itself
          // (the ABS "VERS_1.0" symbol GNU ld emits).
          if (version->offset == *name) version = nullptr;
        } else if (auto need = needed.find(index); need != needed.end()) {
          version = &need->second;
        }
        if (version != nullptr) s.version = version->text;
      }
    }
    text_bytes += s.name.size() + s.version.size();
    if (text_bytes > kMaxSymbolTextBytes) {
      ctx.anomaly("dynamic symbol names exceed the cap of " + std::to_string(kMaxSymbolTextBytes) +
                  " bytes");
      return;
    }
    (defined_here ? image.exports : image.imports).push_back(std::move(s));
  }
  if (bad_names != 0) {
    ctx.anomaly(std::to_string(bad_names) + " dynamic symbol names lie outside the string table");
  }
  if (short_versym) ctx.anomaly("the symbol version table is shorter than the symbol table");
}

}  // namespace cascade::elf::detail
