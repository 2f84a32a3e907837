// The Mach-O object model (thin 32/64-bit images, either byte order, and fat/universal files):
// plain values, filled by parse_macho() and verify_code_signature().
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authenticode/signature.h"
#include "authenticode/trust_store.h"
#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::macho {

inline constexpr std::uint32_t kCsAdhoc = 0x2;
inline constexpr std::uint32_t kCsRequireLv = 0x2000;
inline constexpr std::uint32_t kCsRuntime = 0x10000;
inline constexpr std::uint32_t kCsLinkerSigned = 0x20000;

struct Section {
  std::string segment, name;
  std::uint64_t addr = 0, size = 0;
  std::uint32_t offset = 0, flags = 0;
  double entropy = 0.0;  // over the bytes present in the slice (see measure_contents)
};

struct Segment {
  std::string name;
  std::uint64_t vmaddr = 0, vmsize = 0, fileoff = 0, filesize = 0;
  std::uint32_t maxprot = 0, initprot = 0;
  std::vector<Section> sections;
};

// The load command that named a dylib: LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, ..., LC_ID_DYLIB.
enum class DylibKind { kLoad, kWeak, kReexport, kLazy, kUpward, kId };
constexpr std::string_view dylib_kind_name(DylibKind kind) {
  switch (kind) {
    case DylibKind::kLoad:
      return "load";
    case DylibKind::kWeak:
      return "weak";
    case DylibKind::kReexport:
      return "reexport";
    case DylibKind::kLazy:
      return "lazy";
    case DylibKind::kUpward:
      return "upward";
    case DylibKind::kId:
      return "id";
  }
  return "load";
}

struct Dylib {
  DylibKind kind = DylibKind::kLoad;
  std::string name;
  std::string current_version, compatibility_version;  // "a.b.c"
};

struct LoadCommand {
  std::uint32_t cmd = 0;
  std::string name;  // "LC_SEGMENT_64", ... or "0x..." when unknown
  std::uint32_t size = 0;
  std::uint64_t offset = 0;  // within the slice
};

struct BuildVersion {
  std::string platform;  // "macos", "ios", ...
  std::string minos, sdk;
  std::string source;  // "LC_BUILD_VERSION" or "LC_VERSION_MIN_MACOSX" etc.
};

struct Symbol {
  std::string name;
  bool defined = false;
  bool external = false;
  std::uint64_t value = 0;
  std::string library;  // imports with a two-level namespace: the dylib's name, else ""
};

// CS_HASHTYPE_* as the CodeDirectory has it; any other value is kept as its number.
enum class CodeDirectoryHash : std::uint8_t {
  kSha1 = 1,
  kSha256 = 2,
  kSha256Truncated = 3,
  kSha384 = 4,
};

struct CodeDirectory {
  std::uint32_t version = 0, flags = 0;
  CodeDirectoryHash hash_type = CodeDirectoryHash::kSha256;
  std::string identifier, team_id;
  std::uint64_t code_limit = 0;
  std::uint32_t page_size = 0;  // bytes; 0 means the code is one page
  std::uint32_t code_slots = 0, special_slots = 0;
  std::string cdhash;      // hex hash of the whole CodeDirectory blob, truncated to 20 bytes
  bool alternate = false;  // from CSSLOT_ALTERNATE_CODEDIRECTORIES
  // Code slots whose hash differs from the recomputed hash of their page (the last page cut at
  // code_limit); set by verify_code_signature.
  std::uint32_t bad_pages = 0;
  std::optional<std::uint32_t> first_bad_page;
  // Special slots ("requirements", "entitlements", "entitlements-der") whose hash differs from
  // the hash of the blob they bind, including a blob present but not bound, or bound but absent.
  std::vector<std::string> bad_special_slots;
  // Its page hashes were recomputed and compared (a known hash type, a readable layout); set by
  // verify_code_signature. Unchecked, bad_pages says nothing.
  bool checked = false;
};

// The kind of Apple-issued identity a trusted signer's leaf certificate is marked as.
enum class AppleIdentity {
  kNone,  // not trusted, or no Apple marker
  kDeveloperIdApplication,
  kDeveloperIdInstaller,
  kMacAppStore,
  kMacAppStoreSubmission,
  kAppleDevelopment,
};
constexpr std::string_view apple_identity_name(AppleIdentity identity) {
  switch (identity) {
    case AppleIdentity::kNone:
      return "";
    case AppleIdentity::kDeveloperIdApplication:
      return "developer-id-application";
    case AppleIdentity::kDeveloperIdInstaller:
      return "developer-id-installer";
    case AppleIdentity::kMacAppStore:
      return "mac-app-store";
    case AppleIdentity::kMacAppStoreSubmission:
      return "mac-app-store-submission";
    case AppleIdentity::kAppleDevelopment:
      return "apple-development";
  }
  return "";
}

struct CodeSignature {
  std::uint64_t offset = 0, size = 0;      // LC_CODE_SIGNATURE dataoff/datasize within the slice
  std::vector<CodeDirectory> directories;  // the primary (CSSLOT_CODEDIRECTORY) first
  bool adhoc = false;                      // CS_ADHOC flag or an empty CMS blob
  std::optional<std::string> entitlements_xml;
  bool entitlements_der = false;
  std::uint64_t requirements_size = 0;
  bool hardened_runtime = false, library_validation = false;  // flags of the primary directory
  // The CMS blob (CSSLOT_SIGNATURESLOT): present when non-empty. Set by verify_code_signature.
  bool cms_present = false;
  bool cms_signature_ok = false;
  std::string cms_error;
  std::optional<authenticode::CertificateInfo> signer;
  authenticode::ChainResult chain;
  std::optional<std::string> signing_time;  // authenticated signingTime attribute (claimed)
  // What Apple's certificate extensions say of the signer (1.2.840.113635.100.6.*): the kind of
  // Apple-issued identity, and the team it belongs to (the leaf's subject OU).
  AppleIdentity apple_identity = AppleIdentity::kNone;
  bool developer_id = false;  // Developer ID leaf under a Developer ID intermediate
  std::string team_id;
  std::vector<std::string> errors;  // malformed blobs and the like
};

// The verdict on a slice's code signature, worst first: what reports give as its status.
enum class CodeSignatureStatus {
  kUnsigned,      // no LC_CODE_SIGNATURE
  kMismatch,      // a page or special-slot hash differs
  kMalformed,     // no CodeDirectory read, or neither ad hoc nor a CMS signature
  kUnverifiable,  // no CodeDirectory of a hash type and layout cascade can check
  kAdhoc,         // hashes only, no identity
  kInvalid,       // the CMS signature does not verify
  kUntrusted,     // verifies, chain to no trusted anchor
  kValid,         // verifies and chains to a trusted anchor
};
constexpr std::string_view code_signature_status_name(CodeSignatureStatus status) {
  switch (status) {
    case CodeSignatureStatus::kUnsigned:
      return "unsigned";
    case CodeSignatureStatus::kMismatch:
      return "mismatch";
    case CodeSignatureStatus::kMalformed:
      return "malformed";
    case CodeSignatureStatus::kUnverifiable:
      return "unverifiable";
    case CodeSignatureStatus::kAdhoc:
      return "adhoc";
    case CodeSignatureStatus::kInvalid:
      return "invalid";
    case CodeSignatureStatus::kUntrusted:
      return "untrusted";
    case CodeSignatureStatus::kValid:
      return "valid";
  }
  return "malformed";
}
// For saved reports read back; nullopt for a name no version of cascade wrote.
std::optional<CodeSignatureStatus> code_signature_status_from_name(std::string_view name);
// Judges a slice's signature once verify_code_signature has filled it.
CodeSignatureStatus code_signature_status(const std::optional<CodeSignature>& signature);

struct MachoImage {
  bool is_64 = false;
  bool big_endian = false;  // MH_CIGAM(_64): the header and load commands are byte-swapped
  std::uint32_t cputype = 0, cpusubtype = 0, filetype = 0, flags = 0;
  std::vector<LoadCommand> load_commands;
  std::vector<Segment> segments;
  std::vector<Dylib> dylibs;  // every LC_*_DYLIB, LC_ID_DYLIB included (kind "id")
  std::vector<std::string> rpaths;
  std::optional<std::string> uuid;  // 8-4-4-4-12, upper case, as llvm-objdump prints it
  std::optional<BuildVersion> build_version;
  std::optional<std::uint64_t> entry_offset;        // LC_MAIN
  std::optional<std::uint32_t> encryption_cryptid;  // LC_ENCRYPTION_INFO(_64)
  std::vector<Symbol> imports, exports;             // external undefined / defined symbols
  std::optional<CodeSignature> code_signature;
  std::uint64_t end_of_content = 0;    // furthest byte any header, segment or table accounts for
  std::vector<std::string> anomalies;  // structural oddities worth a finding; parsing went on
};

struct FatSlice {
  std::uint32_t cputype = 0, cpusubtype = 0;
  std::uint64_t offset = 0, size = 0;
  std::uint32_t align = 0;  // log2
};

enum class Kind { kNone, kThin, kFat };

// By magic: MH_MAGIC(_64)/MH_CIGAM(_64) are thin; FAT_MAGIC(_64) is fat, sound or damaged,
// unless a damaged header reads as a Java class file's version (0xCAFEBABE starts those too:
// minor 0 or 0xFFFF, major 45 to 99, where nfat_arch would be).
Kind detect(Bytes file);

// A fat header read as far as it can be: every slice that lies inside the file, after the
// header, in table order (overlapping ones too), and what is wrong with the rest. An attacker
// who damages one entry must not hide the others.
struct FatTable {
  std::vector<FatSlice> slices;
  std::vector<std::string> problems;
};
FatTable read_fat(Bytes file);

// The slices of a fat file; an error when the table or a slice lies outside the file, or slices
// overlap the header or each other.
Result<std::vector<FatSlice>> parse_fat(Bytes file);

// The slice's bytes in `file`, or nullopt when it lies outside it.
std::optional<Bytes> slice_bytes(Bytes file, const FatSlice& slice);

// Parses the header, load commands, symbols and the code signature's blobs. Only a missing or
// truncated header is an error; damage after it goes to `anomalies` (the load command walk
// stops at the first command that does not fit) or CodeSignature::errors, and parsing goes on.
// Hashes are not checked here: see verify_code_signature().
Result<MachoImage> parse_macho(Bytes slice);

// Fills section entropy.
void measure_contents(Bytes slice, MachoImage& image);

// Checks every CodeDirectory's page and special-slot hashes, then the CMS signature (if any)
// over the primary CodeDirectory, and the signer's chain through `trust` (for code signing).
void verify_code_signature(Bytes slice, MachoImage& image, const authenticode::TrustStore& trust,
                           std::time_t now);

std::string cpu_name(std::uint32_t cputype, std::uint32_t cpusubtype);  // "x86_64", "arm64e"...
std::string filetype_name(std::uint32_t filetype);                      // "execute", "dylib"...
std::string load_command_name(std::uint32_t cmd);                       // "LC_UUID" or "0x..."
std::string platform_name(std::uint32_t platform);                      // "macos", "ios"...
std::string code_directory_hash_name(CodeDirectoryHash hash);     // "sha256"..., else "type N"
std::vector<std::string> header_flag_names(std::uint32_t flags);  // "PIE", "TWOLEVEL"...
std::vector<std::string> code_directory_flag_names(std::uint32_t flags);  // "adhoc", "runtime"..

}  // namespace cascade::macho
