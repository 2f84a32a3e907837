// Parsing follows the purl specification's own algorithm: split off the subpath at the last
// '#', the qualifiers at the last '?', the scheme at the first ':', the type at the first '/',
// the version at the last '@' after the last '/', the name at the last '/'.
#include "core/purl.h"

#include <algorithm>
#include <array>

namespace cascade {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes one component; control characters (decoded or not) refuse the purl, since a
// purl is printed and stored as a key.
Result<std::string> decoded(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return make_error(ErrorCode::kMalformed,
                          "purl " + std::string(what) + ": '%' is not followed by two hex digits");
      }
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return make_error(ErrorCode::kMalformed,
                        "purl " + std::string(what) + " holds a control character");
    }
    out.push_back(c);
  }
  return out;
}

bool unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == ':';
}

void append_encoded(std::string& out, std::string_view text) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  for (char c : text) {
    if (unreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4U]);
      out.push_back(kHex[byte & 0xFU]);
    }
  }
}

// Splits `text` on '/', drops empty segments, decodes each; with `drop_dots`, "." and ".."
// segments go too (the spec's rule for subpaths).
Result<std::vector<std::string>> segments(std::string_view text, std::string_view what,
                                          bool drop_dots) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('/', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    if (raw.empty()) continue;
    auto segment = decoded(raw, what);
    if (!segment) return segment.error();
    if (drop_dots && (*segment == "." || *segment == "..")) continue;
    if (segment->empty()) continue;
    out.push_back(std::move(segment).value());
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out.push_back('/');
    out += part;
  }
  return out;
}

bool valid_type(std::string_view type) {
  if (type.empty() || (type.front() >= '0' && type.front() <= '9')) return false;
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-';
  });
}

// The case and spelling rules the spec gives per type, for the types cascade meets.
void apply_type_rules(PackageUrl& purl) {
  static constexpr std::array<std::string_view, 7> kCaseInsensitive = {
      "npm", "pypi", "deb", "apk", "github", "bitbucket", "composer"};
  if (std::find(kCaseInsensitive.begin(), kCaseInsensitive.end(), purl.type) !=
      kCaseInsensitive.end()) {
    purl.namespace_ = lowered(purl.namespace_);
    purl.name = lowered(purl.name);
  }
  if (purl.type == "pypi") std::replace(purl.name.begin(), purl.name.end(), '_', '-');
}

Status check(const PackageUrl& purl) {
  if (!valid_type(purl.type)) {
    return make_error(ErrorCode::kMalformed,
                      "purl type must be letters, digits, '.', '+' or '-', not starting with a "
                      "digit");
  }
  if (purl.name.empty()) return make_error(ErrorCode::kMalformed, "purl without a name");
  if (format_purl(purl).size() > kMaxPurlLength) {
    return make_error(ErrorCode::kLimit,
                      "purl longer than " + std::to_string(kMaxPurlLength) + " bytes");
  }
  return ok_status();
}

Status parse_qualifiers(std::string_view text, PackageUrl& purl) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('&', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return make_error(ErrorCode::kMalformed, "purl qualifier without key=value");
    }
    std::string key = lowered(pair.substr(0, equals));
    const bool key_ok = std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    });
    if (!key_ok) return make_error(ErrorCode::kMalformed, "purl qualifier key is not a name");
    auto value = decoded(pair.substr(equals + 1), "qualifier");
    if (!value) return value.error();
    if (value->empty()) continue;
    const bool repeated = std::any_of(purl.qualifiers.begin(), purl.qualifiers.end(),
                                      [&](const auto& q) { return q.first == key; });
    if (repeated) {
      // Two values for one key would be read two ways: refused, as JSON with repeated keys is.
      return make_error(ErrorCode::kAmbiguous, "purl qualifier '" + key + "' is repeated");
    }
    purl.qualifiers.emplace_back(std::move(key), std::move(value).value());
  }
  std::sort(purl.qualifiers.begin(), purl.qualifiers.end());
  return ok_status();
}

}  // namespace

Result<PackageUrl> parse_purl(std::string_view text) {
  // Encoding can only lengthen a decoded component by a factor of three: a text much longer
  // than the cap cannot come back under it.
  if (text.size() > 3 * kMaxPurlLength) {
    return make_error(ErrorCode::kLimit,
                      "purl longer than " + std::to_string(kMaxPurlLength) + " bytes");
  }
  PackageUrl purl;
  std::string_view rest = text;
  if (const std::size_t hash = rest.rfind('#'); hash != std::string_view::npos) {
    auto parts = segments(rest.substr(hash + 1), "subpath", /*drop_dots=*/true);
    if (!parts) return parts.error();
    purl.subpath = joined(*parts);
    rest = rest.substr(0, hash);
  }
  if (const std::size_t question = rest.rfind('?'); question != std::string_view::npos) {
    if (auto status = parse_qualifiers(rest.substr(question + 1), purl); !status) {
      return status.error();
    }
    rest = rest.substr(0, question);
  }
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || lowered(rest.substr(0, colon)) != "pkg") {
    return make_error(ErrorCode::kMalformed, "not a purl: no 'pkg:' scheme");
  }
  rest = rest.substr(colon + 1);
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return make_error(ErrorCode::kMalformed, "purl without type/name");
  }
  purl.type = lowered(rest.substr(0, slash));
  rest = rest.substr(slash + 1);
  const std::size_t at = rest.rfind('@');
  const std::size_t last_slash = rest.rfind('/');
  if (at != std::string_view::npos && (last_slash == std::string_view::npos || at > last_slash)) {
    auto version = decoded(rest.substr(at + 1), "version");
    if (!version) return version.error();
    purl.version = std::move(version).value();
    rest = rest.substr(0, at);
  }
  auto parts = segments(rest, "name", /*drop_dots=*/false);
  if (!parts) return parts.error();
  if (parts->empty()) return make_error(ErrorCode::kMalformed, "purl without a name");
  purl.name = std::move(parts->back());
  parts->pop_back();
  purl.namespace_ = joined(*parts);
  apply_type_rules(purl);
  if (auto status = check(purl); !status) return status.error();
  return purl;
}

Result<PackageUrl> make_purl(std::string_view type, std::string_view namespace_,
                             std::string_view name, std::string_view version) {
  PackageUrl purl;
  purl.type = lowered(type);
  std::string_view bare_name = name;
  if (namespace_.empty() && !name.empty() && name.front() == '@') {
    // npm states a scoped package as "@scope/name"; the scope is the purl's namespace.
    if (const std::size_t slash = name.find('/'); slash != std::string_view::npos) {
      namespace_ = name.substr(0, slash);
      bare_name = name.substr(slash + 1);
    }
  }
  for (const std::string_view part : {namespace_, bare_name, version}) {
    if (std::any_of(part.begin(), part.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      return make_error(ErrorCode::kMalformed, "package name or version holds a control character");
    }
  }
  auto parts = segments(namespace_, "namespace", /*drop_dots=*/false);
  if (!parts) return parts.error();
  purl.namespace_ = joined(*parts);
  purl.name = std::string(bare_name);
  purl.version = std::string(version);
  apply_type_rules(purl);
  if (auto status = check(purl); !status) return status.error();
  return purl;
}

std::string format_purl_package(const PackageUrl& purl) {
  std::string out = "pkg:" + purl.type + "/";
  if (!purl.namespace_.empty()) {
    std::size_t pos = 0;
    while (pos <= purl.namespace_.size()) {
      std::size_t end = purl.namespace_.find('/', pos);
      if (end == std::string::npos) end = purl.namespace_.size();
      append_encoded(out, std::string_view(purl.namespace_).substr(pos, end - pos));
      out.push_back('/');
      pos = end + 1;
    }
  }
  append_encoded(out, purl.name);
  return out;
}

std::string format_purl(const PackageUrl& purl) {
  std::string out = format_purl_package(purl);
  if (!purl.version.empty()) {
    out.push_back('@');
    append_encoded(out, purl.version);
  }
  char separator = '?';
  for (const auto& [key, value] : purl.qualifiers) {
    out.push_back(separator);
    separator = '&';
    out += key;
    out.push_back('=');
    append_encoded(out, value);
  }
  if (!purl.subpath.empty()) {
    out.push_back('#');
    std::size_t pos = 0;
    bool first = true;
    while (pos <= purl.subpath.size()) {
      std::size_t end = purl.subpath.find('/', pos);
      if (end == std::string::npos) end = purl.subpath.size();
      if (!first) out.push_back('/');
      first = false;
      append_encoded(out, std::string_view(purl.subpath).substr(pos, end - pos));
      pos = end + 1;
    }
  }
  return out;
}

Result<std::string> normalise_purl(std::string_view text) {
  auto purl = parse_purl(text);
  if (!purl) return purl.error();
  return format_purl(*purl);
}

}  // namespace cascade
