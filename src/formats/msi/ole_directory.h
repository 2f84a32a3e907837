// The directory of an OLE compound file ([MS-CFB]), read and checked by cascade itself before
// libgsf sees the file (internal to src/formats/msi).
//
// Two reasons for a reader of our own next to libgsf: libgsf trusts the allocation tables and
// the directory tree more than hostile input deserves (its directory recursion, chain walks and
// name decoding are only safe on a consistent file), and it exposes neither the raw UTF-16
// names, state bits nor creation/modification times the MSI signature digests are defined on.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::msi {

inline constexpr std::uint8_t kOleStorage = 1;
inline constexpr std::uint8_t kOleStream = 2;
inline constexpr std::uint8_t kOleRoot = 5;

struct OleEntry {
  std::u16string name;  // UTF-16 code units, without the terminator
  std::string utf8;     // the same name in UTF-8, as libgsf names the child
  std::uint8_t type = 0;
  std::array<std::uint8_t, 16> clsid{};
  std::uint32_t state_bits = 0;
  std::uint64_t created = 0;  // FILETIME, as stored
  std::uint64_t modified = 0;
  std::uint64_t size = 0;      // streams (and the root: its mini stream); 0 for storages
  std::uint32_t size_low = 0;  // the size field's low dword, as the MsiDigitalSignatureEx hashes it
  std::uint32_t parent = 0;    // index of the containing storage; the root is its own parent
  std::vector<std::uint32_t> children;  // indices into OleDirectory::entries, in tree order
};

struct OleDirectory {
  std::uint16_t major_version = 0;
  std::uint32_t sector_size = 0;
  std::vector<OleEntry> entries;  // entries[0] is the root storage; only reachable entries
};

// Reads and validates the header, the allocation tables, the directory tree and every stream's
// sector chain. Fails (kMalformed / kTruncated / kLimit) on anything libgsf could mishandle:
// chains that loop, overlap or run short, directory cycles or shared entries, malformed names,
// inconsistent table counts. The result's entries are exactly the ones libgsf will list.
Result<OleDirectory> read_ole_directory(Bytes file);

// The order osslsigncode (and Windows) hash the children of a storage in: the UTF-16LE bytes
// of the names, terminator included, compared as memcmp over the shorter length; on a tie the
// longer name first.
bool signature_order(const OleEntry& a, const OleEntry& b);

// Path of an entry from the root, the UTF-8 names joined by '/'.
std::string entry_path(const OleDirectory& dir, std::uint32_t index);

}  // namespace cascade::msi
