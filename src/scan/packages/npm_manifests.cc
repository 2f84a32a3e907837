// npm's records of installed packages: lockfiles (package-lock.json, npm-shrinkwrap.json and
// the hidden node_modules/.package-lock.json; lockfileVersion 1 `dependencies`, nested, and
// 2/3 `packages` keyed by node_modules paths) and each installed package's own package.json.
// JSON is read strictly (core/strict_json.h): a lockfile that repeats a key reads two ways.
#include <string>
#include <string_view>

#include "core/json_access.h"
#include "core/strict_json.h"
#include "scan/packages/manifest_text.h"
#include "scan/packages/recognisers.h"

namespace cascade::scan {

namespace {

using nlohmann::json;

constexpr std::string_view kNodeModules = "node_modules/";

// The parsed manifest, or nothing: a syntax error skips it quietly (a damaged file is not a
// finding); a repeated key or nesting past the cap is noted, since then readers disagree.
std::optional<json> parse(ManifestReading& reading) {
  auto parsed = parse_strict_json(reading.text());
  if (parsed) return std::move(parsed).value();
  if (parsed.error().code != ErrorCode::kMalformed) {
    reading.incomplete("installed packages: " + parsed.error().message +
                       "; its packages are not recorded");
  }
  return std::nullopt;
}

// Adds name@version when both are plausible; false once the manifest is at its package cap.
bool add_package(ManifestReading& reading, std::string_view name, std::string_view version) {
  const std::size_t max_length = reading.limits().max_field_length;
  if (!manifest_text::plausible_token(name, max_length) ||
      !manifest_text::plausible_token(version, max_length)) {
    return true;
  }
  return reading.add({.ecosystem = PackageEcosystem::kNpm,
                      .name = std::string(name),
                      .version = std::string(version)});
}

// lockfileVersion 1: {"dependencies": {name: {"version", "dependencies": {...}}}}. A version
// "npm:real@1.0.0" is an alias of real@1.0.0; other specs with ':' or '/' (file:, git+https:,
// github:) are not registry versions and are left out.
bool read_v1_dependencies(ManifestReading& reading, const json& dependencies) {
  if (!dependencies.is_object()) return true;
  for (const auto& [name, entry] : dependencies.items()) {
    std::string_view package_name = name;
    std::string_view version;
    if (const std::string* stated = json_access::string_field(entry, "version")) version = *stated;
    if (version.starts_with("npm:")) {
      const std::string_view alias = version.substr(4);
      const std::size_t at = alias.rfind('@');
      if (at == 0 || at == std::string_view::npos) continue;
      package_name = alias.substr(0, at);
      version = alias.substr(at + 1);
    }
    if (version.find_first_of(":/") == std::string_view::npos &&
        !add_package(reading, package_name, version)) {
      return false;
    }
    const json* nested = json_access::object_field(entry, "dependencies");
    if (nested != nullptr && !read_v1_dependencies(reading, *nested)) return false;
  }
  return true;
}

// lockfileVersion 2 and 3: {"packages": {"node_modules/a/node_modules/@s/b": {"version"}}}. The
// root ("") and workspace folders (no node_modules in the key) are the project itself, and
// `link` entries point at one of those.
void read_v2_packages(ManifestReading& reading, const json& packages) {
  for (const auto& [key, entry] : packages.items()) {
    const std::size_t at = key.rfind(kNodeModules);
    if (at == std::string::npos) continue;
    if (json_access::bool_field(entry, "link").value_or(false)) continue;
    const std::string* version = json_access::string_field(entry, "version");
    if (version == nullptr) continue;
    // An aliased install ("node_modules/alias") names the real package in "name".
    const std::string* real_name = json_access::string_field(entry, "name");
    const std::string_view name = real_name != nullptr
                                      ? std::string_view(*real_name)
                                      : std::string_view(key).substr(at + kNodeModules.size());
    if (!add_package(reading, name, *version)) return;
  }
}

}  // namespace

void read_npm_lock(ManifestReading& reading) {
  const auto lock = parse(reading);
  if (!lock || !lock->is_object()) return;
  if (const json* packages = json_access::object_field(*lock, "packages")) {
    read_v2_packages(reading, *packages);
  } else if (const json* dependencies = json_access::object_field(*lock, "dependencies")) {
    read_v1_dependencies(reading, *dependencies);
  }
}

void read_npm_package_json(ManifestReading& reading) {
  const auto manifest = parse(reading);
  if (!manifest || !manifest->is_object()) return;
  const std::string* name = json_access::string_field(*manifest, "name");
  const std::string* version = json_access::string_field(*manifest, "version");
  if (name != nullptr && version != nullptr) add_package(reading, *name, *version);
}

}  // namespace cascade::scan
