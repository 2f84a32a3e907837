// Import and delay-load import directories.
#include <unordered_set>

#include "formats/pe/pe_internal.h"

namespace cascade::pe::detail {

namespace {

struct ThunkTable {
  std::vector<std::uint64_t> entries;
  bool truncated = false;
};

// Reads thunks (4 or 8 bytes each) from `rva` up to the zero terminator.
ThunkTable read_thunks(const RvaMapper& map, std::uint64_t rva, bool pe32_plus,
                       std::size_t budget) {
  ThunkTable table;
  if (rva == 0) return table;
  auto bytes = map.bytes_from(rva);
  if (!bytes) {
    table.truncated = true;
    return table;
  }
  ByteReader r(*bytes);
  while (table.entries.size() < budget) {
    std::optional<std::uint64_t> thunk;
    if (pe32_plus) {
      thunk = r.u64le();
    } else if (auto narrow = r.u32le()) {
      thunk = *narrow;
    }
    if (!thunk) {
      table.truncated = true;
      break;
    }
    if (*thunk == 0) return table;
    table.entries.push_back(*thunk);
  }
  if (table.entries.size() >= budget) table.truncated = true;
  return table;
}

std::vector<ImportedFunction> resolve_thunks(const RvaMapper& map, const ThunkTable& table,
                                             bool pe32_plus) {
  const std::uint64_t ordinal_flag = pe32_plus ? (1ULL << 63) : (1ULL << 31);
  std::vector<ImportedFunction> out;
  out.reserve(table.entries.size());
  for (auto thunk : table.entries) {
    ImportedFunction f;
    if (thunk & ordinal_flag) {
      f.ordinal = static_cast<std::uint16_t>(thunk & 0xffff);
    } else {
      const std::uint64_t hint_rva = thunk & (ordinal_flag - 1);
      if (auto hint = map.bytes_at(hint_rva, 2)) f.hint = *ByteReader(*hint).u16le();
      auto name = map.cstring_at(hint_rva + 2, kMaxNameLength);
      f.name = name.value_or("");
      f.name_valid = name.has_value() && is_valid_function_name(f.name);
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string dll_name(const RvaMapper& map, std::uint64_t rva) {
  return map.cstring_at(rva, kMaxNameLength).value_or("");
}

}  // namespace

void parse_imports(Bytes file, PeImage& image) {
  const DataDirectory* dir = image.directory(kDirImport);
  if (dir == nullptr || dir->rva == 0) return;
  const RvaMapper map(file, image);
  auto bytes = map.bytes_from(dir->rva);
  if (!bytes) {
    image.anomalies.push_back("import directory is outside the file");
    return;
  }
  ByteReader r(*bytes);
  std::size_t total = 0;
  std::unordered_set<std::uint64_t> seen_descriptors;
  for (std::size_t i = 0; i < kMaxDlls; ++i) {
    auto original_first_thunk = r.u32le();
    r.skip(8);  // TimeDateStamp, ForwarderChain
    auto name_rva = r.u32le();
    auto first_thunk = r.u32le();
    if (!first_thunk) {
      image.anomalies.push_back("import directory is truncated");
      return;
    }
    if (*original_first_thunk == 0 && *name_rva == 0 && *first_thunk == 0) return;
    ImportedDll dll;
    dll.name = dll_name(map, *name_rva);
    const std::size_t budget = std::min(kMaxImportsPerDll, kMaxImportsTotal - total);
    // Like pefile and the loader's binder: the lookup table when present, else the IAT.
    ThunkTable table = read_thunks(map, *original_first_thunk, image.pe32_plus, budget);
    if (table.entries.empty()) table = read_thunks(map, *first_thunk, image.pe32_plus, budget);
    if (table.truncated && table.entries.size() == budget) {
      image.anomalies.push_back("imports of " + dll.name + " exceed the cap of " +
                                std::to_string(budget));
    } else if (table.truncated) {
      image.anomalies.push_back("import thunks of " + dll.name + " are damaged");
    }
    dll.functions = resolve_thunks(map, table, image.pe32_plus);
    total += dll.functions.size();
    image.imports.push_back(std::move(dll));
    if (total >= kMaxImportsTotal) {
      image.anomalies.push_back("import count exceeds the cap");
      return;
    }
  }
  image.anomalies.push_back("import descriptor count exceeds the cap");
}

void parse_delay_imports(Bytes file, PeImage& image) {
  const DataDirectory* dir = image.directory(kDirDelayImport);
  if (dir == nullptr || dir->rva == 0) return;
  const RvaMapper map(file, image);
  auto bytes = map.bytes_from(dir->rva);
  if (!bytes) {
    image.anomalies.push_back("delay-import directory is outside the file");
    return;
  }
  ByteReader r(*bytes);
  std::size_t total = 0;
  for (const auto& dll : image.imports) total += dll.functions.size();
  for (std::size_t i = 0; i < kMaxDlls; ++i) {
    if (total >= kMaxImportsTotal) {
      image.anomalies.push_back("import count exceeds the cap");
      return;
    }
    auto attributes = r.u32le();
    auto name_rva = r.u32le();
    r.skip(8);  // module handle, IAT
    auto name_table = r.u32le();
    if (!name_table || !r.skip(12)) {
      image.anomalies.push_back("delay-import directory is truncated");
      return;
    }
    if (*attributes == 0 && *name_rva == 0 && *name_table == 0) return;
    // Visual C++ 6 wrote virtual addresses here instead of RVAs (attribute bit 0 clear).
    const std::uint64_t base = (*attributes & 1) ? 0 : image.image_base;
    auto to_rva = [&](std::uint64_t v) { return v >= base ? v - base : v; };
    ImportedDll dll;
    dll.delay_load = true;
    dll.name = dll_name(map, to_rva(*name_rva));
    const std::size_t budget = std::min(kMaxImportsPerDll, kMaxImportsTotal - total);
    ThunkTable table = read_thunks(map, to_rva(*name_table), image.pe32_plus, budget);
    if (base != 0) {
      for (auto& t : table.entries) {
        const std::uint64_t flag = image.pe32_plus ? (1ULL << 63) : (1ULL << 31);
        if (!(t & flag)) t = to_rva(t);
      }
    }
    if (table.truncated) image.anomalies.push_back("delay thunks of " + dll.name + " are damaged");
    dll.functions = resolve_thunks(map, table, image.pe32_plus);
    total += dll.functions.size();
    image.imports.push_back(std::move(dll));
  }
  image.anomalies.push_back("delay-import descriptor count exceeds the cap");
}

}  // namespace cascade::pe::detail
