// Package URLs (purl, https://github.com/package-url/purl-spec): the one name a package has in
// SBOMs, scan reports, advisories and the inventory graph. Every purl cascade stores or compares
// goes through parse_purl, so "pkg:NPM/MS@2.0.0" and "pkg:npm/ms@2.0.0" are one package.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace cascade {

// A purl's components, decoded and normalised: the type lower-cased, the type's case rules
// applied (npm, pypi, deb, apk, github, bitbucket, composer lower-case their names; pypi also
// turns '_' into '-'), qualifiers with lower-case keys, sorted, without empty values, and the
// subpath without empty, "." and ".." segments.
struct PackageUrl {
  std::string type;
  std::string namespace_;  // "" when absent; segments joined by '/' (npm: "@scope")
  std::string name;
  std::string version;  // "" when absent
  std::vector<std::pair<std::string, std::string>> qualifiers;
  std::string subpath;

  friend bool operator==(const PackageUrl&, const PackageUrl&) = default;
};

// Longest purl text accepted: a graph key has the same cap.
inline constexpr std::size_t kMaxPurlLength = 1024;

// Parses and normalises; an error for text that is not a purl (no "pkg:" scheme, no type or
// name, a bad percent escape, a control character in any decoded component, over the cap).
Result<PackageUrl> parse_purl(std::string_view text);

// Builds a purl from parts as package managers state them (npm "@scope/name" may be given as
// the name with an empty namespace); the same normalisation and checks as parse_purl.
Result<PackageUrl> make_purl(std::string_view type, std::string_view namespace_,
                             std::string_view name, std::string_view version);

// The canonical text: "pkg:type/namespace/name@version?k=v&k=v#subpath", each component
// percent-encoded except unreserved characters (and ':' , which the spec leaves as is).
std::string format_purl(const PackageUrl& purl);

// The canonical text of the package without version, qualifiers and subpath
// ("pkg:npm/%40babel/core"): what an advisory names when it lists affected versions.
std::string format_purl_package(const PackageUrl& purl);

// parse_purl then format_purl.
Result<std::string> normalise_purl(std::string_view text);

}  // namespace cascade
