// Install-time scripts: what a package runs when it is installed (or, for Python's .pth files
// and an Electron app's main script, whenever it starts), found in a release's files so that
// diff can show and rank how they changed (docs/diff.md#install-time-scripts).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cascade::diff {

struct Release;

enum class ScriptKind {
  kNpmHook,           // package.json scripts.preinstall / install / postinstall / prepare
  kNodeGyp,           // binding.gyp: node-gyp builds it at install time
  kDebianMaintainer,  // preinst, postinst, prerm, postrm, config, triggers
  kPythonSetup,       // setup.py
  kPythonPth,         // the `import` lines of a *.pth file (run at every interpreter start)
  kElectronMain,      // the script package.json's `main` names in app.asar or resources/app
  kMsiCustomAction,   // a CustomAction row of an MSI, with the sequences that schedule it
};
std::string_view script_kind_name(ScriptKind kind);

struct InstallScript {
  std::string
      id;  // pairs the script across releases, e.g. "package/package.json#scripts.postinstall"
  ScriptKind kind = ScriptKind::kNpmHook;
  std::string file_key;  // install path of the release file holding it
  std::string package;   // "name@version" when the package says, else ""
  std::string text;      // the command (npm hooks) or the file's text
};

// Largest file read for install scripts; a larger package.json or postinst is not read (its
// change still shows as a file change).
inline constexpr std::size_t kMaxScriptFileBytes = std::size_t{1} << 20;

// Whether the file at `path` (a release path, nested parts joined with '!') may hold an install
// script, so its bytes are kept when the release is loaded.
bool may_hold_install_script(std::string_view path);

// The release's install scripts, sorted by id: from the bytes kept of its files, and the MSI
// custom actions of its facts (which saved reports carry too).
std::vector<InstallScript> find_install_scripts(const Release& release);

}  // namespace cascade::diff
