// Findings: what cascade reports about a file, each of a catalogued kind (core/finding_catalogue.h)
// with a stable id and a severity, so code and docs/findings.md agree.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cascade {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };

std::string_view severity_name(Severity severity);
std::optional<Severity> severity_from_name(std::string_view name);

// One entry of the catalogue: code names kinds by their constants in cascade::findings.
struct FindingKind {
  std::string_view id;
  Severity severity;
  std::string_view summary;
};

struct Finding {
  // Text, not a FindingKind: findings are also read back from saved JSON reports.
  std::string id;
  Severity severity = Severity::kInfo;
  std::string message;

  bool is(const FindingKind& kind) const { return id == kind.id; }
  friend bool operator==(const Finding&, const Finding&) = default;
};

// The order findings are listed in: most severe first, then by id, then by message.
bool finding_before(const Finding& a, const Finding& b);

// Every finding kind cascade can emit (findings::kAll).
std::span<const FindingKind> finding_catalogue();

// A finding of `kind`, with the catalogue's severity.
Finding make_finding(const FindingKind& kind, std::string message);

}  // namespace cascade
