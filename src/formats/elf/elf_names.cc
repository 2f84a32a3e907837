// Display names for ELF header values.
#include "formats/elf/elf_image.h"

namespace cascade::elf {

namespace {

std::string hex(std::uint64_t value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
    out.push_back(kDigits[(value >> shift) & 0xf]);
  }
  return out;
}

// The symbol fields are four bits wide: "0x5", "0xd" as readelf's numbers, not zero-padded.
std::string hex_small(unsigned value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  if (value >= 16) out.push_back(kDigits[(value >> 4) & 0xf]);
  out.push_back(kDigits[value & 0xf]);
  return out;
}

}  // namespace

std::string machine_name(std::uint16_t machine) {
  switch (machine) {
    case 0:
      return "none";
    case 2:
      return "sparc";
    case 3:
      return "i386";
    case 4:
      return "m68k";
    case 8:
      return "mips";
    case 15:
      return "parisc";
    case 18:
      return "sparc32plus";
    case 20:
      return "ppc";
    case 21:
      return "ppc64";
    case 22:
      return "s390";
    case 40:
      return "arm";
    case 42:
      return "sh";
    case 43:
      return "sparcv9";
    case 50:
      return "ia64";
    case 62:
      return "x86-64";
    case 183:
      return "aarch64";
    case 243:
      return "riscv";
    case 247:
      return "bpf";
    case 258:
      return "loongarch";
    case 0x9026:
      return "alpha";
    default:
      return hex(machine, 4);
  }
}

std::string type_name(std::uint16_t type) {
  switch (type) {
    case 0:
      return "none";
    case kTypeRel:
      return "rel";
    case kTypeExec:
      return "exec";
    case kTypeDyn:
      return "dyn";
    case kTypeCore:
      return "core";
    default:
      return hex(type, 4);
  }
}

std::string segment_type_name(std::uint32_t type) {
  switch (type) {
    case 0:
      return "null";
    case kPtLoad:
      return "load";
    case kPtDynamic:
      return "dynamic";
    case kPtInterp:
      return "interp";
    case kPtNote:
      return "note";
    case 5:
      return "shlib";
    case kPtPhdr:
      return "phdr";
    case kPtTls:
      return "tls";
    case kPtGnuEhFrame:
      return "gnu-eh-frame";
    case kPtGnuStack:
      return "gnu-stack";
    case kPtGnuRelro:
      return "gnu-relro";
    case kPtGnuProperty:
      return "gnu-property";
    case 0x6474e554:
      return "gnu-sframe";
    case 0x65041580:
      return "pax-flags";
    default:
      return hex(type, 8);
  }
}

std::string section_type_name(std::uint32_t type) {
  switch (type) {
    case 0:
      return "null";
    case kShtProgbits:
      return "progbits";
    case kShtSymtab:
      return "symtab";
    case kShtStrtab:
      return "strtab";
    case 4:
      return "rela";
    case 5:
      return "hash";
    case kShtDynamic:
      return "dynamic";
    case kShtNote:
      return "note";
    case kShtNobits:
      return "nobits";
    case 9:
      return "rel";
    case kShtDynsym:
      return "dynsym";
    case 14:
      return "init-array";
    case 15:
      return "fini-array";
    case 16:
      return "preinit-array";
    case 17:
      return "group";
    case 18:
      return "symtab-shndx";
    case 19:
      return "relr";
    case 0x6ffffff6:
      return "gnu-hash";
    case kShtGnuVerdef:
      return "gnu-verdef";
    case kShtGnuVerneed:
      return "gnu-verneed";
    case kShtGnuVersym:
      return "gnu-versym";
    default:
      return hex(type, 8);
  }
}

std::string symbol_binding_name(SymbolBinding binding) {
  switch (binding) {
    case SymbolBinding::kLocal:
      return "local";
    case SymbolBinding::kGlobal:
      return "global";
    case SymbolBinding::kWeak:
      return "weak";
    case SymbolBinding::kGnuUnique:
      return "gnu-unique";
  }
  return hex_small(static_cast<unsigned>(binding));
}

std::string symbol_type_name(SymbolType type) {
  switch (type) {
    case SymbolType::kNoType:
      return "notype";
    case SymbolType::kObject:
      return "object";
    case SymbolType::kFunc:
      return "func";
    case SymbolType::kSection:
      return "section";
    case SymbolType::kFile:
      return "file";
    case SymbolType::kCommon:
      return "common";
    case SymbolType::kTls:
      return "tls";
    case SymbolType::kGnuIfunc:
      return "ifunc";
  }
  return hex_small(static_cast<unsigned>(type));
}

}  // namespace cascade::elf
