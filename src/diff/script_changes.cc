#include "diff/script_changes.h"

#include <map>
#include <set>
#include <unordered_map>

#include "core/finding_catalogue.h"

namespace cascade::diff {

namespace {

std::string describe_script(const InstallScript& script) {
  std::string what;
  switch (script.kind) {
    case ScriptKind::kNpmHook:
      what = "npm " + script.id.substr(script.id.rfind('.') + 1) + " script";
      break;
    case ScriptKind::kNodeGyp:
      what = "node-gyp build file (run at install time)";
      break;
    case ScriptKind::kDebianMaintainer:
      what = "Debian maintainer script " + script.id.substr(script.id.rfind('/') + 1);
      break;
    case ScriptKind::kPythonSetup:
      what = "Python setup.py";
      break;
    case ScriptKind::kPythonPth:
      what = "import lines of a Python .pth file (run at every interpreter start)";
      break;
    case ScriptKind::kElectronMain:
      what = "Electron app main script";
      break;
    case ScriptKind::kMsiCustomAction:
      what = "MSI custom action " + script.id.substr(script.id.rfind('#') + 14);
      break;
  }
  if (!script.package.empty()) what += " of " + script.package;
  return what + " (" + script.id + ")";
}

// An npm hook is one command line: the message quotes it (cut), as it is the whole script.
std::string quoted_command(const InstallScript& script) {
  constexpr std::size_t kShown = 100;
  std::string text = script.text.substr(0, kShown);
  if (script.text.size() > kShown) text += "...";
  return "\"" + text + "\"";
}

std::string line_counts(const TextDiff& diff) {
  if (diff.skipped) return "too large to compare line by line";
  std::size_t added = 0;
  std::size_t removed = 0;
  std::size_t start = 0;
  const std::string& u = diff.unified;
  while (start < u.size()) {
    auto end = u.find('\n', start);
    if (end == std::string::npos) end = u.size();
    if (u[start] == '+') ++added;
    if (u[start] == '-') ++removed;
    start = end + 1;
  }
  return "+" + std::to_string(added) + " -" + std::to_string(removed) + " lines" +
         (diff.truncated ? " shown (diff cut)" : "");
}

// The SHA-256 of each file of a release, by key.
class Digests {
 public:
  explicit Digests(const Release& release) {
    for (const auto& f : release.files) by_key_.emplace(f.key, &f.facts.sha256);
  }
  const std::string& of(const std::string& key) const {
    static const std::string kNone;
    const auto it = by_key_.find(key);
    return it == by_key_.end() ? kNone : *it->second;
  }

 private:
  std::unordered_map<std::string, const std::string*> by_key_;
};

// What a script is apart from where it is: a file moved unchanged (a package hoisted to
// another node_modules folder) keeps its scripts, which are then neither added nor removed.
std::string relocation_key(const InstallScript& script, const Digests& digests) {
  const auto hash = script.id.rfind('#');
  return std::string(script_kind_name(script.kind)) + '\n' +
         (hash == std::string::npos ? "" : script.id.substr(hash)) + '\n' +
         digests.of(script.file_key) + '\n' + script.text;
}

}  // namespace

std::string_view script_change_name(ScriptChangeKind change) {
  switch (change) {
    case ScriptChangeKind::kAdded:
      return "added";
    case ScriptChangeKind::kChanged:
      return "changed";
    case ScriptChangeKind::kRemoved:
      return "removed";
  }
  return "changed";
}

std::vector<ScriptFinding> compare_install_scripts(const Release& old_release,
                                                   const Release& new_release) {
  std::vector<ScriptFinding> out;
  const std::vector<InstallScript> before = find_install_scripts(old_release);
  const std::vector<InstallScript> after = find_install_scripts(new_release);
  std::map<std::string, const InstallScript*> old_by_id;
  for (const auto& s : before) old_by_id.emplace(s.id, &s);
  // A saved report carries no contents: its scripts are unknown, so only a script whose file
  // the other release lacks altogether is known to be added (or removed).
  const auto keys_of = [](const Release& release) {
    std::set<std::string> keys;
    for (const auto& f : release.files) keys.insert(f.key);
    return keys;
  };
  // Custom actions are facts of inspect's JSON, which reports carry.
  const auto known_from_file = [](const InstallScript& script) {
    return script.kind != ScriptKind::kMsiCustomAction;
  };
  const bool old_known = old_release.kind != ReleaseKind::kReport;
  const bool new_known = new_release.kind != ReleaseKind::kReport;
  const std::set<std::string> old_keys = keys_of(old_release);
  const std::set<std::string> new_keys = keys_of(new_release);
  const Digests old_digests(old_release);
  const Digests new_digests(new_release);
  const auto record = [&](const InstallScript& script, ScriptChangeKind change, TextDiff diff,
                          Finding finding) {
    out.push_back({.file_key = script.file_key,
                   .in_new = change != ScriptChangeKind::kRemoved,
                   .change = {.id = script.id,
                              .kind = script.kind,
                              .package = script.package,
                              .change = change,
                              .text_diff = std::move(diff)},
                   .finding = std::move(finding)});
  };
  // Scripts whose id is on one side only but which a moved file carries unchanged.
  std::multiset<std::string> relocated;
  {
    std::set<std::string> new_ids;
    for (const auto& script : after) new_ids.insert(script.id);
    std::multiset<std::string> old_unpaired;
    for (const auto& script : before) {
      if (!new_ids.contains(script.id)) old_unpaired.insert(relocation_key(script, old_digests));
    }
    for (const auto& script : after) {
      if (old_by_id.contains(script.id)) continue;
      const std::string key = relocation_key(script, new_digests);
      if (const auto at = old_unpaired.find(key); at != old_unpaired.end()) {
        old_unpaired.erase(at);
        relocated.insert(key);
      }
    }
  }
  const auto take_relocated = [](std::multiset<std::string>& set, const std::string& key) {
    const auto at = set.find(key);
    if (at == set.end()) return false;
    set.erase(at);
    return true;
  };
  std::multiset<std::string> relocated_old = relocated;
  for (const auto& script : after) {
    const auto it = old_by_id.find(script.id);
    if (it == old_by_id.end()) {
      if (take_relocated(relocated, relocation_key(script, new_digests))) continue;
      if (!old_known && known_from_file(script) && old_keys.contains(script.file_key)) continue;
      std::string message = describe_script(script) + " added";
      if (script.kind == ScriptKind::kNpmHook) message += ": " + quoted_command(script);
      record(script, ScriptChangeKind::kAdded, unified_diff("", script.text),
             make_finding(findings::kDiffInstallScriptAdded, message));
      continue;
    }
    const InstallScript& old_script = *it->second;
    old_by_id.erase(it);
    if (old_script.text == script.text) continue;
    TextDiff diff = unified_diff(old_script.text, script.text);
    std::string message = describe_script(script) + " changed: ";
    message += script.kind == ScriptKind::kNpmHook
                   ? quoted_command(old_script) + " -> " + quoted_command(script)
                   : line_counts(diff);
    record(script, ScriptChangeKind::kChanged, std::move(diff),
           make_finding(findings::kDiffInstallScriptChanged, message));
  }
  for (const auto& [id, script] : old_by_id) {
    if (!new_known && known_from_file(*script) && new_keys.contains(script->file_key)) continue;
    if (take_relocated(relocated_old, relocation_key(*script, old_digests))) continue;
    record(
        *script, ScriptChangeKind::kRemoved, unified_diff(script->text, ""),
        make_finding(findings::kDiffInstallScriptRemoved, describe_script(*script) + " removed"));
  }
  return out;
}

}  // namespace cascade::diff
