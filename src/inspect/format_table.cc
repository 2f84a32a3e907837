#include "inspect/format_table.h"

#include "authenticode/catalog.h"
#include "inspect/format_inspectors.h"

namespace cascade {

namespace {

// An MZ file whose PE header would lie past its end (or that is cut inside the DOS header) is
// a damaged PE and gets an error; an MZ file with room for, but no, PE header is a DOS program.
bool looks_like_truncated_pe(Bytes data) {
  if (data.size() < 2 || data[0] != 'M' || data[1] != 'Z') return false;
  auto lfanew = load_u32le(data, 0x3c);
  return !lfanew || std::uint64_t{*lfanew} + 4 > data.size();
}

bool probe_pe(Bytes data) {
  return pe::looks_like_pe(data) || looks_like_truncated_pe(data);
}

bool probe_macho(Bytes data) {
  return macho::detect(data) != macho::Kind::kNone;
}

// Catalogs are DER like any PKCS#7 blob, so they are probed after every format with a magic.
constexpr FormatEntry kFormats[] = {
    {FileFormat::kPe, probe_pe, inspect_pe},
    {FileFormat::kElf, elf::looks_like_elf, inspect_elf},
    {FileFormat::kMacho, probe_macho, inspect_macho},
    {FileFormat::kMsi, msi::looks_like_ole, inspect_msi},
    {FileFormat::kCatalog, authenticode::looks_like_catalog, inspect_catalog},
};

}  // namespace

std::span<const FormatEntry> format_table() {
  return kFormats;
}

const FormatEntry* find_format(Bytes data) {
  for (const FormatEntry& entry : kFormats) {
    if (entry.probe(data)) return &entry;
  }
  return nullptr;
}

}  // namespace cascade
