// Package ecosystems as advisories name them, and the version orderings their ranges are written
// in: semver 2.0 (npm, crates.io, Go, and every OSV range of type SEMVER), Debian's (dpkg's
// comparison) and PEP 440 (PyPI). An ecosystem without an ordering here has its advisories
// matched by their explicit version lists only; its ranges are reported as not evaluated.
#pragma once

#include <optional>
#include <string_view>

namespace cascade::scan {

enum class Ecosystem {
  kNpm,
  kPyPI,
  kDebian,
  kCratesIo,
  kGo,
  kMaven,
  kRubyGems,
  kNuGet,
  kPackagist,
};

// OSV's ecosystem names ("npm", "PyPI", "Debian", "Debian:12", "crates.io", ...); a release
// suffix after ':' is ignored. nullopt for an ecosystem cascade does not know.
std::optional<Ecosystem> ecosystem_from_osv(std::string_view name);
std::string_view ecosystem_osv_name(Ecosystem ecosystem);
// The purl type (and, for Debian, the namespace) packages of the ecosystem have.
std::string_view ecosystem_purl_type(Ecosystem ecosystem);
std::string_view ecosystem_purl_namespace(Ecosystem ecosystem);

enum class VersionScheme { kSemver, kDebian, kPep440 };
std::string_view version_scheme_name(VersionScheme scheme);  // "semver", "debian", "pep440"

// How versions of the ecosystem order, when cascade knows (ranges of type ECOSYSTEM).
std::optional<VersionScheme> ecosystem_scheme(Ecosystem ecosystem);

// Whether `version` is valid in the scheme.
bool valid_version(VersionScheme scheme, std::string_view version);
// Negative, zero or positive as a sorts before, with or after b; nullopt when either is not a
// valid version of the scheme (then nothing can be said, and callers must not guess).
std::optional<int> compare_versions(VersionScheme scheme, std::string_view a, std::string_view b);

// --- the orderings, for the tests ---
std::optional<int> compare_semver(std::string_view a, std::string_view b);
std::optional<int> compare_debian_versions(std::string_view a, std::string_view b);
std::optional<int> compare_pep440(std::string_view a, std::string_view b);

// Compares two runs of decimal digits by value, whatever their length (versions are not bounded
// by any integer type).
int compare_decimal(std::string_view a, std::string_view b);

}  // namespace cascade::scan
