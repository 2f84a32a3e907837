// The installed packages a scan recognised, against the OSV advisories of its --ioc feeds
// (docs/scan.md, "Packages named by advisories"): a package an advisory names, at a version the
// advisory's lists or ranges hold, gets an ioc.package finding; one whose version the ranges
// cannot place gets ioc.package-unevaluated, so a gap in the version orderings stays visible.
#pragma once

#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "scan/ioc/indicators.h"
#include "scan/packages/installed_package.h"

namespace cascade::scan {

// The loaded advisories by the purl package (format_purl_package) they name, built once so
// each installed package costs one lookup however many advisories the feeds hold.
class PackageAdvisories {
 public:
  // Points into `indicators`, which must outlive it.
  explicit PackageAdvisories(const IndicatorSet& indicators);

  bool empty() const { return by_package_.empty(); }

  // The findings of one installed package, in finding order: one per advisory (and feed) that
  // names it, ioc.package when some affected entry holds its version, else
  // ioc.package-unevaluated when some range could not be evaluated, else none.
  std::vector<Finding> findings_for(const InstalledPackage& package) const;

 private:
  struct Entry {
    std::size_t feed = 0;
    const OsvAdvisory* advisory = nullptr;
    const OsvAffected* affected = nullptr;
  };
  const IndicatorSet& indicators_;
  // One advisory's entries for a package are adjacent: each advisory is visited whole.
  std::unordered_map<std::string, std::vector<Entry>> by_package_;
};

// Sets each package's findings from the advisories the feeds hold (none: every list empty).
void match_package_advisories(std::span<InstalledPackage> packages, const IndicatorSet& indicators);

}  // namespace cascade::scan
