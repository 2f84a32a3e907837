// OSV JSON: one advisory, an array of them, or (IndicatorSet::load) a directory of *.json files
// as the OpenSSF malicious-packages repository lays them out (osv/malicious/npm/NAME/MAL-*.json).
// database_specific and ecosystem_specific are not read; GIT ranges are counted as skipped.
#include <nlohmann/json.hpp>

#include "core/json_access.h"
#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

using json_access::array_or_empty;
using json_access::string_or_empty;
using nlohmann::json;

// A member the evaluation rests on, of the type OSV gives it: absent or null reads as empty,
// another type refuses the feed (reading it as empty would hide an advisory).
Result<const json*> member(const json& object, std::string_view key, json::value_t type,
                           const std::string& where) {
  static const json kEmptyArray = json::array();
  static const json kEmptyObject = json::object();
  const json* value = json_access::field(object, key);
  if (value == nullptr || value->is_null()) {
    return type == json::value_t::array ? &kEmptyArray : &kEmptyObject;
  }
  if (value->type() != type) {
    return make_error(ErrorCode::kMalformed,
                      where + ": '" + std::string(key) + "' is not " +
                          (type == json::value_t::array ? "a list" : "an object"));
  }
  return value;
}

// The purl package an affected entry names: its own purl when it gives one, else one made
// from the ecosystem and name (Maven's "group:artifact", Go's module path, npm's "@scope/name").
std::string package_of(const json& package, const std::optional<Ecosystem>& known,
                       std::string_view name) {
  if (const std::string* purl = json_access::string_field(package, "purl")) {
    if (auto parsed = parse_purl(*purl)) return format_purl_package(*parsed);
  }
  if (!known || name.empty()) return {};
  std::string_view namespace_ = ecosystem_purl_namespace(*known);
  std::string_view base = name;
  if (*known == Ecosystem::kMaven || *known == Ecosystem::kGo || *known == Ecosystem::kPackagist) {
    const auto split = *known == Ecosystem::kMaven ? name.rfind(':') : name.rfind('/');
    if (split != std::string_view::npos) {
      namespace_ = name.substr(0, split);
      base = name.substr(split + 1);
    }
  }
  auto made = make_purl(ecosystem_purl_type(*known), namespace_, base, "");
  return made ? format_purl_package(*made) : std::string();
}

std::optional<OsvEventKind> event_kind(const json& event, std::string* version) {
  constexpr std::pair<std::string_view, OsvEventKind> kKinds[] = {
      {"introduced", OsvEventKind::kIntroduced},
      {"fixed", OsvEventKind::kFixed},
      {"last_affected", OsvEventKind::kLastAffected},
      {"limit", OsvEventKind::kLimit},
  };
  for (const auto& [key, kind] : kKinds) {
    if (const std::string* value = json_access::string_field(event, key)) {
      *version = *value;
      return kind;
    }
  }
  return std::nullopt;
}

Result<OsvAffected> read_affected(const json& entry, const std::string& where, Feed& feed) {
  OsvAffected affected;
  if (!entry.is_object()) {
    return make_error(ErrorCode::kMalformed, where + ": an affected entry is not an object");
  }
  auto package_member = member(entry, "package", json::value_t::object, where);
  if (!package_member) return package_member.error();
  const json& package = **package_member;
  affected.ecosystem = string_or_empty(package, "ecosystem");
  affected.name = string_or_empty(package, "name");
  affected.known = ecosystem_from_osv(affected.ecosystem);
  affected.package = package_of(package, affected.known, affected.name);
  auto versions_member = member(entry, "versions", json::value_t::array, where);
  if (!versions_member) return versions_member.error();
  const json& versions = **versions_member;
  if (versions.size() > kMaxOsvVersionsPerAffected) {
    return make_error(ErrorCode::kLimit, where + ": more than " +
                                             std::to_string(kMaxOsvVersionsPerAffected) +
                                             " versions in one affected package");
  }
  for (const json& version : versions) {
    if (!version.is_string()) {
      return make_error(ErrorCode::kMalformed, where + ": a listed version is not a string");
    }
    affected.versions.push_back(version.get<std::string>());
  }
  auto ranges = member(entry, "ranges", json::value_t::array, where);
  if (!ranges) return ranges.error();
  for (const json& range : **ranges) {
    const std::string type = string_or_empty(range, "type");
    OsvRange parsed;
    if (type == "SEMVER") {
      parsed.type = OsvRangeType::kSemver;
    } else if (type == "ECOSYSTEM") {
      parsed.type = OsvRangeType::kEcosystem;
    } else {
      ++feed.skipped;  // GIT ranges name commits, which the inventory does not hold
      continue;
    }
    auto events_member = member(range, "events", json::value_t::array, where);
    if (!events_member) return events_member.error();
    const json& events = **events_member;
    if (events.size() > kMaxOsvEventsPerRange) {
      return make_error(
          ErrorCode::kLimit,
          where + ": more than " + std::to_string(kMaxOsvEventsPerRange) + " events in one range");
    }
    for (const json& event : events) {
      OsvEvent parsed_event;
      if (const auto kind = event_kind(event, &parsed_event.version)) {
        parsed_event.kind = *kind;
        parsed.events.push_back(std::move(parsed_event));
      }
    }
    affected.ranges.push_back(std::move(parsed));
  }
  return affected;
}

}  // namespace

bool looks_like_osv(const json& root) {
  const auto advisory = [](const json& o) {
    return o.is_object() && json_access::string_field(o, "id") != nullptr &&
           json_access::field(o, "type") == nullptr &&
           (json_access::field(o, "affected") != nullptr ||
            json_access::field(o, "modified") != nullptr);
  };
  if (root.is_array()) return !root.empty() && std::all_of(root.begin(), root.end(), advisory);
  return advisory(root);
}

Status add_osv(const json& root, const std::string& path, Feed& feed) {
  feed.format = FeedFormat::kOsv;
  const auto add_one = [&](const json& object) -> Status {
    if (feed.advisories.size() >= kMaxOsvAdvisories) {
      return make_error(ErrorCode::kLimit,
                        path + ": more than " + std::to_string(kMaxOsvAdvisories) + " advisories");
    }
    OsvAdvisory advisory;
    advisory.id = string_or_empty(object, "id");
    advisory.summary = string_or_empty(object, "summary");
    advisory.source = path;
    advisory.withdrawn = json_access::string_field(object, "withdrawn") != nullptr;
    for (const json& alias : array_or_empty(object, "aliases")) {
      if (alias.is_string()) advisory.aliases.push_back(alias.get<std::string>());
    }
    auto affected_member =
        member(object, "affected", json::value_t::array, path + ": advisory " + shown(advisory.id));
    if (!affected_member) return affected_member.error();
    const json& affected = **affected_member;
    if (affected.size() > kMaxOsvAffectedPerAdvisory) {
      return make_error(ErrorCode::kLimit,
                        path + ": advisory " + shown(advisory.id) + " lists more than " +
                            std::to_string(kMaxOsvAffectedPerAdvisory) + " affected packages");
    }
    for (const json& entry : affected) {
      auto parsed = read_affected(entry, path + ": advisory " + shown(advisory.id), feed);
      if (!parsed) return parsed.error();
      if (parsed->package.empty()) ++feed.skipped;  // no purl: nothing to compare with
      advisory.affected.push_back(std::move(*parsed));
    }
    // A withdrawn advisory no longer holds (OSV's "withdrawn" field): kept out, counted.
    if (advisory.withdrawn) {
      ++feed.skipped;
      return ok_status();
    }
    feed.advisories.push_back(std::move(advisory));
    return ok_status();
  };
  if (root.is_array()) {
    for (const json& object : root) {
      if (auto added = add_one(object); !added) return added;
    }
    return ok_status();
  }
  return add_one(root);
}

}  // namespace cascade::scan::ioc
