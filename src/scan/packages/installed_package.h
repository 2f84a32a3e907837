// Packages a scanned tree holds installed, as its package managers' own records state them
// (docs/scan.md, "Installed packages"): what a recogniser reads from one manifest, and the
// inventory that turns every manifest's packages into the report's sorted list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace cascade::scan {

// The package managers whose records scan reads; the names are the purl types.
enum class PackageEcosystem { kDeb, kNpm, kPypi };

std::string_view ecosystem_name(PackageEcosystem ecosystem);

// One package as a manifest states it, before it has a purl: dpkg's vendor comes from the
// tree's os-release, which may be scanned before or after the status file.
struct RecognisedPackage {
  PackageEcosystem ecosystem = PackageEcosystem::kNpm;
  std::string name;          // as stated ("@scope/name" for scoped npm packages)
  std::string version;       // as stated
  std::string architecture;  // deb only
  std::string source;        // the nested path of the manifest, as the scan spells it
  // deb: the path prefix of the tree the status file belongs to ("img.tar!./" for
  // "img.tar!./var/lib/dpkg/status"); nullopt when the file is not at var/lib/dpkg/status.
  std::optional<std::string> tree_root;
};

// A tree's os-release `ID` (etc/os-release, else usr/lib/os-release: the one systemd reads
// first wins).
struct OsReleaseId {
  std::string tree_root;  // the path prefix before etc/ or usr/lib/
  std::string id;
  bool from_etc = false;
};

// What one file told about packages; empty for a file that is no manifest.
struct ManifestFacts {
  std::vector<RecognisedPackage> packages;
  std::optional<OsReleaseId> os_release;
  // Why part of a manifest was not read (a cap, a repeated key): scan.incomplete messages.
  std::vector<std::string> incomplete;

  bool empty() const { return packages.empty() && !os_release && incomplete.empty(); }
};

// One entry of the report's `packages` list (contract: docs/scan.md).
struct InstalledPackage {
  std::string purl;  // canonical (core/purl.h)
  PackageEcosystem ecosystem = PackageEcosystem::kNpm;
  std::string name;
  std::string version;
  std::string source;  // spelt as the file objects' `path` (lossless UTF-8)
  // What the --ioc feeds' advisories say about it (advisory_match.h); empty until matched.
  std::vector<Finding> findings;

  friend bool operator==(const InstalledPackage&, const InstalledPackage&) = default;
};

// Collects every manifest's facts, in any order, and gives the list the report carries.
class PackageInventory {
 public:
  void add(ManifestFacts facts);
  // Sorted by (purl, source), duplicates removed: the same whatever order add() was called in.
  // A package whose parts make no valid purl is left out.
  std::vector<InstalledPackage> finish() const;

 private:
  std::vector<RecognisedPackage> packages_;
  std::vector<OsReleaseId> os_releases_;
};

// Packages per ecosystem in a finished list, for the summary.
std::map<PackageEcosystem, std::uint64_t> count_by_ecosystem(
    const std::vector<InstalledPackage>& packages);

}  // namespace cascade::scan
