// Display names for PE header values.
#include "formats/pe/pe_image.h"

namespace cascade::pe {

namespace {
std::string hex16(std::uint32_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kDigits[(v >> shift) & 0xf]);
  return out;
}
}  // namespace

std::string machine_name(std::uint16_t machine) {
  switch (machine) {
    case 0x014c:
      return "i386";
    case 0x8664:
      return "amd64";
    case 0xaa64:
      return "arm64";
    case 0x01c4:
      return "armnt";
    case 0x01c0:
      return "arm";
    case 0x0200:
      return "ia64";
    case 0x5064:
      return "riscv64";
    case 0x5032:
      return "riscv32";
    case 0x0ebc:
      return "ebc";
    case 0xa641:
      return "arm64ec";
    default:
      return hex16(machine);
  }
}

std::string subsystem_name(std::uint16_t subsystem) {
  switch (subsystem) {
    case 1:
      return "native";
    case 2:
      return "windows-gui";
    case 3:
      return "windows-cui";
    case 7:
      return "posix-cui";
    case 9:
      return "windows-ce-gui";
    case 10:
      return "efi-application";
    case 11:
      return "efi-boot-service-driver";
    case 12:
      return "efi-runtime-driver";
    case 13:
      return "efi-rom";
    case 14:
      return "xbox";
    case 16:
      return "windows-boot-application";
    default:
      return std::to_string(subsystem);
  }
}

std::vector<std::string> dll_characteristics_names(std::uint16_t flags) {
  static constexpr std::pair<std::uint16_t, const char*> kNames[] = {
      {0x0020, "high-entropy-va"}, {0x0040, "dynamic-base"},          {0x0080, "force-integrity"},
      {0x0100, "nx-compat"},       {0x0200, "no-isolation"},          {0x0400, "no-seh"},
      {0x0800, "no-bind"},         {0x1000, "appcontainer"},          {0x2000, "wdm-driver"},
      {0x4000, "guard-cf"},        {0x8000, "terminal-server-aware"},
  };
  std::vector<std::string> out;
  for (auto [bit, name] : kNames) {
    if (flags & bit) out.emplace_back(name);
  }
  return out;
}

std::vector<std::string> section_characteristics_names(std::uint32_t flags) {
  static constexpr std::pair<std::uint32_t, const char*> kNames[] = {
      {0x00000020, "code"},
      {0x00000040, "initialized-data"},
      {0x00000080, "uninitialized-data"},
      {0x02000000, "discardable"},
      {0x10000000, "shared"},
      {kScnMemExecute, "execute"},
      {kScnMemRead, "read"},
      {kScnMemWrite, "write"},
  };
  std::vector<std::string> out;
  for (auto [bit, name] : kNames) {
    if (flags & bit) out.emplace_back(name);
  }
  return out;
}

}  // namespace cascade::pe
