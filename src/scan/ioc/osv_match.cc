// Whether one version falls in an OSV affected entry, following the schema's evaluation
// (https://ossf.github.io/osv-schema/#evaluation): a version list is exact; a range's events,
// sorted by version, switch "affected" on at introduced and off at fixed, after last_affected
// and at limit.
#include <algorithm>

#include "scan/ioc/osv.h"

namespace cascade::scan {

std::string_view version_verdict_name(VersionVerdict verdict) {
  switch (verdict) {
    case VersionVerdict::kAffected:
      return "affected";
    case VersionVerdict::kNotAffected:
      return "not-affected";
    case VersionVerdict::kNotEvaluated:
      break;
  }
  return "not-evaluated";
}

namespace {

std::string_view event_name(OsvEventKind kind) {
  switch (kind) {
    case OsvEventKind::kIntroduced:
      return "introduced";
    case OsvEventKind::kFixed:
      return "fixed";
    case OsvEventKind::kLastAffected:
      return "last_affected";
    case OsvEventKind::kLimit:
      break;
  }
  return "limit";
}

std::string describe(const OsvRange& range) {
  std::string text = range.type == OsvRangeType::kSemver ? "SEMVER range [" : "ECOSYSTEM range [";
  for (std::size_t i = 0; i < range.events.size(); ++i) {
    if (i != 0) text += ", ";
    text += std::string(event_name(range.events[i].kind)) + " " + range.events[i].version;
  }
  return text + "]";
}

bool is_zero(const OsvEvent& event) {
  return event.kind == OsvEventKind::kIntroduced && event.version == "0";
}

// nullopt: the range cannot be evaluated (no ordering, or a version the ordering refuses).
std::optional<bool> in_range(const OsvRange& range, VersionScheme scheme,
                             std::string_view version) {
  if (!valid_version(scheme, version)) return std::nullopt;
  for (const auto& event : range.events) {
    if (!is_zero(event) && !valid_version(scheme, event.version)) return std::nullopt;
  }
  std::vector<const OsvEvent*> events;
  for (const auto& event : range.events) events.push_back(&event);
  std::stable_sort(events.begin(), events.end(), [&](const OsvEvent* a, const OsvEvent* b) {
    if (is_zero(*a) || is_zero(*b)) return is_zero(*a) && !is_zero(*b);
    return compare_versions(scheme, a->version, b->version).value_or(0) < 0;
  });
  bool affected = false;
  for (const OsvEvent* event : events) {
    const int order = is_zero(*event) ? 1 : *compare_versions(scheme, version, event->version);
    switch (event->kind) {
      case OsvEventKind::kIntroduced:
        if (order >= 0) affected = true;
        break;
      case OsvEventKind::kFixed:
      case OsvEventKind::kLimit:
        if (order >= 0) affected = false;
        break;
      case OsvEventKind::kLastAffected:
        if (order > 0) affected = false;
        break;
    }
  }
  return affected;
}

}  // namespace

VersionAnswer affected_version(const OsvAffected& affected, std::string_view version) {
  const std::optional<VersionScheme> ecosystem_order =
      affected.known ? ecosystem_scheme(*affected.known) : std::nullopt;
  for (const auto& listed : affected.versions) {
    const bool same =
        listed == version ||
        (ecosystem_order && compare_versions(*ecosystem_order, listed, version).value_or(1) == 0);
    if (same) return {VersionVerdict::kAffected, "listed version " + listed};
  }
  std::string unevaluated;
  for (const auto& range : affected.ranges) {
    if (range.type == OsvRangeType::kGit) continue;
    const std::optional<VersionScheme> scheme = range.type == OsvRangeType::kSemver
                                                    ? std::optional(VersionScheme::kSemver)
                                                    : ecosystem_order;
    const std::optional<bool> inside = scheme ? in_range(range, *scheme, version) : std::nullopt;
    if (inside.value_or(false)) return {VersionVerdict::kAffected, describe(range)};
    if (!inside && unevaluated.empty()) {
      unevaluated = describe(range) +
                    (scheme ? " not evaluated: a version is not valid " +
                                  std::string(version_scheme_name(*scheme))
                            : " not evaluated: no version ordering for " +
                                  (affected.ecosystem.empty() ? std::string("an unnamed ecosystem")
                                                              : affected.ecosystem));
    }
  }
  if (!unevaluated.empty()) return {VersionVerdict::kNotEvaluated, unevaluated};
  return {VersionVerdict::kNotAffected, ""};
}

}  // namespace cascade::scan
