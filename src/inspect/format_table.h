// The formats inspect reads, as one table every format plugs into: how its files are recognised
// and how they are inspected. scan adds what a container format holds (scan/container_formats.h),
// keyed by the same FileFormat.
#pragma once

#include <span>

#include "inspect/inspect.h"

namespace cascade {

struct FormatEntry {
  // What the probe recognises. The inspection may settle on a neighbour: a fat Mach-O file is
  // kMachoFat, an OLE compound file that holds no installer database stays kUnknown.
  FileFormat format = FileFormat::kUnknown;
  // By content (magic), never by name.
  bool (*probe)(Bytes data) = nullptr;
  // Sets report.format and fills the report: hashes, the format's facts, signatures, findings.
  void (*inspect)(Bytes data, const InspectOptions& options, FileReport& report) = nullptr;
};

// In the order files are probed: the first entry whose probe accepts a file inspects it.
std::span<const FormatEntry> format_table();

// The entry that inspects `data`, or nullptr when no format recognises it.
const FormatEntry* find_format(Bytes data);

}  // namespace cascade
