// Names for Mach-O constants, spelled as llvm-objdump and codesign print them.
#include <cstdio>
#include <utility>

#include "formats/macho/macho_image.h"
#include "formats/macho/macho_internal.h"

namespace cascade::macho {

namespace {

constexpr std::uint32_t kCpuArchAbi64 = 0x01000000;
constexpr std::uint32_t kCpuArchAbi6432 = 0x02000000;
constexpr std::uint32_t kCpuTypeX86 = 7;
constexpr std::uint32_t kCpuTypeArm = 12;
constexpr std::uint32_t kCpuTypePowerPc = 18;
constexpr std::uint32_t kCpuSubtypeMask = 0xff000000;

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

template <std::size_t N>
const char* lookup(const std::pair<std::uint32_t, const char*> (&table)[N], std::uint32_t key) {
  for (const auto& [k, name] : table) {
    if (k == key) return name;
  }
  return nullptr;
}

constexpr std::pair<std::uint32_t, const char*> kLoadCommands[] = {
    {0x1, "LC_SEGMENT"},
    {0x2, "LC_SYMTAB"},
    {0x3, "LC_SYMSEG"},
    {0x4, "LC_THREAD"},
    {0x5, "LC_UNIXTHREAD"},
    {0x6, "LC_LOADFVMLIB"},
    {0x7, "LC_IDFVMLIB"},
    {0x8, "LC_IDENT"},
    {0x9, "LC_FVMFILE"},
    {0xa, "LC_PREPAGE"},
    {0xb, "LC_DYSYMTAB"},
    {0xc, "LC_LOAD_DYLIB"},
    {0xd, "LC_ID_DYLIB"},
    {0xe, "LC_LOAD_DYLINKER"},
    {0xf, "LC_ID_DYLINKER"},
    {0x10, "LC_PREBOUND_DYLIB"},
    {0x11, "LC_ROUTINES"},
    {0x12, "LC_SUB_FRAMEWORK"},
    {0x13, "LC_SUB_UMBRELLA"},
    {0x14, "LC_SUB_CLIENT"},
    {0x15, "LC_SUB_LIBRARY"},
    {0x16, "LC_TWOLEVEL_HINTS"},
    {0x17, "LC_PREBIND_CKSUM"},
    {0x80000018, "LC_LOAD_WEAK_DYLIB"},
    {0x19, "LC_SEGMENT_64"},
    {0x1a, "LC_ROUTINES_64"},
    {0x1b, "LC_UUID"},
    {0x8000001c, "LC_RPATH"},
    {0x1d, "LC_CODE_SIGNATURE"},
    {0x1e, "LC_SEGMENT_SPLIT_INFO"},
    {0x8000001f, "LC_REEXPORT_DYLIB"},
    {0x20, "LC_LAZY_LOAD_DYLIB"},
    {0x21, "LC_ENCRYPTION_INFO"},
    {0x22, "LC_DYLD_INFO"},
    {0x80000022, "LC_DYLD_INFO_ONLY"},
    {0x80000023, "LC_LOAD_UPWARD_DYLIB"},
    {0x24, "LC_VERSION_MIN_MACOSX"},
    {0x25, "LC_VERSION_MIN_IPHONEOS"},
    {0x26, "LC_FUNCTION_STARTS"},
    {0x27, "LC_DYLD_ENVIRONMENT"},
    {0x80000028, "LC_MAIN"},
    {0x29, "LC_DATA_IN_CODE"},
    {0x2a, "LC_SOURCE_VERSION"},
    {0x2b, "LC_DYLIB_CODE_SIGN_DRS"},
    {0x2c, "LC_ENCRYPTION_INFO_64"},
    {0x2d, "LC_LINKER_OPTION"},
    {0x2e, "LC_LINKER_OPTIMIZATION_HINT"},
    {0x2f, "LC_VERSION_MIN_TVOS"},
    {0x30, "LC_VERSION_MIN_WATCHOS"},
    {0x31, "LC_NOTE"},
    {0x32, "LC_BUILD_VERSION"},
    {0x80000033, "LC_DYLD_EXPORTS_TRIE"},
    {0x80000034, "LC_DYLD_CHAINED_FIXUPS"},
    {0x80000035, "LC_FILESET_ENTRY"},
    {0x36, "LC_ATOM_INFO"},
};

constexpr std::pair<std::uint32_t, const char*> kFileTypes[] = {
    {1, "object"},     {2, "execute"}, {3, "fvmlib"},       {4, "core"},
    {5, "preload"},    {6, "dylib"},   {7, "dylinker"},     {8, "bundle"},
    {9, "dylib_stub"}, {10, "dsym"},   {11, "kext_bundle"}, {12, "fileset"},
};

constexpr std::pair<std::uint32_t, const char*> kPlatforms[] = {
    {1, "macos"},        {2, "ios"},           {3, "tvos"},
    {4, "watchos"},      {5, "bridgeos"},      {6, "maccatalyst"},
    {7, "iossimulator"}, {8, "tvossimulator"}, {9, "watchossimulator"},
    {10, "driverkit"},   {11, "visionos"},     {12, "visionossimulator"},
};

constexpr std::pair<std::uint32_t, const char*> kArmSubtypes[] = {
    {5, "armv4t"},  {6, "armv6"},   {7, "armv5"},  {8, "xscale"},  {9, "armv7"},   {10, "armv7f"},
    {11, "armv7s"}, {12, "armv7k"}, {13, "armv8"}, {14, "armv6m"}, {15, "armv7m"}, {16, "armv7em"},
};

constexpr std::pair<std::uint32_t, const char*> kHeaderFlags[] = {
    {0x1, "NOUNDEFS"},
    {0x2, "INCRLINK"},
    {0x4, "DYLDLINK"},
    {0x8, "BINDATLOAD"},
    {0x10, "PREBOUND"},
    {0x20, "SPLIT_SEGS"},
    {0x40, "LAZY_INIT"},
    {0x80, "TWOLEVEL"},
    {0x100, "FORCE_FLAT"},
    {0x200, "NOMULTIDEFS"},
    {0x400, "NOFIXPREBINDING"},
    {0x800, "PREBINDABLE"},
    {0x1000, "ALLMODSBOUND"},
    {0x2000, "SUBSECTIONS_VIA_SYMBOLS"},
    {0x4000, "CANONICAL"},
    {0x8000, "WEAK_DEFINES"},
    {0x10000, "BINDS_TO_WEAK"},
    {0x20000, "ALLOW_STACK_EXECUTION"},
    {0x40000, "ROOT_SAFE"},
    {0x80000, "SETUID_SAFE"},
    {0x100000, "NO_REEXPORTED_DYLIBS"},
    {0x200000, "PIE"},
    {0x400000, "DEAD_STRIPPABLE_DYLIB"},
    {0x800000, "HAS_TLV_DESCRIPTORS"},
    {0x1000000, "NO_HEAP_EXECUTION"},
    {0x2000000, "APP_EXTENSION_SAFE"},
    {0x4000000, "NLIST_OUTOFSYNC_WITH_DYLDINFO"},
    {0x8000000, "SIM_SUPPORT"},
    {0x80000000, "DYLIB_IN_CACHE"},
};

// As codesign -d prints them.
constexpr std::pair<std::uint32_t, const char*> kCodeDirectoryFlags[] = {
    {0x1, "valid"},
    {0x2, "adhoc"},
    {0x4, "get-task-allow"},
    {0x8, "installer"},
    {0x10, "forced-lv"},
    {0x20, "invalid-allowed"},
    {0x100, "hard"},
    {0x200, "kill"},
    {0x400, "expires"},
    {0x800, "restrict"},
    {0x1000, "enforcement"},
    {0x2000, "library-validation"},
    {0x4000, "entitlements-validated"},
    {0x8000, "nvram-unrestricted"},
    {0x10000, "runtime"},
    {0x20000, "linker-signed"},
};

template <std::size_t N>
std::vector<std::string> flag_names(const std::pair<std::uint32_t, const char*> (&table)[N],
                                    std::uint32_t flags) {
  std::vector<std::string> out;
  std::uint32_t known = 0;
  for (const auto& [bit, name] : table) {
    known |= bit;
    if ((flags & bit) != 0) out.emplace_back(name);
  }
  if ((flags & ~known) != 0) out.push_back(hex32(flags & ~known));
  return out;
}

}  // namespace

std::string cpu_name(std::uint32_t cputype, std::uint32_t cpusubtype) {
  const std::uint32_t sub = cpusubtype & ~kCpuSubtypeMask;
  switch (cputype) {
    case kCpuTypeX86:
      return "i386";
    case kCpuTypeX86 | kCpuArchAbi64:
      return sub == 8 ? "x86_64h" : "x86_64";
    case kCpuTypeArm:
      if (const char* name = lookup(kArmSubtypes, sub)) return name;
      return "arm";
    case kCpuTypeArm | kCpuArchAbi64:
      return sub == 2 ? "arm64e" : "arm64";
    case kCpuTypeArm | kCpuArchAbi6432:
      return "arm64_32";
    case kCpuTypePowerPc:
      return "ppc";
    case kCpuTypePowerPc | kCpuArchAbi64:
      return "ppc64";
    default:
      return "cputype " + hex32(cputype);
  }
}

std::string filetype_name(std::uint32_t filetype) {
  if (const char* name = lookup(kFileTypes, filetype)) return name;
  return hex32(filetype);
}

std::string load_command_name(std::uint32_t cmd) {
  if (const char* name = lookup(kLoadCommands, cmd)) return name;
  return hex32(cmd);
}

std::string platform_name(std::uint32_t platform) {
  if (const char* name = lookup(kPlatforms, platform)) return name;
  return "platform " + std::to_string(platform);
}

std::vector<std::string> header_flag_names(std::uint32_t flags) {
  return flag_names(kHeaderFlags, flags);
}

std::vector<std::string> code_directory_flag_names(std::uint32_t flags) {
  return flag_names(kCodeDirectoryFlags, flags);
}

namespace detail {

std::string dylib_version(std::uint32_t v) {
  return std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff) + "." +
         std::to_string(v & 0xff);
}

std::string platform_version(std::uint32_t v) {
  std::string out = std::to_string(v >> 16) + "." + std::to_string((v >> 8) & 0xff);
  if ((v & 0xff) != 0) out += "." + std::to_string(v & 0xff);
  return out;
}

}  // namespace detail
std::string code_directory_hash_name(CodeDirectoryHash hash) {
  switch (hash) {
    case CodeDirectoryHash::kSha1:
      return "sha1";
    case CodeDirectoryHash::kSha256:
      return "sha256";
    case CodeDirectoryHash::kSha256Truncated:
      return "sha256-truncated";
    case CodeDirectoryHash::kSha384:
      return "sha384";
  }
  return "type " + std::to_string(static_cast<unsigned>(hash));
}

}  // namespace cascade::macho
