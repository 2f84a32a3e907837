#include "scan/container/expansion_guard.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace cascade::scan::detail {

namespace {

constexpr std::size_t kMaxQuotedName = 200;

std::string format_ratio(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ratio);
  return buf;
}

}  // namespace

std::string quote_name(const std::string& name) {
  if (name.size() <= kMaxQuotedName) return "'" + name + "'";
  return "'" + name.substr(0, kMaxQuotedName) + "...' (" + std::to_string(name.size()) + " bytes)";
}

ExpansionGuard::ExpansionGuard(const ContainerLimits& limits, ContainerBudget& budget,
                               std::uint64_t container_size, std::vector<ContainerNote>& notes)
    : limits_(limits), budget_(budget), notes_(notes), container_size_(container_size) {}

bool ExpansionGuard::admit_entry() {
  if (stopped_) return false;
  if (budget_.entries >= limits_.max_entries) {
    stop("expansion stopped: the cap of " + std::to_string(limits_.max_entries) +
         " entries was reached");
    return false;
  }
  ++budget_.entries;
  return true;
}

bool ExpansionGuard::add_data(std::uint64_t n) {
  if (stopped_) return false;
  data_bytes_ += n;
  budget_.expanded += n;
  if (budget_.expanded > limits_.max_total_size) {
    stop("expansion stopped: the cap of " + std::to_string(limits_.max_total_size) +
         " expanded bytes was reached");
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
  const std::uint64_t expanded = data_bytes_ > stream_bytes_ ? data_bytes_ : stream_bytes_;
  // In long double so that neither a huge container nor a huge ratio can overflow; a NaN or
  // negative ratio allows only the fixed allowance.
  const double ratio =
      std::isnan(limits_.max_ratio) || limits_.max_ratio < 0 ? 0.0 : limits_.max_ratio;
  const long double allowed = static_cast<long double>(ratio) * container_size_ + kRatioAllowance;
  if (static_cast<long double>(expanded) <= allowed) return true;
  stop("expansion stopped at " + std::to_string(expanded) + " bytes: more than " +
       format_ratio(ratio) + " times the container's " + std::to_string(container_size_) +
       " bytes (a decompression bomb?)");
  return false;
}

void ExpansionGuard::stop(std::string message) {
  stopped_ = true;
  notes_.push_back({true, std::move(message)});
}

void ExpansionGuard::note_entry(bool limit, std::string message) {
  if (entry_notes_ < kMaxEntryNotes) {
    ++entry_notes_;
    notes_.push_back({limit, std::move(message)});
  } else {
    ++(limit ? omitted_limits_ : omitted_malformed_);
  }
}

void ExpansionGuard::note_malformed(std::string message) {
  note_entry(false, std::move(message));
}

void ExpansionGuard::note_limit(std::string message) {
  note_entry(true, std::move(message));
}

void ExpansionGuard::fail(std::string message) {
  stopped_ = true;
  notes_.push_back({false, std::move(message)});
}

void ExpansionGuard::note_oversized(const std::string& name) {
  note_entry(true, "entry " + quote_name(name) + " is larger than the cap of " +
                       std::to_string(limits_.max_entry_size) + " bytes; skipped");
}

void ExpansionGuard::finish() {
  if (omitted_limits_ > 0) {
    notes_.push_back({true, std::to_string(omitted_limits_) +
                                " more entries over the size cap were skipped (not listed)"});
  }
  if (omitted_malformed_ > 0) {
    notes_.push_back({false, std::to_string(omitted_malformed_) +
                                 " more problems with single entries were not listed"});
  }
}

}  // namespace cascade::scan::detail
