#include "scan/container/expansion_guard.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

namespace cascade::scan::detail {

namespace {

constexpr std::size_t kMaxQuotedName = 200;

std::string format_ratio(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ratio);
  return buf;
}

std::size_t kind_index(NoteKind kind) {
  return static_cast<std::size_t>(kind);
}

}  // namespace

std::string quote_name(const std::string& name) {
  if (name.size() <= kMaxQuotedName) return "'" + name + "'";
  return "'" + name.substr(0, kMaxQuotedName) + "...' (" + std::to_string(name.size()) + " bytes)";
}

std::uint64_t count_inert(const std::uint8_t* bytes, std::uint64_t n, std::uint64_t& block_fill,
                          bool& block_zero) {
  static constexpr std::uint8_t kZeros[kInertBlock] = {};
  std::uint64_t inert = 0;
  while (n > 0) {
    if (bytes == nullptr && block_fill == 0 && n >= kInertBlock) {
      // A hole: whole blocks at once, without touching memory.
      const std::uint64_t whole = n - n % kInertBlock;
      inert += whole;
      n -= whole;
      continue;
    }
    const std::uint64_t take = std::min(n, kInertBlock - block_fill);
    if (block_zero && bytes != nullptr) {
      block_zero = std::memcmp(bytes, kZeros, static_cast<std::size_t>(take)) == 0;
    }
    block_fill += take;
    n -= take;
    if (bytes != nullptr) bytes += take;
    if (block_fill == kInertBlock) {
      if (block_zero) inert += kInertBlock;
      block_fill = 0;
      block_zero = true;
    }
  }
  return inert;
}

ExpansionGuard::ExpansionGuard(const ContainerLimits& limits, ContainerBudget& budget,
                               std::uint64_t container_size, std::vector<ContainerNote>& notes)
    : limits_(limits), budget_(budget), notes_(notes), container_size_(container_size) {}

bool ExpansionGuard::admit_entry(const std::string& name) {
  if (stopped_) return false;
  if (budget_.entries >= limits_.max_entries) {
    stopped_ = true;
    notes_.push_back({NoteKind::kIncomplete,
                      "expansion stopped at entry " + quote_name(name) + " (number " +
                          std::to_string(admitted_ + 1) + " here): the cap of " +
                          std::to_string(limits_.max_entries) +
                          " entries under one file on disk was reached; this entry and every "
                          "later one were not examined (" +
                          std::to_string(visited_) + " files examined)"});
    return false;
  }
  ++budget_.entries;
  ++admitted_;
  current_ = name;
  return true;
}

bool ExpansionGuard::add_data(std::uint64_t n, std::uint64_t inert) {
  if (stopped_) return false;
  data_bytes_ += n;
  inert_bytes_ += std::min(inert, n);
  budget_.expanded += n;
  if (budget_.expanded > limits_.max_total_size) {
    stop("the cap of " + std::to_string(limits_.max_total_size) +
         " expanded bytes under one file on disk was reached");
    return false;
  }
  return check_ratio();
}

bool ExpansionGuard::check_stream(std::uint64_t stream_bytes) {
  if (stopped_) return false;
  if (stream_bytes > stream_bytes_) stream_bytes_ = stream_bytes;
  return check_ratio();
}

bool ExpansionGuard::check_ratio() {
  // Inert zero blocks are part of both the entry data and the stream position.
  const std::uint64_t expanded = std::max(data_bytes_, stream_bytes_) - inert_bytes_;
  // In long double so that neither a huge container nor a huge ratio can overflow; a NaN or
  // negative ratio allows only the fixed allowance.
  const double ratio =
      std::isnan(limits_.max_ratio) || limits_.max_ratio < 0 ? 0.0 : limits_.max_ratio;
  const long double allowed = static_cast<long double>(ratio) * container_size_ + kRatioAllowance;
  if (static_cast<long double>(expanded) <= allowed) return true;
  stop(std::to_string(expanded) + " bytes other than zero blocks are more than " +
       format_ratio(ratio) + " times the container's " + std::to_string(container_size_) +
       " bytes (a decompression bomb?)");
  return false;
}

void ExpansionGuard::stop(std::string why) {
  stopped_ = true;
  std::string where = current_.empty() ? std::string("expansion stopped")
                                       : "expansion stopped in entry " + quote_name(current_);
  notes_.push_back({NoteKind::kIncomplete, where + " after " + std::to_string(data_bytes_) +
                                               " bytes: " + std::move(why) +
                                               "; the rest of the container was not examined (" +
                                               std::to_string(visited_) + " files examined)"});
}

void ExpansionGuard::note_entry(NoteKind kind, std::string message) {
  if (entry_notes_ < kMaxEntryNotes) {
    ++entry_notes_;
    notes_.push_back({kind, std::move(message)});
  } else {
    ++omitted_[kind_index(kind)];
  }
}

void ExpansionGuard::note_malformed(std::string message) {
  note_entry(NoteKind::kMalformed, std::move(message));
}

void ExpansionGuard::note_incomplete(std::string message) {
  note_entry(NoteKind::kIncomplete, std::move(message));
}

void ExpansionGuard::note_ambiguous(std::string message) {
  notes_.push_back({NoteKind::kAmbiguous, std::move(message)});
}

void ExpansionGuard::fail(std::string message) {
  stopped_ = true;
  notes_.push_back({NoteKind::kMalformed, std::move(message)});
}

void ExpansionGuard::note_oversized(const std::string& name, std::uint64_t size) {
  note_entry(NoteKind::kEntrySkipped, "entry " + quote_name(name) + " is larger than the cap of " +
                                          std::to_string(limits_.max_entry_size) + " bytes (" +
                                          std::to_string(size) +
                                          " bytes); skipped, the entries after it were examined");
}

void ExpansionGuard::note_no_memory(const std::string& name, std::uint64_t size) {
  const std::uint64_t pool = budget_.memory != nullptr ? budget_.memory->limit() : 0;
  note_entry(NoteKind::kIncomplete,
             "entry " + quote_name(name) + " was not examined: after " + std::to_string(size) +
                 " bytes it no longer fit in the " + std::to_string(pool) +
                 " bytes of memory all expansions share (other workers held the rest)");
}

void ExpansionGuard::finish() {
  if (const auto n = omitted_[kind_index(NoteKind::kEntrySkipped)]; n > 0) {
    notes_.push_back(
        {NoteKind::kEntrySkipped,
         std::to_string(n) + " more entries over the size cap were skipped (not listed)"});
  }
  if (const auto n = omitted_[kind_index(NoteKind::kIncomplete)]; n > 0) {
    notes_.push_back(
        {NoteKind::kIncomplete,
         std::to_string(n) + " more entries or subtrees were left unexamined (not listed)"});
  }
  if (const auto n = omitted_[kind_index(NoteKind::kMalformed)]; n > 0) {
    notes_.push_back({NoteKind::kMalformed,
                      std::to_string(n) + " more problems with single entries were not listed"});
  }
}

}  // namespace cascade::scan::detail
