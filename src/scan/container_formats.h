// The formats scan opens as containers: the expand side of the format table. inspect's table
// (inspect/format_table.h) says what a file is; this one, keyed by the same FileFormat, says
// which bytes of it hold files and how to visit them, and recognises the containers inspect
// does not know (archives, asar), which it leaves kUnknown.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "inspect/inspect.h"
#include "scan/container/container.h"

namespace cascade::scan {

struct ContainerFormat {
  FileFormat format = FileFormat::kUnknown;
  // Recognises a file inspect left kUnknown as this format; nullptr when inspect's own probe
  // recognises the format.
  bool (*probe)(Bytes data) = nullptr;
  // The bytes that hold entries (all of the file, or a PE's overlay); nullopt when this file,
  // though of a container format, holds none.
  std::optional<Bytes> (*payload)(Bytes data, const FileReport& report) = nullptr;
  // Visits every entry of `payload` within `limits` and `budget`; problems become `notes`.
  std::uint64_t (*expand)(Bytes payload, const ContainerLimits& limits, ContainerBudget& budget,
                          const EntryVisitor& visit, std::vector<ContainerNote>& notes) = nullptr;
  // The names the containers inside this one store their entries under, mapped to the names
  // to report (an MSI's cabinets store files under File-table keys); nullptr: as stored.
  const std::map<std::string, std::string>* (*nested_names)(const FileReport& report) = nullptr;
};

// Every container format, each once; those with a probe in the order they are probed.
std::span<const ContainerFormat> container_formats();

// The container format of an inspected file: by report.format, or for a kUnknown file the
// first probe that recognises it (report.format is then set to that format). nullptr when the
// file is no container.
const ContainerFormat* find_container_format(Bytes data, FileReport& report);

}  // namespace cascade::scan
