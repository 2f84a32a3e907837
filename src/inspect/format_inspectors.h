// Per-format inspection, called by inspect_bytes once the format is known by its magic.
#pragma once

#include "inspect/inspect.h"

namespace cascade {

void inspect_elf(Bytes data, const InspectOptions& options, FileReport& report);
void inspect_macho(Bytes data, const InspectOptions& options, FileReport& report);
// Any OLE compound file: format "msi" when it holds an installer database, else "unknown".
void inspect_msi(Bytes data, const InspectOptions& options, FileReport& report);

// A histogram over [offset, offset + size) clamped to the file, with no arithmetic that can
// wrap whatever a hostile header says.
RangeHistogram file_range(std::uint64_t offset, std::uint64_t size, std::uint64_t file_size);

// The trust store to judge signatures with: the caller's, else an empty one.
const authenticode::TrustStore& trust_or_empty(const InspectOptions& options);

}  // namespace cascade
