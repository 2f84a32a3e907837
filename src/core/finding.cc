#include "core/finding.h"

#include <cstddef>
#include <string_view>
#include <utility>

#include "core/finding_catalogue.h"

namespace cascade {
namespace {

// Two kinds sharing an id would make saved reports ambiguous, so a duplicate does not build.
constexpr bool catalogue_ids_unique() {
  for (std::size_t i = 0; i < findings::kAll.size(); ++i) {
    for (std::size_t j = i + 1; j < findings::kAll.size(); ++j) {
      if (findings::kAll[i].id == findings::kAll[j].id) return false;
    }
  }
  return true;
}
static_assert(catalogue_ids_unique(), "two finding kinds share an id");

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> severity_from_name(std::string_view name) {
  for (auto s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (severity_name(s) == name) return s;
  }
  return std::nullopt;
}

std::span<const FindingKind> finding_catalogue() {
  return findings::kAll;
}

bool finding_before(const Finding& a, const Finding& b) {
  if (a.severity != b.severity) return a.severity > b.severity;
  if (a.id != b.id) return a.id < b.id;
  return a.message < b.message;
}

Finding make_finding(const FindingKind& kind, std::string message) {
  return Finding{std::string(kind.id), kind.severity, std::move(message)};
}

}  // namespace cascade
