// The embedded code signature (LC_CODE_SIGNATURE's SuperBlob) below the public model: exposed
// for parse_macho/verify_code_signature, the codesign fuzzer and the tests. All blobs are
// big-endian whatever the slice's byte order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/byte_reader.h"
#include "core/digest.h"
#include "formats/macho/macho_image.h"

namespace cascade::macho {

inline constexpr std::uint32_t kCsMagicEmbeddedSignature = 0xfade0cc0;
inline constexpr std::uint32_t kCsMagicCodeDirectory = 0xfade0c02;
inline constexpr std::uint32_t kCsMagicRequirements = 0xfade0c01;
inline constexpr std::uint32_t kCsMagicEntitlements = 0xfade7171;
inline constexpr std::uint32_t kCsMagicEntitlementsDer = 0xfade7172;
inline constexpr std::uint32_t kCsMagicBlobWrapper = 0xfade0b01;

inline constexpr std::uint32_t kCsSlotCodeDirectory = 0;
inline constexpr std::uint32_t kCsSlotRequirements = 2;
inline constexpr std::uint32_t kCsSlotEntitlements = 5;
inline constexpr std::uint32_t kCsSlotEntitlementsDer = 7;
inline constexpr std::uint32_t kCsSlotAlternateFirst = 0x1000;
inline constexpr std::uint32_t kCsSlotAlternateLast = 0x1004;
inline constexpr std::uint32_t kCsSlotSignature = 0x10000;

inline constexpr std::size_t kMaxSuperBlobEntries = 64;

// Parses the SuperBlob that LC_CODE_SIGNATURE places at [offset, offset+size) of `slice`:
// CodeDirectories, requirements, entitlements and the CMS blob's presence. Nothing is hashed
// but each cdhash. Damage is reported in CodeSignature::errors.
CodeSignature parse_code_signature(Bytes slice, std::uint64_t offset, std::uint64_t size);

namespace detail {

// One blob of a SuperBlob's index, checked to lie inside it.
struct BlobRef {
  std::uint32_t slot = 0;
  std::uint32_t magic = 0;
  Bytes blob;  // the whole blob, its 8-byte header included
};

// The SuperBlob's blobs in index order. Entries out of bounds, overlapping an earlier blob or
// repeating a slot are dropped, with an error.
std::vector<BlobRef> index_super_blob(Bytes super_blob, std::vector<std::string>& errors);

// The CodeDirectory blobs among `blobs`: the primary first, then the alternates in slot order.
std::vector<const BlobRef*> directory_blobs(const std::vector<BlobRef>& blobs);

// A CodeDirectory with what verification needs to find its hashes.
struct DirectoryLayout {
  CodeDirectory info;
  Bytes blob;
  std::optional<DigestAlgorithm> algorithm;  // unset for an unknown hash type
  std::uint32_t hash_size = 0;
  std::uint64_t hash_offset = 0;
  // Scatter vectors as (first page, page count); empty when the code is contiguous.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> scatter;
};

// Reads and checks a CodeDirectory blob; nullopt (with an error) when its hashes cannot be
// located safely. `slice_size` bounds the number of code slots.
std::optional<DirectoryLayout> parse_code_directory(Bytes blob, bool alternate,
                                                    std::uint64_t slice_size,
                                                    std::vector<std::string>& errors);

// The slice's bytes within the signature, clamped to the slice.
std::optional<Bytes> signature_bytes(Bytes slice, const CodeSignature& signature);

}  // namespace detail
}  // namespace cascade::macho
