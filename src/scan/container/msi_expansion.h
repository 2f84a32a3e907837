// Windows Installer packages opened as containers: the file-carrying streams formats/msi lists,
// under the same caps and budget as the other container readers.
#pragma once

#include <cstdint>
#include <vector>

#include "scan/container/container.h"

namespace cascade::scan {

// Every stream of an MSI that carries a file: embedded cabinets are visited under their stream
// name (e.g. "app.cab"), other streams ("Binary.*", "Icon.*") too; the database tables and the
// signature streams are not. A file the File table and the cabinets disagree on is a kAmbiguous
// note. Returns the number of streams visited.
std::uint64_t expand_msi(Bytes data, const ContainerLimits& limits, ContainerBudget& budget,
                         const EntryVisitor& visit, std::vector<ContainerNote>& notes);

}  // namespace cascade::scan
