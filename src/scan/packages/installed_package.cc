#include "scan/packages/installed_package.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "core/purl.h"
#include "core/utf8.h"

namespace cascade::scan {

namespace {

// Debian's own vendor, for a status file whose tree names no other.
constexpr std::string_view kDefaultDebVendor = "debian";

// The vendor each tree's os-release names: etc/ before usr/lib/, then the smallest ID, so a
// tree that (oddly) holds two answers gives the same one every run.
std::map<std::string, std::string> vendors_by_root(const std::vector<OsReleaseId>& releases) {
  std::map<std::string, const OsReleaseId*> best;
  for (const OsReleaseId& release : releases) {
    const OsReleaseId*& current = best[release.tree_root];
    if (current == nullptr ||
        std::tie(release.from_etc, current->id) > std::tie(current->from_etc, release.id)) {
      current = &release;
    }
  }
  std::map<std::string, std::string> out;
  for (const auto& [root, release] : best) out.emplace(root, release->id);
  return out;
}

std::optional<std::string> purl_of(const RecognisedPackage& package, std::string_view vendor) {
  const std::string_view type = ecosystem_name(package.ecosystem);
  auto purl = make_purl(type, package.ecosystem == PackageEcosystem::kDeb ? vendor : "",
                        package.name, package.version);
  if (!purl) return std::nullopt;
  if (!package.architecture.empty()) purl->qualifiers.emplace_back("arch", package.architecture);
  std::string text = format_purl(*purl);
  if (text.size() > kMaxPurlLength) return std::nullopt;
  return text;
}

}  // namespace

std::string_view ecosystem_name(PackageEcosystem ecosystem) {
  switch (ecosystem) {
    case PackageEcosystem::kDeb:
      return "deb";
    case PackageEcosystem::kNpm:
      return "npm";
    case PackageEcosystem::kPypi:
      return "pypi";
  }
  return "npm";
}

void PackageInventory::add(ManifestFacts facts) {
  std::move(facts.packages.begin(), facts.packages.end(), std::back_inserter(packages_));
  if (facts.os_release) os_releases_.push_back(std::move(*facts.os_release));
}

std::vector<InstalledPackage> PackageInventory::finish() const {
  const std::map<std::string, std::string> vendors = vendors_by_root(os_releases_);
  std::vector<InstalledPackage> out;
  out.reserve(packages_.size());
  for (const RecognisedPackage& package : packages_) {
    std::string_view vendor = kDefaultDebVendor;
    if (package.tree_root) {
      if (auto it = vendors.find(*package.tree_root); it != vendors.end()) vendor = it->second;
    }
    auto purl = purl_of(package, vendor);
    if (!purl) continue;
    out.push_back({.purl = std::move(*purl),
                   .ecosystem = package.ecosystem,
                   .name = package.name,
                   .version = package.version,
                   .source = lossless_utf8(package.source)});
  }
  // Name and version break ties too (two spellings of one purl in one manifest), so which
  // copy survives does not depend on the order the manifests arrived in.
  std::sort(out.begin(), out.end(), [](const InstalledPackage& a, const InstalledPackage& b) {
    return std::tie(a.purl, a.source, a.name, a.version) <
           std::tie(b.purl, b.source, b.name, b.version);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const InstalledPackage& a, const InstalledPackage& b) {
                          return a.purl == b.purl && a.source == b.source;
                        }),
            out.end());
  return out;
}

std::map<PackageEcosystem, std::uint64_t> count_by_ecosystem(
    const std::vector<InstalledPackage>& packages) {
  std::map<PackageEcosystem, std::uint64_t> counts;
  for (const InstalledPackage& package : packages) ++counts[package.ecosystem];
  return counts;
}

}  // namespace cascade::scan
