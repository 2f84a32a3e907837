// Findings: stable ids with a severity from one catalogue, so code and docs/findings.md agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cascade {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };

std::string_view severity_name(Severity severity);
std::optional<Severity> severity_from_name(std::string_view name);

struct Finding {
  std::string id;
  Severity severity = Severity::kInfo;
  std::string message;
};

struct FindingKind {
  std::string_view id;
  Severity severity;
  std::string_view summary;
};

// Every finding id cascade can emit.
const std::vector<FindingKind>& finding_catalogue();

// A finding of catalogued kind `id` (its severity comes from the catalogue).
Finding make_finding(std::string_view id, std::string message);

}  // namespace cascade
