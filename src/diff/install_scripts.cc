#include "diff/install_scripts.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "diff/release.h"

namespace cascade::diff {

namespace {

constexpr std::array<std::string_view, 4> kNpmHooks = {"preinstall", "install", "postinstall",
                                                       "prepare"};
constexpr std::array<std::string_view, 6> kMaintainerScripts = {"preinst", "postinst", "prerm",
                                                                "postrm",  "config",   "triggers"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Where the last component of a release path starts: after the last '/' or '!'.
std::size_t name_start(std::string_view path) {
  const auto at = path.find_last_of("/!");
  return at == std::string_view::npos ? 0 : at + 1;
}

std::string_view base_name(std::string_view path) {
  return path.substr(name_start(path));
}

// The path's nested parts ("a.deb!control.tar.xz!./postinst" -> three).
std::vector<std::string_view> nested_parts(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto bang = path.find('!', start);
    parts.push_back(path.substr(start, bang == std::string_view::npos ? bang : bang - start));
    if (bang == std::string_view::npos) return parts;
    start = bang + 1;
  }
}

bool is_maintainer_name(std::string_view name) {
  return std::find(kMaintainerScripts.begin(), kMaintainerScripts.end(), name) !=
         kMaintainerScripts.end();
}

// A Debian maintainer script: a member of a .deb's control archive, or a file in the DEBIAN
// folder of a package tree (dpkg-deb --build's input, --raw-extract's output). Returns the
// part of `path` before the control archive or the DEBIAN folder, or npos.
std::size_t maintainer_script_prefix(std::string_view path) {
  const std::string_view name = base_name(path);
  if (!is_maintainer_name(name)) return std::string_view::npos;
  const auto parts = nested_parts(path);
  if (parts.size() >= 2) {
    std::string_view member = parts.back();
    if (member.starts_with("./")) member.remove_prefix(2);
    const std::string archive = lower(base_name(parts[parts.size() - 2]));
    if (member == name && archive.starts_with("control.tar")) {
      return path.size() - parts.back().size() - 1 - parts[parts.size() - 2].size() +
             (parts[parts.size() - 2].size() - base_name(parts[parts.size() - 2]).size());
    }
  }
  const std::size_t start = name_start(path);
  if (start >= 7 && path[start - 1] == '/' && lower(path.substr(start - 7, 6)) == "debian" &&
      (start == 7 || path[start - 8] == '/' || path[start - 8] == '!')) {
    return start - 7;
  }
  return std::string_view::npos;
}

bool is_electron_script_path(std::string_view path) {
  const std::string p = lower(path);
  const bool in_app = p.find("app.asar!") != std::string::npos || p.starts_with("resources/app/") ||
                      p.find("/resources/app/") != std::string::npos;
  return in_app && (p.ends_with(".js") || p.ends_with(".cjs") || p.ends_with(".mjs"));
}

// An Electron app's own package.json: at the root of app.asar or of resources/app.
bool is_electron_manifest(std::string_view key) {
  const std::string k = lower(key);
  return k.ends_with("app.asar!package.json") || k == "resources/app/package.json" ||
         k.ends_with("/resources/app/package.json");
}

// "Package: x" and "Version: y" of a Debian control file.
std::string debian_package(std::string_view control) {
  std::string name;
  std::string version;
  std::size_t start = 0;
  while (start < control.size()) {
    auto end = control.find('\n', start);
    if (end == std::string_view::npos) end = control.size();
    const std::string_view line = control.substr(start, end - start);
    const auto value = [&](std::string_view field) {
      std::string_view v = line.substr(field.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
      return std::string(v);
    };
    if (line.starts_with("Package:")) name = value("Package:");
    if (line.starts_with("Version:")) version = value("Version:");
    start = end + 1;
  }
  if (name.empty()) return "";
  return version.empty() ? name : name + "@" + version;
}

// The `import` lines of a .pth file: site.py executes those, and only those, at start-up.
std::string pth_import_lines(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (line.starts_with("import ") || line.starts_with("import\t")) {
      out += line;
      out += '\n';
    }
    start = end + 1;
  }
  return out;
}

// "a/b/../c" style references inside an app are resolved; anything leaving the app is not.
std::string join_relative(std::string_view folder, std::string_view relative) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= relative.size()) {
    auto end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view part = relative.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  std::string out(folder);
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

class Finder {
 public:
  explicit Finder(const Release& release) {
    for (const auto& f : release.files) by_key_.emplace(lower(f.key), &f);
  }

  std::vector<InstallScript> run(const Release& release) {
    for (const auto& f : release.files) {
      if (f.content) add_from(f);
      for (const auto& action : f.facts.custom_actions) {
        const auto name = f.facts.version.find("product_name");
        const auto version = f.facts.version.find("product_version");
        std::string package = name == f.facts.version.end() ? "" : name->second;
        if (!package.empty() && version != f.facts.version.end()) package += "@" + version->second;
        add(f.key + "#CustomAction." + action.action, ScriptKind::kMsiCustomAction, f,
            std::move(package), action.description);
      }
    }
    std::sort(out_.begin(), out_.end(),
              [](const InstallScript& a, const InstallScript& b) { return a.id < b.id; });
    return std::move(out_);
  }

 private:
  const ReleaseFile* file(const std::string& key) const {
    const auto it = by_key_.find(lower(key));
    return it == by_key_.end() ? nullptr : it->second;
  }

  // The package a file belongs to, from the package.json next to it.
  std::string npm_package_beside(const std::string& key) const {
    const ReleaseFile* manifest = file(key.substr(0, name_start(key)) + "package.json");
    if (manifest == nullptr || !manifest->content) return "";
    return npm_package(nlohmann::json::parse(*manifest->content, nullptr, false));
  }

  static std::string npm_package(const nlohmann::json& manifest) {
    if (!manifest.is_object()) return "";
    const auto name = manifest.find("name");
    if (name == manifest.end() || !name->is_string()) return "";
    const auto version = manifest.find("version");
    return name->get<std::string>() + (version != manifest.end() && version->is_string()
                                           ? "@" + version->get<std::string>()
                                           : std::string());
  }

  void add(std::string id, ScriptKind kind, const ReleaseFile& f, std::string package,
           std::string text) {
    out_.push_back({std::move(id), kind, f.key, std::move(package), std::move(text)});
  }

  void add_from(const ReleaseFile& f) {
    const std::string& text = *f.content;
    const std::string name = lower(base_name(f.key));
    if (name == "package.json") {
      add_npm(f);
    } else if (name == "binding.gyp") {
      add(f.key, ScriptKind::kNodeGyp, f, npm_package_beside(f.key), text);
    } else if (name == "setup.py") {
      add(f.key, ScriptKind::kPythonSetup, f, "", text);
    } else if (name.ends_with(".pth")) {
      std::string imports = pth_import_lines(text);
      if (!imports.empty()) add(f.key, ScriptKind::kPythonPth, f, "", std::move(imports));
    } else if (const auto prefix = maintainer_script_prefix(f.key); prefix != std::string::npos) {
      // One id whatever the control archive's compression, and the same as in a package tree.
      const std::string control = f.key.substr(0, name_start(f.key)) + "control";
      const ReleaseFile* control_file = file(control);
      add(f.key.substr(0, prefix) + "DEBIAN/" + std::string(base_name(f.key)),
          ScriptKind::kDebianMaintainer, f,
          control_file != nullptr && control_file->content ? debian_package(*control_file->content)
                                                           : "",
          text);
    }
  }

  void add_npm(const ReleaseFile& f) {
    // npm reads package.json with JSON.parse: a repeated key counts by its last copy, as here
    // (not strict_json, which refuses the document). nlohmann parses and destroys without
    // recursion, so nesting costs no stack; kMaxScriptFileBytes bounds the memory.
    const nlohmann::json manifest = nlohmann::json::parse(*f.content, nullptr, false);
    if (!manifest.is_object()) return;
    const std::string package = npm_package(manifest);
    if (const auto scripts = manifest.find("scripts");
        scripts != manifest.end() && scripts->is_object()) {
      for (std::string_view hook : kNpmHooks) {
        const auto command = scripts->find(std::string(hook));
        if (command == scripts->end() || !command->is_string()) continue;
        add(f.key + "#scripts." + std::string(hook), ScriptKind::kNpmHook, f, package,
            command->get<std::string>());
      }
    }
    if (!is_electron_manifest(f.key)) return;
    std::string main = "index.js";
    if (const auto named = manifest.find("main"); named != manifest.end() && named->is_string()) {
      main = named->get<std::string>();
    }
    const std::string folder = f.key.substr(0, name_start(f.key));
    const std::string path = join_relative(folder, main);
    if (path.empty()) return;
    for (const std::string& candidate : {path, path + ".js", path + "/index.js"}) {
      const ReleaseFile* script = file(candidate);
      if (script == nullptr || !script->content) continue;
      add(script->key, ScriptKind::kElectronMain, *script, package, *script->content);
      return;
    }
  }

  std::unordered_map<std::string, const ReleaseFile*> by_key_;
  std::vector<InstallScript> out_;
};

}  // namespace

std::string_view script_kind_name(ScriptKind kind) {
  switch (kind) {
    case ScriptKind::kNpmHook:
      return "npm-hook";
    case ScriptKind::kNodeGyp:
      return "node-gyp";
    case ScriptKind::kDebianMaintainer:
      return "debian-maintainer-script";
    case ScriptKind::kPythonSetup:
      return "python-setup";
    case ScriptKind::kPythonPth:
      return "python-pth";
    case ScriptKind::kElectronMain:
      return "electron-main";
    case ScriptKind::kMsiCustomAction:
      return "msi-custom-action";
  }
  return "unknown";
}

bool may_hold_install_script(std::string_view path) {
  const std::string name = lower(base_name(path));
  // A Debian control file names the package its maintainer scripts belong to.
  const bool debian_control =
      name == "control" && maintainer_script_prefix(std::string(path.substr(0, name_start(path))) +
                                                    "postinst") != std::string_view::npos;
  return name == "package.json" || name == "binding.gyp" || name == "setup.py" ||
         name.ends_with(".pth") || maintainer_script_prefix(path) != std::string_view::npos ||
         debian_control || is_electron_script_path(path);
}

std::vector<InstallScript> find_install_scripts(const Release& release) {
  return Finder(release).run(release);
}

}  // namespace cascade::diff
