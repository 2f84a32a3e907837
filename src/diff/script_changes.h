// Install scripts compared: paired by id across two releases, each addition, change and removal
// with its text diff and the finding that ranks it (docs/diff.md#install-time-scripts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "diff/install_scripts.h"
#include "diff/line_diff.h"
#include "diff/release.h"

namespace cascade::diff {

enum class ScriptChangeKind { kAdded, kChanged, kRemoved };
std::string_view script_change_name(ScriptChangeKind change);

// An install script that differs between the releases (install_scripts.h).
struct ScriptChange {
  std::string id;
  ScriptKind kind = ScriptKind::kNpmHook;
  std::string package;  // NEW's (OLD's when removed); "" when unknown
  ScriptChangeKind change = ScriptChangeKind::kChanged;
  TextDiff text_diff;  // OLD's text against NEW's (an absent side is empty)
};

// One script change and its finding, for the file that holds the script.
struct ScriptFinding {
  std::string file_key;  // in NEW, or in OLD when the script was removed
  bool in_new = true;
  ScriptChange change;
  Finding finding;
};

// Scripts pair by id. A script of a file moved unchanged is neither added nor removed. A saved
// report carries no contents: against one, only MSI custom actions (facts of inspect's JSON)
// compare, and another script counts as added or removed only when its whole file is.
std::vector<ScriptFinding> compare_install_scripts(const Release& old_release,
                                                   const Release& new_release);

}  // namespace cascade::diff
