// The delta between two versions of one file, and the findings it implies.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/finding.h"
#include "diff/capabilities.h"
#include "diff/facts.h"

namespace cascade::diff {

// Thresholds, documented in docs/diff.md.
inline constexpr double kEntropyJumpMin = 1.0;         // bits per byte gained...
inline constexpr double kEntropyJumpTarget = 7.2;      // ...ending at least this random
inline constexpr std::uint64_t kOverlayGrowth = 4096;  // bytes of overlay growth worth a finding

struct FileDelta {
  nlohmann::json delta = nlohmann::json::object();
  std::vector<Finding> findings;
  std::set<std::string> capabilities_gained;
};

// Compares OLD and NEW versions of one file (their content differs).
FileDelta compare_files(const FileFacts& old_file, const FileFacts& new_file,
                        const CapabilitySet& capabilities);

// The inspection findings of NEW whose id OLD's file did not have (all of them when OLD is null).
std::vector<Finding> new_inspection_findings(const FileFacts* old_file, const FileFacts& new_file);

// "subject, issued by issuer" for messages.
std::string describe_signer(const SignatureFacts& signature);

}  // namespace cascade::diff
