#include "diff/baseline.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/mapped_file.h"
#include "core/strict_json.h"

namespace cascade::diff {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxBaselineBytes = 16u << 20;

Error policy_error(const std::string& origin, const std::string& what) {
  return make_error(ErrorCode::kMalformed, origin + ": " + what);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool PathPolicy::expects(const std::string& finding_id) const {
  return expect.contains("*") || expect.contains(finding_id);
}

bool PathPolicy::expects_capability(const std::string& capability) const {
  return expect.contains("*") || expect.contains("diff.capability-gained") ||
         expect.contains("capability:" + capability);
}

Result<Baseline> Baseline::parse(std::string_view text, const std::string& origin) {
  auto document = parse_strict_json(text);
  if (!document) {
    return make_error(document.error().code, origin + ": " + document.error().message);
  }
  const json& doc = *document;
  if (!doc.is_object()) return policy_error(origin, "not a JSON object");
  const auto schema = doc.find("schema");
  if (schema == doc.end() || !schema->is_string() || *schema != kBaselineSchema) {
    return policy_error(origin, std::string("schema is not ") + kBaselineSchema);
  }
  const auto files = doc.find("files");
  if (files == doc.end() || !files->is_array()) return policy_error(origin, "no files array");
  Baseline baseline;
  for (const auto& item : *files) {
    const auto where = "rule " + std::to_string(baseline.rules_.size() + 1);
    if (!item.is_object()) return policy_error(origin, where + " is not an object");
    BaselineRule rule;
    for (const auto& [key, value] : item.items()) {
      if (key == "path" && value.is_string()) {
        rule.glob = value.get<std::string>();
      } else if (key == "signer" && value.is_string()) {
        rule.signer = value.get<std::string>();
      } else if (key == "sha256" && value.is_string()) {
        rule.sha256 = lower(value.get<std::string>());
      } else if (key == "signer_sha256" && value.is_string()) {
        rule.signer_sha256 = lower(value.get<std::string>());
      } else if (key == "anchor_sha256" && value.is_string()) {
        rule.anchor_sha256 = lower(value.get<std::string>());
      } else if (key == "third_party" && value.is_boolean()) {
        rule.third_party = value.get<bool>();
      } else if (key == "expect" && value.is_array()) {
        for (const auto& e : value) {
          if (!e.is_string()) return policy_error(origin, where + ": expect holds a non-string");
          rule.expect.insert(e.get<std::string>());
        }
      } else if (key != "comment") {
        // A misspelt key would silently weaken the policy: refuse it.
        std::string message = where;
        message.append(": unknown or mistyped key \"").append(key).append("\"");
        return policy_error(origin, message);
      }
    }
    if (rule.glob.empty()) return policy_error(origin, where + " has no path");
    baseline.rules_.push_back(std::move(rule));
  }
  return baseline;
}

Result<Baseline> Baseline::load(const std::string& path) {
  auto text = read_whole_file(path, kMaxBaselineBytes);
  if (!text) return text.error();
  return parse(*text, path);
}

PathPolicy Baseline::policy_for(const std::string& install_path) const {
  PathPolicy policy;
  for (const auto& rule : rules_) {
    if (::fnmatch(rule.glob.c_str(), install_path.c_str(), FNM_CASEFOLD) != 0) continue;
    policy.matched = true;
    if (!policy.signer) policy.signer = rule.signer;
    if (!policy.sha256) policy.sha256 = rule.sha256;
    if (!policy.signer_sha256) policy.signer_sha256 = rule.signer_sha256;
    if (!policy.anchor_sha256) policy.anchor_sha256 = rule.anchor_sha256;
    policy.third_party = policy.third_party || rule.third_party;
    policy.expect.insert(rule.expect.begin(), rule.expect.end());
  }
  return policy;
}

}  // namespace cascade::diff
