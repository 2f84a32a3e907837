#include "provenance/policy.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "core/digest.h"
#include "core/mapped_file.h"
#include "core/strict_json.h"
#include "core/time.h"
#include "provenance/yaml_json.h"

namespace cascade::provenance {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxPolicyBytes = 16u << 20;

Error policy_error(const std::string& origin, const std::string& message) {
  return make_error(ErrorCode::kUsage, origin + ": " + message);
}

Status only_keys(const json& object, std::initializer_list<std::string_view> allowed,
                 const std::string& origin, const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string message = where;
      message += ": unknown key \"";
      message += key;
      message += '"';
      return policy_error(origin, message);
    }
  }
  return ok_status();
}

Result<std::vector<std::string>> string_list(const json& value, const std::string& origin,
                                             const std::string& where) {
  if (value.is_string()) return std::vector<std::string>{value.get<std::string>()};
  if (!value.is_array()) return policy_error(origin, where + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) return policy_error(origin, where + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

bool is_hex_digest(const std::string& text, std::size_t length) {
  return text.size() == length &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c); });
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

Result<TrustedKey> read_key(const json& entry, const std::string& origin,
                            const std::string& base_dir, const std::string& where) {
  if (!entry.is_object()) return policy_error(origin, where + " must be an object");
  auto known = only_keys(entry, {"id", "public_key", "public_key_pem", "builders"}, origin, where);
  if (!known) return known.error();
  TrustedKey trusted;
  trusted.label = entry.value("id", json("")).is_string() ? entry.value("id", "") : "";
  const bool has_path = entry.contains("public_key") && entry["public_key"].is_string();
  const bool has_pem = entry.contains("public_key_pem") && entry["public_key_pem"].is_string();
  if (has_path == has_pem) {
    return policy_error(origin, where +
                                    " needs exactly one of public_key (a file) and "
                                    "public_key_pem (the key inline)");
  }
  Result<PublicKey> key = make_error(ErrorCode::kUsage, "");
  if (has_path) {
    std::string path = entry["public_key"].get<std::string>();
    if (!path.starts_with('/') && !base_dir.empty()) path = base_dir + "/" + path;
    key = PublicKey::load(path);
  } else {
    key = PublicKey::parse(entry["public_key_pem"].get<std::string>());
  }
  if (!key) return policy_error(origin, where + ": " + key.error().message);
  trusted.key = std::move(key).value();
  if (trusted.label.empty()) trusted.label = trusted.key.key_id().substr(0, 16);
  if (entry.contains("builders")) {
    auto builders = string_list(entry["builders"], origin, where + ".builders");
    if (!builders) return builders.error();
    trusted.builders = std::move(builders).value();
  }
  return trusted;
}

Result<MaterialPin> read_pin(const json& entry, const std::string& origin,
                             const std::string& where) {
  if (!entry.is_object()) return policy_error(origin, where + " must be an object");
  auto known = only_keys(entry, {"name", "uri", "sha256", "digest"}, origin, where);
  if (!known) return known.error();
  MaterialPin pin;
  if (entry.contains("name") && entry["name"].is_string()) pin.name = entry["name"];
  if (entry.contains("uri") && entry["uri"].is_string()) pin.uri = entry["uri"];
  if (entry.contains("sha256")) {
    if (!entry["sha256"].is_string() || !is_hex_digest(entry["sha256"], 64)) {
      return policy_error(origin, where + ".sha256 must be 64 hex digits");
    }
    pin.digest["sha256"] = lower(entry["sha256"].get<std::string>());
  }
  if (entry.contains("digest")) {
    if (!entry["digest"].is_object()) return policy_error(origin, where + ".digest: an object");
    for (const auto& [algorithm, value] : entry["digest"].items()) {
      if (!value.is_string() || value.get<std::string>().empty()) {
        std::string message = where;
        message += ".digest.";
        message += algorithm;
        message += " must be a hex string";
        return policy_error(origin, message);
      }
      pin.digest[algorithm] = lower(value.get<std::string>());
    }
  }
  if (pin.digest.empty()) return policy_error(origin, where + " pins no digest");
  return pin;
}

Result<FileRule> read_rule(const json& entry, const std::string& origin, const std::string& where) {
  if (!entry.is_object()) return policy_error(origin, where + " must be an object");
  auto known = only_keys(entry, {"path", "builders", "materials", "sha256", "note"}, origin, where);
  if (!known) return known.error();
  FileRule rule;
  if (!entry.contains("path") || !entry["path"].is_string() ||
      entry["path"].get<std::string>().empty()) {
    return policy_error(origin, where + " has no path");
  }
  rule.glob = entry["path"];
  if (entry.contains("builders")) {
    auto builders = string_list(entry["builders"], origin, where + ".builders");
    if (!builders) return builders.error();
    rule.builders = std::move(builders).value();
  }
  if (entry.contains("materials")) {
    if (!entry["materials"].is_array()) return policy_error(origin, where + ".materials: a list");
    for (std::size_t i = 0; i < entry["materials"].size(); ++i) {
      auto pin =
          read_pin(entry["materials"][i], origin, where + ".materials[" + std::to_string(i) + "]");
      if (!pin) return pin.error();
      rule.materials.push_back(std::move(pin).value());
    }
  }
  if (entry.contains("sha256")) {
    auto pins = string_list(entry["sha256"], origin, where + ".sha256");
    if (!pins) return pins.error();
    for (auto& pin : *pins) {
      if (!is_hex_digest(pin, 64))
        return policy_error(origin, where + ".sha256: not 64 hex digits");
      rule.pinned_sha256.push_back(lower(pin));
    }
    if (rule.pinned_sha256.empty()) return policy_error(origin, where + ".sha256 is empty");
  }
  return rule;
}

bool any_glob_matches(const std::vector<std::string>& globs, const std::string& text) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return glob_matches(glob, text); });
}

}  // namespace

bool glob_matches(const std::string& glob, const std::string& text) {
  return ::fnmatch(glob.c_str(), text.c_str(), FNM_CASEFOLD) == 0;
}

bool key_may_sign_for(const TrustedKey& key, const std::string& builder_id) {
  return key.builders.empty() || any_glob_matches(key.builders, builder_id);
}

Result<Policy> Policy::parse(std::string_view text, const std::string& origin,
                             const std::string& base_dir, bool yaml) {
  json doc;
  if (yaml) {
    auto parsed = yaml_to_json(text);
    if (!parsed) return policy_error(origin, parsed.error().message);
    doc = std::move(parsed).value();
  } else {
    auto parsed = parse_strict_json(text);
    if (!parsed) return policy_error(origin, parsed.error().message);
    doc = std::move(parsed).value();
  }
  if (!doc.is_object()) return policy_error(origin, "a policy is an object");
  auto known = only_keys(doc, {"schema", "keys", "builders", "max_age", "ignore", "files", "note"},
                         origin, "policy");
  if (!known) return known.error();
  if (doc.value("schema", json("")) != json(kPolicySchema)) {
    return policy_error(origin, "schema must be \"cascade.policy/1\"");
  }
  Policy policy;
  policy.source = origin;
  policy.sha256 =
      to_hex(digest(DigestAlgorithm::kSha256,
                    Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
  if (!doc.contains("keys") || !doc["keys"].is_array() || doc["keys"].empty()) {
    return policy_error(origin, "keys must list at least one trusted key");
  }
  std::set<std::string> key_ids;
  for (std::size_t i = 0; i < doc["keys"].size(); ++i) {
    auto key = read_key(doc["keys"][i], origin, base_dir, "keys[" + std::to_string(i) + "]");
    if (!key) return key.error();
    if (!key_ids.insert(key->key.key_id()).second) {
      return policy_error(origin, "keys[" + std::to_string(i) + "] repeats a key");
    }
    policy.keys.push_back(std::move(key).value());
  }
  if (doc.contains("builders")) {
    auto builders = string_list(doc["builders"], origin, "builders");
    if (!builders) return builders.error();
    policy.builders = std::move(builders).value();
  }
  if (doc.contains("max_age")) {
    const auto& age = doc["max_age"];
    auto seconds = age.is_string() ? parse_duration_seconds(age.get<std::string>()) : std::nullopt;
    if (!seconds) return policy_error(origin, "max_age must look like \"90d\" (s, m, h, d, w)");
    policy.max_age_seconds = *seconds;
  }
  if (doc.contains("ignore")) {
    auto ignore = string_list(doc["ignore"], origin, "ignore");
    if (!ignore) return ignore.error();
    policy.ignore = std::move(ignore).value();
  }
  if (doc.contains("files")) {
    if (!doc["files"].is_array()) return policy_error(origin, "files must be a list");
    for (std::size_t i = 0; i < doc["files"].size(); ++i) {
      auto rule = read_rule(doc["files"][i], origin, "files[" + std::to_string(i) + "]");
      if (!rule) return rule.error();
      policy.files.push_back(std::move(rule).value());
    }
  }
  return policy;
}

Result<Policy> Policy::load(const std::string& path) {
  auto text = read_whole_file(path, kMaxPolicyBytes);
  if (!text) return make_error(ErrorCode::kUsage, path + ": " + text.error().message);
  const auto slash = path.find_last_of('/');
  const std::string base_dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const bool yaml = path.ends_with(".yaml") || path.ends_with(".yml");
  return parse(*text, path, base_dir, yaml);
}

const FileRule* Policy::rule_for(const std::string& install_path) const {
  for (const auto& rule : files) {
    if (glob_matches(rule.glob, install_path)) return &rule;
  }
  return nullptr;
}

bool Policy::ignored(const std::string& install_path) const {
  return any_glob_matches(ignore, install_path);
}

bool Policy::builder_allowed(const FileRule* rule, const std::string& builder_id) const {
  const auto& globs = rule != nullptr && rule->builders ? *rule->builders : builders;
  return globs.empty() || any_glob_matches(globs, builder_id);
}

}  // namespace cascade::provenance
