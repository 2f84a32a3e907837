// Zips read through both of their views (zip_records.h): every entry either view yields is
// scanned, each distinct entry once, and an entry only one view has is `container.ambiguous`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scan/container/container.h"
#include "scan/container/expansion_guard.h"
#include "scan/container/zip_records.h"

namespace cascade::scan::detail {

enum class ZipViews : std::uint8_t {
  kBoth,         // same entry, same bytes, in both views
  kCentralOnly,  // Windows, unzip and Python extract it; streaming readers do not see it
  kLocalOnly,    // streaming readers extract it; the central directory does not list it
};

struct ZipEntryView {
  ZipRecord record;  // the central directory's record when it has one (file type bits)
  ZipViews views = ZipViews::kBoth;
};

struct ZipComparison {
  std::vector<ZipEntryView> entries;  // the union: central directory order, then local-only
  std::vector<std::string> notes;     // why the views could not be compared everywhere
  // True when every entry is in both views and each view was read to its end: the zip reads
  // the same whichever way it is read.
  bool agree = true;
};

ZipComparison compare_zip_views(Bytes zip, const LocalWalkLimits& limits);

// A plain zip holding `entries` (stored data copied from `zip`), sizes in its local headers and
// one central directory that lists them all: any reader sees all of them.
std::vector<std::uint8_t> write_union_zip(Bytes zip, const std::vector<ZipEntryView>& entries);

// The message for an entry only one view has.
std::string ambiguity_message(const ZipEntryView& entry);

// Expands a zip through both views: when they agree, `expand_plain` reads the bytes as they are;
// when they do not, every entry of the union is read from a rewritten zip, and each one-view
// entry is noted on the guard as ambiguous.
void expand_zip_views(Bytes zip, ExpansionGuard& guard, const EntryVisitor& visit,
                      void (*expand_plain)(Bytes, ExpansionGuard&, const EntryVisitor&));

}  // namespace cascade::scan::detail
