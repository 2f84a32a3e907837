// Baseline policy (cascade.baseline/1, docs/diff.md): what a vendor expects of each path in a
// release: its signer, whether it is third-party, a pinned digest, and which findings are
// expected changes (shown as expected, not scored).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cascade::diff {

inline constexpr const char* kBaselineSchema = "cascade.baseline/1";

struct BaselineRule {
  std::string glob;  // fnmatch against the install path, case-insensitive
  // The expected signer: a subject or CN, satisfied only by a signature whose chain is trusted;
  // and pins by key: the signer certificate's SHA-256, the anchor's SHA-256 (lower-case hex).
  std::optional<std::string> signer;
  std::optional<std::string> signer_sha256;
  std::optional<std::string> anchor_sha256;
  std::optional<std::string> sha256;  // lower-case hex
  bool third_party = false;
  std::set<std::string> expect;  // finding ids, "capability:<id>", or "*"
};

// What the rules that match one path say, merged: the first rule naming a signer, a pin or a
// digest wins (each separately); third_party and expectations accumulate.
struct PathPolicy {
  bool matched = false;
  std::optional<std::string> signer;
  std::optional<std::string> signer_sha256;
  std::optional<std::string> anchor_sha256;
  std::optional<std::string> sha256;
  bool third_party = false;
  std::set<std::string> expect;

  bool expects(const std::string& finding_id) const;
  bool expects_capability(const std::string& capability) const;
};

class Baseline {
 public:
  static Result<Baseline> parse(std::string_view text, const std::string& origin);
  static Result<Baseline> load(const std::string& path);

  PathPolicy policy_for(const std::string& install_path) const;
  const std::vector<BaselineRule>& rules() const { return rules_; }

 private:
  std::vector<BaselineRule> rules_;
};

}  // namespace cascade::diff
