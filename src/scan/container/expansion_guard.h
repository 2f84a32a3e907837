// The caps one container's expansion runs under, shared by the libarchive and asar readers so a
// cap trips the same way, with the same note, whatever the format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scan/container/container.h"

namespace cascade::scan::detail {

// Expanded bytes a container may reach beyond max_ratio x its own size, so that a small archive
// of small (and so poorly compressible) files is never called a bomb.
inline constexpr std::uint64_t kRatioAllowance = std::uint64_t{1} << 20;
inline constexpr std::uint64_t kMaxEntryNotes = 64;

class ExpansionGuard {
 public:
  ExpansionGuard(const ContainerLimits& limits, ContainerBudget& budget,
                 std::uint64_t container_size, std::vector<ContainerNote>& notes);

  // Counts one more entry (file, directory or link) against max_entries; false, with a note,
  // when the cap was already reached.
  bool admit_entry();

  // Accounts `n` bytes of entry data handed out by the reader (against max_total_size and the
  // ratio). False, with a note, once a cap is exceeded; every later call is false too.
  bool add_data(std::uint64_t n);

  // The reader's own decompressed stream position (tar headers and skipped data included), which
  // can run ahead of the entry data: checked against the ratio only.
  bool check_stream(std::uint64_t stream_bytes);

  bool stopped() const { return stopped_; }
  // Entries handed to the visitor (kept here so that the count survives an exception).
  void count_visit() { ++visited_; }
  std::uint64_t visited() const { return visited_; }
  std::uint64_t entry_cap() const { return limits_.max_entry_size; }

  // A note about a single entry (the expansion goes on). At most kMaxEntryNotes of them per
  // container, then one saying how many more were left out, so notes stay bounded too.
  void note_malformed(std::string message);
  void note_limit(std::string message);
  void note_oversized(const std::string& name);
  // Damage that ends the expansion (not counted against kMaxEntryNotes: it happens once).
  void fail(std::string message);
  // Closes the note list: how many per-entry notes were left out, if any.
  void finish();

 private:
  bool check_ratio();
  void stop(std::string message);
  void note_entry(bool limit, std::string message);

  const ContainerLimits& limits_;
  ContainerBudget& budget_;
  std::vector<ContainerNote>& notes_;
  std::uint64_t container_size_;
  std::uint64_t data_bytes_ = 0;    // entry data handed out from this container
  std::uint64_t stream_bytes_ = 0;  // highest stream position seen
  std::uint64_t visited_ = 0;
  std::uint64_t entry_notes_ = 0;
  std::uint64_t omitted_limits_ = 0;
  std::uint64_t omitted_malformed_ = 0;
  bool stopped_ = false;
};

// `name` quoted for a note, shortened so a hostile multi-megabyte name cannot flood a report.
std::string quote_name(const std::string& name);

}  // namespace cascade::scan::detail
