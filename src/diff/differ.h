// diff: pairs the files of two releases by install path (and moves by digest), describes what
// changed in each modified binary, derives findings from those changes and ranks the files by
// a risk score (docs/diff.md).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/finding.h"
#include "diff/baseline.h"
#include "diff/capabilities.h"
#include "diff/line_diff.h"
#include "diff/release.h"
#include "diff/script_changes.h"

namespace cascade::diff {

enum class ChangeStatus { kModified, kAdded, kRemoved, kMoved, kUnchanged };
std::string_view status_name(ChangeStatus status);

struct DiffFinding {
  Finding finding;
  bool expected = false;  // the baseline expects it: shown, not scored
};

struct FileDiff {
  std::string key;  // install path in NEW (in OLD when removed)
  std::string old_path, new_path;
  ChangeStatus status = ChangeStatus::kUnchanged;
  std::vector<DiffFinding> findings;  // most severe first
  std::uint64_t risk = 0;
  std::set<std::string> capabilities_gained;
  nlohmann::json delta;                       // what changed, for modified files (null otherwise)
  std::vector<ScriptChange> install_scripts;  // the scripts this file holds that changed
  std::optional<TextDiff> text_diff;  // a modified text file's lines, with DiffOptions::text_diffs
};

struct DiffSummary {
  std::map<ChangeStatus, std::size_t> status;
  std::map<Severity, std::size_t> findings;  // unexpected findings by severity
  std::size_t expected = 0;                  // findings the baseline expected
};

struct DiffResult {
  std::vector<FileDiff> files;  // changed files (all with list_unchanged), highest risk first
  DiffSummary summary;
};

struct DiffOptions {
  const CapabilitySet* capabilities = nullptr;  // default: the built-in table
  const Baseline* baseline = nullptr;           // optional
  bool list_unchanged = false;                  // also list unchanged files (risk 0)
  // Line diffs of modified text files whose bytes both releases kept (ReleaseOptions::keep_text).
  bool text_diffs = false;
};

// Risk weight of one unexpected finding; a file's risk is the sum over its findings.
std::uint64_t risk_weight(Severity severity);

DiffResult diff_releases(const Release& old_release, const Release& new_release,
                         const DiffOptions& options);

}  // namespace cascade::diff
