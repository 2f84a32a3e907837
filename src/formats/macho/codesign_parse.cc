// Reading the embedded signature: SuperBlob index, CodeDirectories, requirements, entitlements.
#include <algorithm>
#include <cstdio>

#include "formats/macho/codesign.h"

namespace cascade::macho {

namespace {

constexpr std::uint32_t kVersionEarliest = 0x20001;
constexpr std::uint32_t kVersionScatter = 0x20100;
constexpr std::uint32_t kVersionTeamId = 0x20200;
constexpr std::uint32_t kVersionCodeLimit64 = 0x20300;
constexpr std::uint32_t kVersionExecSegment = 0x20400;
constexpr std::uint32_t kVersionMajorMask = 0xffff0000;
constexpr std::size_t kMaxIdentifierLength = 1024;
constexpr std::uint32_t kMinPageShift = 12;
constexpr std::uint32_t kMaxPageShift = 16;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string slot_name(std::uint32_t slot) {
  switch (slot) {
    case kCsSlotCodeDirectory:
      return "CodeDirectory";
    case kCsSlotRequirements:
      return "requirements";
    case kCsSlotEntitlements:
      return "entitlements";
    case kCsSlotEntitlementsDer:
      return "entitlements-der";
    case kCsSlotSignature:
      return "CMS signature";
    default:
      if (slot >= kCsSlotAlternateFirst && slot <= kCsSlotAlternateLast)
        return "alternate CodeDirectory " + std::to_string(slot - kCsSlotAlternateFirst);
      return "slot " + hex(slot);
  }
}

// The magic each slot must carry (0: any).
std::uint32_t expected_magic(std::uint32_t slot) {
  switch (slot) {
    case kCsSlotCodeDirectory:
      return kCsMagicCodeDirectory;
    case kCsSlotRequirements:
      return kCsMagicRequirements;
    case kCsSlotEntitlements:
      return kCsMagicEntitlements;
    case kCsSlotEntitlementsDer:
      return kCsMagicEntitlementsDer;
    case kCsSlotSignature:
      return kCsMagicBlobWrapper;
    default:
      if (slot >= kCsSlotAlternateFirst && slot <= kCsSlotAlternateLast)
        return kCsMagicCodeDirectory;
      return 0;
  }
}

struct HashLayout {
  DigestAlgorithm algorithm;
  std::uint32_t size;
};

std::optional<HashLayout> hash_layout(CodeDirectoryHash hash) {
  switch (hash) {
    case CodeDirectoryHash::kSha1:
      return HashLayout{DigestAlgorithm::kSha1, 20};
    case CodeDirectoryHash::kSha256:
      return HashLayout{DigestAlgorithm::kSha256, 32};
    case CodeDirectoryHash::kSha256Truncated:
      return HashLayout{DigestAlgorithm::kSha256, 20};
    case CodeDirectoryHash::kSha384:
      return HashLayout{DigestAlgorithm::kSha384, 48};
  }
  return std::nullopt;
}

// The NUL-terminated string at `offset` of a blob.
std::optional<std::string> blob_string(Bytes blob, std::uint64_t offset) {
  return load_cstring(blob, offset, kMaxIdentifierLength);
}

}  // namespace

namespace detail {

std::vector<BlobRef> index_super_blob(Bytes super_blob, std::vector<std::string>& errors) {
  std::vector<BlobRef> out;
  ByteReader r(super_blob);
  auto magic = r.u32be();
  auto length = r.u32be();
  auto count = r.u32be();
  if (!count) {
    errors.push_back("code signature is too short for a SuperBlob header");
    return out;
  }
  if (*magic != kCsMagicEmbeddedSignature) {
    errors.push_back("code signature does not start with a SuperBlob (magic " + hex(*magic) + ")");
    return out;
  }
  if (*length < 12 || *length > super_blob.size()) {
    errors.push_back("SuperBlob length " + std::to_string(*length) +
                     " does not fit the signature's " + std::to_string(super_blob.size()) +
                     " bytes");
    if (*length < 12) return out;
  }
  const Bytes body = super_blob.first(std::min<std::size_t>(*length, super_blob.size()));
  std::uint32_t entries = *count;
  if (entries > kMaxSuperBlobEntries) {
    errors.push_back("SuperBlob claims " + std::to_string(entries) + " blobs; read the first " +
                     std::to_string(kMaxSuperBlobEntries));
    entries = kMaxSuperBlobEntries;
  }
  const std::uint64_t index_end = 12 + std::uint64_t{entries} * 8;
  if (index_end > body.size()) {
    errors.push_back("SuperBlob index runs past its end");
    return out;
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> taken;  // [begin, end) of kept blobs
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::uint32_t slot = *r.u32be();
    const std::uint32_t offset = *r.u32be();
    const std::string what = slot_name(slot);
    if (offset < index_end) {
      errors.push_back(what + " blob overlaps the SuperBlob index");
      continue;
    }
    auto header = slice(body, offset, 8);
    if (!header) {
      errors.push_back(what + " blob lies outside the SuperBlob");
      continue;
    }
    ByteReader h(*header);
    const std::uint32_t blob_magic = *h.u32be();
    const std::uint32_t blob_length = *h.u32be();
    auto blob = blob_length >= 8 ? slice(body, offset, blob_length) : std::nullopt;
    if (!blob) {
      errors.push_back(what + " blob length " + std::to_string(blob_length) +
                       " does not fit the SuperBlob");
      continue;
    }
    const std::uint64_t begin = offset;
    const std::uint64_t end = begin + blob_length;
    const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const auto& range) {
      return begin < range.second && range.first < end;
    });
    if (overlaps) {
      errors.push_back(what + " blob overlaps another blob");
      continue;
    }
    const bool repeated =
        std::any_of(out.begin(), out.end(), [&](const BlobRef& b) { return b.slot == slot; });
    if (repeated) {
      errors.push_back(what + " appears more than once in the SuperBlob");
      continue;
    }
    if (const std::uint32_t want = expected_magic(slot); want != 0 && blob_magic != want) {
      errors.push_back(what + " blob has magic " + hex(blob_magic) + ", expected " + hex(want));
      continue;
    }
    taken.emplace_back(begin, end);
    out.push_back({slot, blob_magic, *blob});
  }
  return out;
}

std::vector<const BlobRef*> directory_blobs(const std::vector<BlobRef>& blobs) {
  std::vector<const BlobRef*> out;
  for (const auto& b : blobs) {
    if (b.slot == kCsSlotCodeDirectory) out.push_back(&b);
  }
  for (std::uint32_t slot = kCsSlotAlternateFirst; slot <= kCsSlotAlternateLast; ++slot) {
    for (const auto& b : blobs) {
      if (b.slot == slot) out.push_back(&b);
    }
  }
  return out;
}

std::optional<DirectoryLayout> parse_code_directory(Bytes blob, bool alternate,
                                                    std::uint64_t slice_size,
                                                    std::vector<std::string>& errors) {
  const std::string what = alternate ? "alternate CodeDirectory" : "CodeDirectory";
  auto fail = [&](const std::string& message) -> std::optional<DirectoryLayout> {
    errors.push_back(what + ": " + message);
    return std::nullopt;
  };
  ByteReader r(blob);
  r.skip(8);  // magic and length, checked by index_super_blob
  auto version = r.u32be();
  auto flags = r.u32be();
  auto hash_offset = r.u32be();
  auto ident_offset = r.u32be();
  auto special_slots = r.u32be();
  auto code_slots = r.u32be();
  auto code_limit = r.u32be();
  auto hash_size = r.u8();
  auto type = r.u8();
  r.skip(1);  // platform
  auto page_shift = r.u8();
  auto spare2 = r.u32be();
  if (!spare2) return fail("truncated header");
  DirectoryLayout layout;
  layout.blob = blob;
  CodeDirectory& cd = layout.info;
  cd.version = *version;
  cd.flags = *flags;
  cd.alternate = alternate;
  cd.special_slots = *special_slots;
  cd.code_slots = *code_slots;
  cd.code_limit = *code_limit;
  if (cd.version < kVersionEarliest || (cd.version & kVersionMajorMask) != 0x20000)
    return fail("unsupported version " + hex(cd.version));
  std::uint32_t scatter_offset = 0;
  std::uint32_t team_offset = 0;
  if (cd.version >= kVersionScatter) {
    auto v = r.u32be();
    if (!v) return fail("truncated scatter offset");
    scatter_offset = *v;
  }
  if (cd.version >= kVersionTeamId) {
    auto v = r.u32be();
    if (!v) return fail("truncated team offset");
    team_offset = *v;
  }
  if (cd.version >= kVersionCodeLimit64) {
    auto spare3 = r.u32be();
    auto limit64 = spare3 ? r.u64be() : std::nullopt;
    if (!limit64) return fail("truncated 64-bit code limit");
    if (*limit64 != 0) cd.code_limit = *limit64;
  }
  if (cd.version >= kVersionExecSegment && !r.skip(24)) return fail("truncated executable segment");

  cd.hash_type = static_cast<CodeDirectoryHash>(*type);
  const std::string hash_name = code_directory_hash_name(cd.hash_type);
  if (auto known = hash_layout(cd.hash_type)) {
    layout.algorithm = known->algorithm;
    if (*hash_size != known->size)
      return fail("hash size " + std::to_string(*hash_size) + " does not suit " + hash_name);
  } else {
    errors.push_back(what + ": unknown hash " + hash_name + "; its hashes cannot be checked");
  }
  layout.hash_size = *hash_size;
  if (*page_shift != 0 && (*page_shift < kMinPageShift || *page_shift > kMaxPageShift))
    return fail("page size 2^" + std::to_string(*page_shift) + " is out of range");
  cd.page_size = *page_shift == 0 ? 0 : std::uint32_t{1} << *page_shift;

  if (auto ident = blob_string(blob, *ident_offset)) {
    cd.identifier = *ident;
  } else {
    errors.push_back(what + ": identifier lies outside the blob");
  }
  if (team_offset != 0) {
    if (auto team = blob_string(blob, team_offset)) {
      cd.team_id = *team;
    } else {
      errors.push_back(what + ": team identifier lies outside the blob");
    }
  }
  if (layout.algorithm) {
    Digest d = digest(*layout.algorithm, blob);
    d.resize(std::min<std::size_t>(d.size(), 20));
    cd.cdhash = to_hex(d);
  }

  // Bounds: the code slots may not outnumber the slice's pages, and every hash must lie in the
  // blob, special slots before hash_offset and code slots after it.
  const std::uint64_t max_slots = cd.page_size == 0 ? 1 : slice_size / cd.page_size + 1;
  if (cd.code_slots > max_slots)
    return fail(std::to_string(cd.code_slots) + " code slots for a slice of " +
                std::to_string(slice_size) + " bytes");
  layout.hash_offset = *hash_offset;
  if (std::uint64_t{cd.special_slots} * layout.hash_size > layout.hash_offset)
    return fail("special slots run before the start of the blob");
  if (layout.hash_offset + std::uint64_t{cd.code_slots} * layout.hash_size > blob.size())
    return fail("code slots run past the end of the blob");

  if (scatter_offset != 0) {
    if (cd.page_size == 0) return fail("scatter vector with single-page code");
    ByteReader s;
    if (auto rest = tail(blob, scatter_offset)) s = ByteReader(*rest);
    std::uint64_t covered = 0;
    for (;;) {
      auto count = s.u32be();
      auto base = s.u32be();
      if (!base || !s.skip(16)) return fail("scatter vector runs past the end of the blob");
      if (*count == 0) break;
      if (!layout.scatter.empty() &&
          std::uint64_t{*base} <
              std::uint64_t{layout.scatter.back().first} + layout.scatter.back().second)
        return fail("scatter vector is not in ascending page order");
      covered += *count;
      if (covered > cd.code_slots) return fail("scatter vector covers more pages than code slots");
      layout.scatter.emplace_back(*base, *count);
    }
  } else if (cd.page_size != 0) {
    const std::uint64_t pages = (cd.code_limit + cd.page_size - 1) / cd.page_size;
    if (pages != cd.code_slots)
      errors.push_back(what + ": " + std::to_string(cd.code_slots) + " code slots for a code " +
                       "limit of " + std::to_string(pages) + " pages");
  } else if (cd.code_slots != 1 && cd.code_limit != 0) {
    errors.push_back(what + ": " + std::to_string(cd.code_slots) +
                     " code slots for single-page code");
  }
  return layout;
}

std::optional<Bytes> signature_bytes(Bytes slice, const CodeSignature& signature) {
  auto rest = tail(slice, signature.offset);
  if (!rest) return std::nullopt;
  return rest->first(std::min<std::uint64_t>(rest->size(), signature.size));
}

}  // namespace detail

CodeSignature parse_code_signature(Bytes slice, std::uint64_t offset, std::uint64_t size) {
  CodeSignature sig;
  sig.offset = offset;
  sig.size = size;
  auto bytes = detail::signature_bytes(slice, sig);
  if (!bytes) {
    sig.errors.push_back("code signature starts past the end of the slice");
    return sig;
  }
  if (bytes->size() < size) sig.errors.push_back("code signature runs past the end of the slice");
  const auto blobs = detail::index_super_blob(*bytes, sig.errors);
  const auto directories = detail::directory_blobs(blobs);
  const bool have_primary =
      !directories.empty() && directories.front()->slot == kCsSlotCodeDirectory;
  if (!have_primary) sig.errors.push_back("code signature has no CodeDirectory");
  for (const auto* b : directories) {
    const bool alternate = b->slot != kCsSlotCodeDirectory;
    auto layout = detail::parse_code_directory(b->blob, alternate, slice.size(), sig.errors);
    if (!layout) continue;
    const CodeDirectory& cd = layout->info;
    if (cd.code_limit != offset) {
      sig.errors.push_back(std::string(alternate ? "alternate " : "") + "CodeDirectory covers " +
                           std::to_string(cd.code_limit) + " bytes, but the signature starts at " +
                           std::to_string(offset));
    }
    sig.directories.push_back(layout->info);
  }
  if (have_primary && !sig.directories.empty() && !sig.directories.front().alternate) {
    const std::uint32_t flags = sig.directories.front().flags;
    sig.adhoc = (flags & kCsAdhoc) != 0;
    sig.hardened_runtime = (flags & kCsRuntime) != 0;
    sig.library_validation = (flags & kCsRequireLv) != 0;
  }
  for (const auto& b : blobs) {
    const Bytes payload = b.blob.subspan(8);
    switch (b.slot) {
      case kCsSlotRequirements:
        sig.requirements_size = b.blob.size();
        break;
      case kCsSlotEntitlements:
        sig.entitlements_xml =
            std::string(reinterpret_cast<const char*>(payload.data()), payload.size());
        break;
      case kCsSlotEntitlementsDer:
        sig.entitlements_der = true;
        break;
      case kCsSlotSignature:
        sig.cms_present = !payload.empty();
        if (payload.empty()) sig.adhoc = true;
        break;
      default:
        break;
    }
  }
  return sig;
}

}  // namespace cascade::macho
