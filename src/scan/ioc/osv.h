// OSV advisories (https://ossf.github.io/osv-schema/) as indicator feeds: the affected packages
// of each advisory, named by purl, with their version lists and SEMVER/ECOSYSTEM ranges. What a
// range says is decided by the ecosystem's ordering (versions.h); where cascade has none, or a
// version is not valid in it, the answer is "not evaluated", never a guess.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/purl.h"
#include "scan/ioc/versions.h"

namespace cascade::scan {

enum class OsvEventKind { kIntroduced, kFixed, kLastAffected, kLimit };

struct OsvEvent {
  OsvEventKind kind = OsvEventKind::kIntroduced;
  std::string version;  // "0" for introduced: every version
};

enum class OsvRangeType { kSemver, kEcosystem, kGit };

struct OsvRange {
  OsvRangeType type = OsvRangeType::kEcosystem;
  std::vector<OsvEvent> events;
};

struct OsvAffected {
  std::string ecosystem;              // as the advisory writes it ("npm", "Debian:12")
  std::optional<Ecosystem> known;     // nullopt: an ecosystem cascade does not know
  std::string name;                   // as the advisory writes it
  std::string package;                // format_purl_package; empty: no purl could be made
  std::vector<std::string> versions;  // affected versions listed one by one
  std::vector<OsvRange> ranges;       // GIT ranges kept only to be reported as ignored
};

struct OsvAdvisory {
  std::string id;  // MAL-2024-1234, GHSA-..., CVE-...
  std::string summary;
  std::vector<std::string> aliases;
  std::string source;  // the file it was read from
  bool withdrawn = false;
  std::vector<OsvAffected> affected;
};

enum class VersionVerdict {
  kAffected,     // listed, or inside a range
  kNotAffected,  // every list and range was evaluated and none holds the version
  kNotEvaluated  // some range could not be evaluated and nothing else said "affected"
};
std::string_view version_verdict_name(VersionVerdict verdict);

struct VersionAnswer {
  VersionVerdict verdict = VersionVerdict::kNotAffected;
  std::string reason;  // what decided it ("listed", "range [introduced 1.0.0, fixed 1.0.3)"...)
};

// Whether `version` of the affected package falls in the advisory.
VersionAnswer affected_version(const OsvAffected& affected, std::string_view version);

// Caps, like the other feeds': beyond them a feed is refused, never read in part.
inline constexpr std::size_t kMaxOsvFileBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxOsvAdvisories = 2'000'000;
inline constexpr std::size_t kMaxOsvAffectedPerAdvisory = 10'000;
inline constexpr std::size_t kMaxOsvVersionsPerAffected = 100'000;
inline constexpr std::size_t kMaxOsvEventsPerRange = 10'000;
inline constexpr std::size_t kMaxOsvDirectoryFiles = 2'000'000;

}  // namespace cascade::scan
