#include "scan/packages/advisory_match.h"

#include <algorithm>
#include <optional>

#include "core/finding_catalogue.h"
#include "core/printable_text.h"
#include "core/purl.h"

namespace cascade::scan {

namespace {

// Advisories are documents anyone can write: their text is shown printable and bounded.
constexpr std::size_t kMaxIdShown = 100;
constexpr std::size_t kMaxSummaryShown = 200;
constexpr std::size_t kMaxReasonShown = 300;

std::string advisory_message(std::string_view feed, const OsvAdvisory& advisory,
                             std::string_view reason) {
  std::string message = std::string(feed) + ": " + printable(advisory.id, kMaxIdShown);
  if (!advisory.summary.empty()) {
    message += " (" + printable(advisory.summary, kMaxSummaryShown) + ")";
  }
  return message + ": " + printable(reason, kMaxReasonShown);
}

}  // namespace

PackageAdvisories::PackageAdvisories(const IndicatorSet& indicators) : indicators_(indicators) {
  indicators.for_each_advisory([&](std::size_t feed, const OsvAdvisory& advisory) {
    for (const OsvAffected& affected : advisory.affected) {
      if (affected.package.empty()) continue;  // an ecosystem no purl can name
      by_package_[affected.package].push_back({feed, &advisory, &affected});
    }
  });
}

std::vector<Finding> PackageAdvisories::findings_for(const InstalledPackage& package) const {
  std::vector<Finding> out;
  if (by_package_.empty()) return out;
  const auto purl = parse_purl(package.purl);
  if (!purl) return out;
  const auto found = by_package_.find(format_purl_package(*purl));
  if (found == by_package_.end()) return out;
  const std::vector<Entry>& entries = found->second;
  for (std::size_t first = 0; first < entries.size();) {
    // One advisory (of one feed) may name the package in several affected entries: it gives
    // one finding, "affected" winning over "not evaluated".
    std::size_t end = first + 1;
    while (end < entries.size() && entries[end].advisory == entries[first].advisory &&
           entries[end].feed == entries[first].feed) {
      ++end;
    }
    std::optional<VersionAnswer> affected;
    std::optional<VersionAnswer> unevaluated;
    for (std::size_t i = first; i < end && !affected; ++i) {
      VersionAnswer answer = affected_version(*entries[i].affected, purl->version);
      if (answer.verdict == VersionVerdict::kAffected) {
        affected = std::move(answer);
      } else if (answer.verdict == VersionVerdict::kNotEvaluated && !unevaluated) {
        unevaluated = std::move(answer);
      }
    }
    const Entry& entry = entries[first];
    const std::string& feed = indicators_.feeds()[entry.feed].name;
    if (affected) {
      out.push_back(make_finding(findings::kIocPackage,
                                 advisory_message(feed, *entry.advisory, affected->reason)));
    } else if (unevaluated) {
      out.push_back(make_finding(findings::kIocPackageUnevaluated,
                                 advisory_message(feed, *entry.advisory, unevaluated->reason)));
    }
    first = end;
  }
  std::sort(out.begin(), out.end(), finding_before);
  return out;
}

void match_package_advisories(std::span<InstalledPackage> packages,
                              const IndicatorSet& indicators) {
  const PackageAdvisories advisories(indicators);
  for (InstalledPackage& package : packages) package.findings = advisories.findings_for(package);
}

}  // namespace cascade::scan
