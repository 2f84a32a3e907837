#include "scan/container/msi_expansion.h"

#include <string>

#include "formats/msi/msi.h"

namespace cascade::scan {

std::uint64_t expand_msi(Bytes data, const ContainerLimits& limits, ContainerBudget& budget,
                         const EntryVisitor& visit, std::vector<ContainerNote>& notes) {
  auto package = msi::MsiFileStreams::open(data);
  if (!package) {
    notes.push_back({NoteKind::kMalformed, "MSI: " + package.error().message});
    return 0;
  }
  for (const auto& message : package->disagreements()) {
    notes.push_back({NoteKind::kAmbiguous, "MSI: " + message});
  }
  const auto& anomalies = package->anomalies();
  if (!anomalies.empty()) {
    notes.push_back(
        {NoteKind::kMalformed,
         "MSI database: " + anomalies.front() +
             (anomalies.size() > 1 ? " (and " + std::to_string(anomalies.size() - 1) + " more)"
                                   : "")});
  }
  const auto& streams = package->streams();
  std::uint64_t visited = 0;
  std::uint64_t expanded = 0;
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const msi::MsiFileStream& stream = streams[i];
    const std::string& name = stream.name;
    const std::uint64_t size = stream.size;
    // What a cap that stops here leaves unexamined.
    const std::string left = "; " + std::to_string(streams.size() - i) + " streams (from " + name +
                             " on) were not examined";
    if (budget.entries >= limits.max_entries) {
      notes.push_back(
          {NoteKind::kIncomplete, "MSI: the cap of " + std::to_string(limits.max_entries) +
                                      " entries under one file on disk was reached" + left});
      break;
    }
    if (size > limits.max_entry_size) {
      notes.push_back(
          {NoteKind::kEntrySkipped, "MSI stream " + name + " is " + std::to_string(size) +
                                        " bytes, larger than the cap of " +
                                        std::to_string(limits.max_entry_size) +
                                        " bytes; skipped, the streams after it were examined"});
      continue;
    }
    if (budget.expanded > limits.max_total_size || size > limits.max_total_size - budget.expanded) {
      notes.push_back(
          {NoteKind::kIncomplete, "MSI: the cap of " + std::to_string(limits.max_total_size) +
                                      " expanded bytes under one file on disk was reached" + left});
      break;
    }
    if (static_cast<double>(expanded + size) >
        limits.max_ratio * static_cast<double>(data.size())) {
      notes.push_back({NoteKind::kIncomplete,
                       "MSI: the streams' bytes would be more than max_ratio times the "
                       "package's " +
                           std::to_string(data.size()) + " bytes (streams sharing sectors?)" +
                           left});
      break;
    }
    // A fragmented stream is copied by libgsf: reserved from the pool all workers share.
    MemoryReservation reservation(budget.memory, budget.memory_held);
    if (!reservation.grow_to(size)) {
      notes.push_back(
          {NoteKind::kIncomplete, "MSI stream " + name + " (" + std::to_string(size) +
                                      " bytes) was not examined: it did not fit in the memory all "
                                      "expansions share"});
      continue;
    }
    auto failed = package->read(stream, [&](Bytes bytes) {
      ++budget.entries;
      budget.expanded += size;
      expanded += size;
      visit(ContainerEntry{name, bytes});
      ++visited;
    });
    if (failed)
      notes.push_back({NoteKind::kMalformed, "MSI stream " + name + ": " + failed->message});
  }
  return visited;
}

}  // namespace cascade::scan
