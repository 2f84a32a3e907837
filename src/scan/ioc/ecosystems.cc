// Ecosystem names, their purl types and which ordering their versions follow.
#include "scan/ioc/versions.h"

namespace cascade::scan {

namespace {

struct EcosystemNames {
  Ecosystem ecosystem;
  std::string_view osv;
  std::string_view purl_type;
  std::string_view purl_namespace;
};

// OSV's schema lists these spellings (https://ossf.github.io/osv-schema/#affectedpackage-field).
constexpr EcosystemNames kEcosystems[] = {
    {Ecosystem::kNpm, "npm", "npm", ""},
    {Ecosystem::kPyPI, "PyPI", "pypi", ""},
    {Ecosystem::kDebian, "Debian", "deb", "debian"},
    {Ecosystem::kCratesIo, "crates.io", "cargo", ""},
    {Ecosystem::kGo, "Go", "golang", ""},
    {Ecosystem::kMaven, "Maven", "maven", ""},
    {Ecosystem::kRubyGems, "RubyGems", "gem", ""},
    {Ecosystem::kNuGet, "NuGet", "nuget", ""},
    {Ecosystem::kPackagist, "Packagist", "composer", ""},
};

const EcosystemNames& names_of(Ecosystem ecosystem) {
  for (const auto& entry : kEcosystems) {
    if (entry.ecosystem == ecosystem) return entry;
  }
  return kEcosystems[0];
}

}  // namespace

std::optional<Ecosystem> ecosystem_from_osv(std::string_view name) {
  // "Debian:12", "Alpine:v3.16": the release the advisory was written for.
  if (const auto colon = name.find(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  for (const auto& entry : kEcosystems) {
    if (entry.osv == name) return entry.ecosystem;
  }
  return std::nullopt;
}

std::string_view ecosystem_osv_name(Ecosystem ecosystem) {
  return names_of(ecosystem).osv;
}
std::string_view ecosystem_purl_type(Ecosystem ecosystem) {
  return names_of(ecosystem).purl_type;
}
std::string_view ecosystem_purl_namespace(Ecosystem ecosystem) {
  return names_of(ecosystem).purl_namespace;
}

std::string_view version_scheme_name(VersionScheme scheme) {
  switch (scheme) {
    case VersionScheme::kSemver:
      return "semver";
    case VersionScheme::kDebian:
      return "debian";
    case VersionScheme::kPep440:
      break;
  }
  return "pep440";
}

std::optional<VersionScheme> ecosystem_scheme(Ecosystem ecosystem) {
  switch (ecosystem) {
    case Ecosystem::kNpm:
    case Ecosystem::kCratesIo:
      return VersionScheme::kSemver;
    case Ecosystem::kDebian:
      return VersionScheme::kDebian;
    case Ecosystem::kPyPI:
      return VersionScheme::kPep440;
    // Go's ranges are SEMVER ranges in OSV; Maven, RubyGems, NuGet and Composer each have an
    // ordering of their own that cascade does not implement, so it does not pretend to.
    case Ecosystem::kGo:
    case Ecosystem::kMaven:
    case Ecosystem::kRubyGems:
    case Ecosystem::kNuGet:
    case Ecosystem::kPackagist:
      break;
  }
  return std::nullopt;
}

bool valid_version(VersionScheme scheme, std::string_view version) {
  return compare_versions(scheme, version, version).has_value();
}

std::optional<int> compare_versions(VersionScheme scheme, std::string_view a, std::string_view b) {
  switch (scheme) {
    case VersionScheme::kSemver:
      return compare_semver(a, b);
    case VersionScheme::kDebian:
      return compare_debian_versions(a, b);
    case VersionScheme::kPep440:
      break;
  }
  return compare_pep440(a, b);
}

int compare_decimal(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int order = a.compare(b);
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

}  // namespace cascade::scan
