// Issuer names written by people (copied from a certificate dialog, openssl x509 -issuer, a
// vendor report) against the RFC 2253 form cascade reports: compared component by component,
// so order, spacing, case, quoting and escaping do not decide a match.
#include <algorithm>
#include <cctype>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

bool space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Lower case, escapes and quotes dropped, runs of spaces made one, trimmed.
std::string normalized_text(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (char c : s) {
    if (c == '\\' || c == '"') continue;
    if (space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string normalized_key(std::string_view key) {
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"s", "st"}, {"e", "emailaddress"}, {"email", "emailaddress"}};
  std::string k = normalized_text(key);
  for (const auto& [alias, name] : kAliases) {
    if (k == alias) return std::string(name);
  }
  return k;
}

// Whether `rest` starts a new "KEY=" component; a separator inside a value ("GoDaddy.com, Inc.")
// is followed by none.
bool starts_component(std::string_view rest) {
  std::size_t i = 0;
  while (i < rest.size() && space(rest[i])) ++i;
  std::size_t k = i;
  while (k < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[k])) || rest[k] == '.' ||
                             rest[k] == '-' || rest[k] == '_')) {
    ++k;
  }
  if (k == i) return false;
  while (k < rest.size() && space(rest[k])) ++k;
  return k < rest.size() && rest[k] == '=';
}

// "key=value" components, or nullopt when some part has no '='.
std::optional<std::vector<std::string>> components(std::string_view name) {
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' && i + 1 < name.size()) {
      current += name[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == ',' || c == ';' || c == '/' || c == '+') &&
               starts_component(name.substr(i + 1))) {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(std::move(current));
  std::vector<std::string> out;
  for (const auto& part : parts) {
    if (trim(part).empty()) continue;  // before the leading '/' of "/C=US/O=..."
    const auto eq = part.find('=');
    if (eq == std::string::npos) return std::nullopt;
    out.push_back(normalized_key(std::string_view(part).substr(0, eq)) + "=" +
                  normalized_text(std::string_view(part).substr(eq + 1)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

IssuerPattern parse_issuer(std::string_view issuer) {
  IssuerPattern pattern;
  issuer = trim(issuer);
  if (issuer.empty()) return pattern;
  if (issuer.find('=') != std::string_view::npos) {
    if (auto parts = components(issuer); parts && !parts->empty()) {
      pattern.components = std::move(*parts);
      return pattern;
    }
  }
  pattern.text = normalized_text(issuer);
  return pattern;
}

bool issuer_matches(const IssuerPattern& pattern, std::string_view certificate_issuer) {
  if (pattern.any()) return true;
  if (pattern.components.empty()) {
    return normalized_text(certificate_issuer).find(pattern.text) != std::string::npos;
  }
  const auto have = components(certificate_issuer);
  if (!have) return false;
  return std::includes(have->begin(), have->end(), pattern.components.begin(),
                       pattern.components.end());
}

}  // namespace cascade::scan::ioc
