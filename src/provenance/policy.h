// The release policy verify checks against (docs/provenance.md): which keys are trusted and
// for which builders, which builders may produce which paths, the materials a product must be
// built from, third-party files pinned by digest, files exempt, and a maximum statement age.
// JSON or YAML, schema "cascade.policy/1"; unknown keys are errors, so a typo never silently
// weakens a policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "provenance/keys.h"
#include "provenance/statement.h"

namespace cascade::provenance {

inline constexpr std::string_view kPolicySchema = "cascade.policy/1";

struct MaterialPin {
  std::string name;  // optional: matched against the dependency's name or the last part of its uri
  std::string uri;   // optional
  DigestSet digest;  // at least one algorithm
};

struct FileRule {
  std::string glob;  // fnmatch against the install path, case-insensitive
  std::optional<std::vector<std::string>> builders;  // builder-id globs; unset: the default
  std::vector<MaterialPin> materials;
  std::vector<std::string> pinned_sha256;  // third-party file: one of these digests, no statement
};

struct Policy {
  std::string source;  // the file it came from
  std::string sha256;  // of that file's bytes
  std::vector<TrustedKey> keys;
  std::vector<std::string> builders;  // default builder-id globs for every path; empty: any
  std::optional<long long> max_age_seconds;
  std::vector<std::string> ignore;  // install-path globs not checked at all
  std::vector<FileRule> files;      // the first rule whose glob matches decides

  // `base_dir` resolves relative key paths; `yaml` selects the YAML reader.
  static Result<Policy> parse(std::string_view text, const std::string& origin,
                              const std::string& base_dir, bool yaml);
  // YAML when the name ends in .yaml or .yml, JSON otherwise.
  static Result<Policy> load(const std::string& path);

  const FileRule* rule_for(const std::string& install_path) const;
  bool ignored(const std::string& install_path) const;
  // Whether `builder_id` may produce files under `rule` (the default list when rule is null or
  // sets none).
  bool builder_allowed(const FileRule* rule, const std::string& builder_id) const;
};

// fnmatch with FNM_CASEFOLD: '*' crosses '/' so "*.dll" matches at any depth.
bool glob_matches(const std::string& glob, const std::string& text);

// Whether a key may sign for `builder_id`.
bool key_may_sign_for(const TrustedKey& key, const std::string& builder_id);

}  // namespace cascade::provenance
