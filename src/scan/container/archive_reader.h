// The libarchive side of the container readers: which bytes libarchive will read, and their
// expansion under an ExpansionGuard.
#pragma once

#include <cstdint>

#include "scan/container/container.h"
#include "scan/container/expansion_guard.h"

namespace cascade::scan::detail {

enum class ArchiveProbe {
  kNone,        // no archive format bid on the bytes, and no compressed stream either
  kArchive,     // an archive format bid on the bytes (its first header may still be damaged)
  kCompressed,  // a compressed stream (gzip, xz, ...) with no archive format inside: one entry
};

// Whether and how libarchive reads `data` (by content only; executables are the caller's job).
ArchiveProbe probe_archive(Bytes data);

// Visits every regular file of the archive (or the one stream of a compressed file) in `data`;
// a zip through both of its views (zip_views.h).
void expand_archive(Bytes data, ExpansionGuard& guard, const EntryVisitor& visit);

// The same, read only the way libarchive reads the bytes.
void expand_archive_as_is(Bytes data, ExpansionGuard& guard, const EntryVisitor& visit);

}  // namespace cascade::scan::detail
