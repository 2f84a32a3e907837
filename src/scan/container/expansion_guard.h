// The caps one container's expansion runs under, shared by the libarchive and asar readers so a
// cap trips the same way, with the same note, whatever the format. A cap on one entry skips
// that entry only; a cap that stops the container says what it left unexamined.
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
// Whole blocks of this many zero bytes, aligned within their entry, are inert: they cost no
// parsing, so they count against the size caps but not against the ratio.
inline constexpr std::uint64_t kInertBlock = 4096;

class ExpansionGuard {
 public:
  ExpansionGuard(const ContainerLimits& limits, ContainerBudget& budget,
                 std::uint64_t container_size, std::vector<ContainerNote>& notes);

  // Counts one more entry (file, directory or link) named `name` against max_entries; false,
  // with a note naming it, when the cap was already reached. Later notes about a stop name the
  // entry admitted last.
  bool admit_entry(const std::string& name);

  // Accounts `n` bytes of entry data handed out by the reader (against max_total_size and the
  // ratio), `inert` of them in zero blocks (against max_total_size only). False, with a note,
  // once a cap is exceeded; every later call is false too.
  bool add_data(std::uint64_t n, std::uint64_t inert = 0);

  // The reader's own decompressed stream position (tar headers and skipped data included), which
  // can run ahead of the entry data: checked against the ratio only.
  bool check_stream(std::uint64_t stream_bytes);

  bool stopped() const { return stopped_; }
  // Entries handed to the visitor (kept here so that the count survives an exception).
  void count_visit() { ++visited_; }
  std::uint64_t visited() const { return visited_; }
  std::uint64_t entry_cap() const { return limits_.max_entry_size; }
  std::uint64_t entry_limit() const { return limits_.max_entries; }
  ContainerBudget& budget() { return budget_; }

  // A note about a single entry (the expansion goes on). At most kMaxEntryNotes of them per
  // container, then one per kind saying how many more were left out, so notes stay bounded too.
  void note_malformed(std::string message);
  // Part of the container (a subtree, the whole of it) was not examined: a kIncomplete note.
  void note_incomplete(std::string message);
  // `name` has `size` bytes, over max_entry_size: skipped, the expansion goes on.
  void note_oversized(const std::string& name, std::uint64_t size);
  // The shared memory budget refused `name` after `size` bytes: skipped, the expansion goes on,
  // but what the entry holds was not examined (kIncomplete).
  void note_no_memory(const std::string& name, std::uint64_t size);
  // Two views of the container disagree (zip_views.h); the caller bounds how many it notes.
  void note_ambiguous(std::string message);
  // Damage that ends the expansion (not counted against kMaxEntryNotes: it happens once).
  void fail(std::string message);
  // Closes the note list: how many per-entry notes were left out, if any.
  void finish();

 private:
  bool check_ratio();
  void stop(std::string why);
  void note_entry(NoteKind kind, std::string message);

  const ContainerLimits& limits_;
  ContainerBudget& budget_;
  std::vector<ContainerNote>& notes_;
  std::uint64_t container_size_;
  std::uint64_t data_bytes_ = 0;    // entry data handed out from this container
  std::uint64_t inert_bytes_ = 0;   // of which in zero blocks
  std::uint64_t stream_bytes_ = 0;  // highest stream position seen
  std::uint64_t admitted_ = 0;      // entries of this container admitted
  std::string current_;             // the entry admitted last
  std::uint64_t visited_ = 0;
  std::uint64_t entry_notes_ = 0;
  std::uint64_t omitted_[3] = {};  // per NoteKind
  bool stopped_ = false;
};

// `name` quoted for a note, shortened so a hostile multi-megabyte name cannot flood a report.
std::string quote_name(const std::string& name);

// Bytes of `n` (at `bytes`, or zeros when null) that complete all-zero blocks of kInertBlock,
// counted from the start of an entry; `block_fill` and `block_zero` carry the partial block
// between calls (reset both to 0 / true at each entry).
std::uint64_t count_inert(const std::uint8_t* bytes, std::uint64_t n, std::uint64_t& block_fill,
                          bool& block_zero);

}  // namespace cascade::scan::detail
