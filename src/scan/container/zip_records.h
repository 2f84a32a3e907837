// The two ways a zip is read, each parsed on its own from the bytes: the central directory at the
// end (as Windows, Info-ZIP's unzip and Python read a zip) and the local headers walked from the
// start (as streaming readers such as libarchive's streamable reader and Java's ZipInputStream
// do). A well-formed zip gives the same entries both ways; a crafted one need not, and whatever
// either view yields is something some tool extracts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.h"

namespace cascade::scan::detail {

// Records either view lists before it stops (a zip64 archive may declare billions): the rest
// are not compared, which the caller reports.
inline constexpr std::uint64_t kMaxZipRecords = std::uint64_t{1} << 20;

inline constexpr std::uint16_t kZipFlagEncrypted = 0x0001;
inline constexpr std::uint16_t kZipFlagDataDescriptor = 0x0008;

// One entry as one view sees it. Offsets are positions in the bytes given to the parser.
struct ZipRecord {
  std::string name;
  std::uint64_t header_offset = 0;  // its local header
  std::uint64_t data_offset = 0;    // first byte of its stored (compressed) data
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint32_t crc32 = 0;
  std::uint16_t method = 0;
  std::uint16_t flags = 0;  // general purpose bits as stored
  std::uint16_t version_needed = 20;
  std::uint16_t mod_time = 0;
  std::uint16_t mod_date = 0;
  // Central directory only (the local header has neither): host system and file type bits.
  std::uint16_t version_made_by = 0;
  std::uint32_t external_attributes = 0;
  Bytes local_extra;  // the local header's extra field (AES parameters, timestamps, ...)
};

// The central directory's view, found the way Info-ZIP finds it: the last end record in the
// file's final 64 KiB, and offsets shifted by whatever precedes the archive (a self-extractor's
// stub) when the directory is not where its declared offset says.
struct CentralView {
  bool found = false;              // an end-of-central-directory record was found
  std::vector<ZipRecord> records;  // in directory order; entries without a local header left out
  std::vector<std::string> problems;
  bool capped = false;                // more than kMaxZipRecords records
  std::int64_t archive_start = 0;     // where offset 0 of the archive lies in the bytes (may be <0)
  std::uint64_t directory_start = 0;  // where the first central record lies
};

// The local headers' view: from the first signature, each entry's data skipped by its stored
// size, or (sizes in a trailing data descriptor) by decompressing to its end, then on to the next
// "PK\3\4", as a streaming reader goes; the walk ends at the central directory.
struct LocalView {
  std::vector<ZipRecord> records;  // in stored order
  // False when the walk could not follow the stream to its end (an entry whose end cannot be
  // found, a header cut short): local entries after `walked_to` are unknown.
  bool complete = true;
  std::uint64_t walked_to = 0;
  std::string stop_reason;
  bool capped = false;
};

// Bounds for the local walk's decompression (deflated entries followed by a data descriptor must
// be inflated to find where they end): one entry's inflated bytes, and all entries' together.
struct LocalWalkLimits {
  std::uint64_t max_entry_inflate = std::uint64_t{512} << 20;
  std::uint64_t max_total_inflate = std::uint64_t{4} << 30;
};

CentralView read_central_view(Bytes zip);

// `start_hint`: where the archive begins when the bytes do not start with a zip signature (the
// central view's archive_start), so a stub in front is not mistaken for entries.
LocalView read_local_view(Bytes zip, std::uint64_t start_hint, const LocalWalkLimits& limits);

}  // namespace cascade::scan::detail
