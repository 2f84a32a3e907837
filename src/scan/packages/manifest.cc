#include "scan/packages/manifest.h"

#include <array>
#include <string>

#include "scan/packages/manifest_text.h"
#include "scan/packages/recognisers.h"

namespace cascade::scan {

namespace {

bool is_separator(char c) {
  return c == '/' || c == '!';
}

// The last components of a nested path, nearest first: {"METADATA", "x-1.0.dist-info", ...}.
struct PathTail {
  // basename, parent, grandparent, great-grandparent ("" when absent)
  std::array<std::string_view, 4> parts;

  explicit PathTail(std::string_view path) {
    for (std::string_view& part : parts) {
      std::size_t cut = path.size();
      while (cut > 0 && !is_separator(path[cut - 1])) --cut;
      part = path.substr(cut);
      path = path.substr(0, cut == 0 ? 0 : cut - 1);
      if (cut == 0) break;
    }
  }
  std::string_view base() const { return parts[0]; }
  std::string_view parent() const { return parts[1]; }
  std::string_view grandparent() const { return parts[2]; }
  std::string_view great_grandparent() const { return parts[3]; }
};

bool is_npm_lock(const PathTail& tail) {
  return tail.base() == "package-lock.json" || tail.base() == "npm-shrinkwrap.json" ||
         (tail.base() == ".package-lock.json" && tail.parent() == "node_modules");
}

bool is_npm_package_json(const PathTail& tail) {
  if (tail.base() != "package.json" || tail.parent().empty()) return false;
  // node_modules/@scope/package.json is a scope's folder, not a package.
  if (tail.grandparent() == "node_modules") return !tail.parent().starts_with('@');
  return tail.great_grandparent() == "node_modules" && tail.grandparent().starts_with('@') &&
         tail.grandparent().size() > 1;
}

bool is_python_metadata(const PathTail& tail) {
  return (tail.base() == "METADATA" && tail.parent().ends_with(".dist-info")) ||
         (tail.base() == "PKG-INFO" && tail.parent().ends_with(".egg-info")) ||
         (tail.base().ends_with(".egg-info") && tail.base().size() > 9);
}

struct Recogniser {
  ManifestKind kind;
  bool (*matches)(const PathTail& tail);
  void (*read)(ManifestReading& reading);
  std::size_t ManifestLimits::*max_bytes;
  bool note_oversize;  // a manifest over its cap is a finding (else only its head is read)
};

constexpr std::array<Recogniser, 5> kRecognisers = {{
    {ManifestKind::kDpkgStatus,
     [](const PathTail& tail) { return tail.base() == "status" && tail.parent() == "dpkg"; },
     read_dpkg_status, &ManifestLimits::max_text_bytes, true},
    {ManifestKind::kNpmLock, is_npm_lock, read_npm_lock, &ManifestLimits::max_text_bytes, true},
    {ManifestKind::kNpmPackageJson, is_npm_package_json, read_npm_package_json,
     &ManifestLimits::max_package_json_bytes, true},
    {ManifestKind::kPythonMetadata, is_python_metadata, read_python_metadata,
     &ManifestLimits::max_header_bytes, false},
    {ManifestKind::kOsRelease,
     [](const PathTail& tail) {
       return tail.base() == "os-release" &&
              (tail.parent() == "etc" || (tail.parent() == "lib" && tail.grandparent() == "usr"));
     },
     read_os_release, &ManifestLimits::max_os_release_bytes, false},
}};

const Recogniser* find_recogniser(std::string_view path) {
  const PathTail tail(path);
  for (const Recogniser& recogniser : kRecognisers) {
    if (recogniser.matches(tail)) return &recogniser;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string_view> prefix_before(std::string_view path, std::string_view suffix) {
  if (!path.ends_with(suffix)) return std::nullopt;
  const std::string_view prefix = path.substr(0, path.size() - suffix.size());
  if (!prefix.empty() && !is_separator(prefix.back())) return std::nullopt;
  return prefix;
}

bool ManifestReading::add(RecognisedPackage package) {
  if (facts_.packages.size() >= limits_.max_packages) {
    if (!capped_) {
      incomplete("installed packages: more than " + std::to_string(limits_.max_packages) +
                 " listed in one manifest; only the first " + std::to_string(limits_.max_packages) +
                 " are recorded");
      capped_ = true;
    }
    return false;
  }
  package.source = std::string(path_);
  facts_.packages.push_back(std::move(package));
  return true;
}

void ManifestReading::incomplete(std::string message) {
  facts_.incomplete.push_back(std::move(message));
}

std::optional<ManifestKind> manifest_kind(std::string_view path) {
  const Recogniser* recogniser = find_recogniser(path);
  if (recogniser == nullptr) return std::nullopt;
  return recogniser->kind;
}

ManifestFacts recognise_manifest(std::string_view path, Bytes data, const ManifestLimits& limits) {
  ManifestFacts facts;
  const Recogniser* recogniser = find_recogniser(path);
  if (recogniser == nullptr) return facts;
  const std::size_t cap = limits.*(recogniser->max_bytes);
  if (data.size() > cap) {
    if (recogniser->note_oversize) {
      facts.incomplete.push_back("installed packages: this manifest is " +
                                 std::to_string(data.size()) + " bytes, over the cap of " +
                                 std::to_string(cap) + " bytes; its packages are not recorded");
      return facts;
    }
    data = data.first(cap);
  }
  ManifestReading reading(path, manifest_text::as_text(data), limits, facts);
  recogniser->read(reading);
  return facts;
}

}  // namespace cascade::scan
