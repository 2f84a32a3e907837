// STIX 2.1 (and 2.0) JSON: a bundle, a bare array of objects or a single indicator. Indicators
// whose pattern names file hashes are loaded (see stix_pattern.cc); the others, revoked ones and
// non-STIX pattern types (YARA, Sigma, Snort) are counted as skipped. JSON that holds OSV
// advisories instead goes to osv_feed.cc.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/json_access.h"
#include "core/strict_json.h"
#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 64;

std::size_t line_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<std::size_t>(std::count(
                 text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

}  // namespace

Result<Feed> parse_stix(std::string_view text, const std::string& path) {
  // A repeated key is refused: another tool could read another pattern in the same indicator.
  std::size_t syntax_error_line = 0;
  auto parsed = parse_strict_json(text, kMaxDepth, &syntax_error_line);
  if (!parsed && parsed.error().code == ErrorCode::kMalformed) {
    return feed_error(path, syntax_error_line, parsed.error().message);
  }
  if (!parsed) return make_error(parsed.error().code, path + ": " + parsed.error().message);
  json root = std::move(parsed).value();
  // A bundle, a single object or a bare array of objects; anything else is other JSON.
  const auto stix_object = [](const json& o) {
    return json_access::string_field(o, "type") != nullptr;
  };
  using json_access::string_or_empty;
  const json* objects = nullptr;
  json single = json::array();
  if (root.is_object() && string_or_empty(root, "type") == "bundle") {
    const json* listed = json_access::field(root, "objects");
    if (listed != nullptr && !listed->is_array()) {
      return feed_error(path, 1, "the STIX bundle's 'objects' is not an array");
    }
    objects = listed == nullptr ? &single : listed;  // a bundle without objects is valid STIX
  } else if (stix_object(root)) {
    single.push_back(std::move(root));
    objects = &single;
  } else if (root.is_array() && std::any_of(root.begin(), root.end(), stix_object)) {
    objects = &root;
  } else if (looks_like_osv(root)) {
    Feed feed;
    if (auto added = add_osv(root, path, feed); !added) return added.error();
    return feed;
  } else {
    return make_error(ErrorCode::kUnsupported,
                      path +
                          ": not an indicator feed (JSON, but neither a STIX 2.1 bundle nor "
                          "OSV advisories)");
  }

  Feed feed;
  feed.format = FeedFormat::kStix;
  for (const json& object : *objects) {
    if (!object.is_object() || string_or_empty(object, "type") != "indicator") continue;
    const bool is_revoked = json_access::bool_field(object, "revoked").value_or(false);
    // No pattern_type is STIX 2.0's only kind of pattern.
    const bool stix_pattern = json_access::field(object, "pattern_type") == nullptr ||
                              string_or_empty(object, "pattern_type") == "stix";
    const std::string pattern = string_or_empty(object, "pattern");
    const auto hashes =
        is_revoked || !stix_pattern || pattern.empty() ? std::nullopt : hash_pattern(pattern);
    if (!hashes || hashes->empty()) {
      ++feed.skipped;
      continue;
    }
    std::string label = string_or_empty(object, "name");
    if (label.empty()) label = string_or_empty(object, "description");
    const std::uint32_t label_id = feed.labels.intern(label);
    for (const auto& h : *hashes) {
      if (auto problem = add_hash(feed, trim(h.value), h.kind, label_id)) {
        const std::string id = string_or_empty(object, "id");
        const auto at = id.empty() ? std::string_view::npos : text.find("\"" + id + "\"");
        return feed_error(path, at == std::string_view::npos ? 0 : line_of(text, at),
                          "indicator " + shown(id) + ": " + *problem);
      }
    }
  }
  if (!feed.finish()) return make_error(ErrorCode::kLimit, path + ": out of memory");
  return feed;
}

Status add_osv_file(Bytes data, const std::string& path, Feed& feed) {
  if (data.size() > kMaxOsvFileBytes) {
    return make_error(ErrorCode::kLimit, path + ": larger than " +
                                             std::to_string(kMaxOsvFileBytes >> 20) +
                                             " MiB, the cap for one advisory file");
  }
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t syntax_error_line = 0;
  auto parsed = parse_strict_json(text, kMaxDepth, &syntax_error_line);
  if (!parsed && parsed.error().code == ErrorCode::kMalformed) {
    return feed_error(path, syntax_error_line, parsed.error().message);
  }
  if (!parsed) return make_error(parsed.error().code, path + ": " + parsed.error().message);
  if (!looks_like_osv(*parsed)) {
    return make_error(ErrorCode::kUnsupported, path + ": not an OSV advisory");
  }
  return add_osv(*parsed, path, feed);
}

}  // namespace cascade::scan::ioc
