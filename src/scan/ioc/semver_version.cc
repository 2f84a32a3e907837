// Semantic Versioning 2.0.0 precedence (https://semver.org/#spec-item-11): major, minor and patch
// numerically; a pre-release sorts before its release, its identifiers compared one by one
// (numeric ones by value and before alphanumeric ones, which compare in ASCII); build metadata
// takes no part. A leading 'v' (Go modules write one) is accepted.
#include <algorithm>
#include <vector>

#include "scan/ioc/versions.h"

namespace cascade::scan {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_identifier_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

struct Semver {
  std::string_view core[3];
  std::vector<std::string_view> prerelease;
};

// Splits `text` at '.', refusing empty parts.
bool split_dots(std::string_view text, std::vector<std::string_view>& parts) {
  while (true) {
    const auto dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    if (part.empty()) return false;
    parts.push_back(part);
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

std::optional<Semver> parse(std::string_view text) {
  if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
  if (const auto plus = text.find('+'); plus != std::string_view::npos) {
    std::vector<std::string_view> build;
    if (!split_dots(text.substr(plus + 1), build)) return std::nullopt;
    for (auto part : build) {
      for (char c : part) {
        if (!is_identifier_char(c)) return std::nullopt;
      }
    }
    text = text.substr(0, plus);
  }
  Semver version;
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    if (!split_dots(text.substr(dash + 1), version.prerelease)) return std::nullopt;
    for (auto part : version.prerelease) {
      for (char c : part) {
        if (!is_identifier_char(c)) return std::nullopt;
      }
      if (all_digits(part) && part.size() > 1 && part.front() == '0') return std::nullopt;
    }
    text = text.substr(0, dash);
  }
  std::vector<std::string_view> core;
  if (!split_dots(text, core) || core.size() != 3) return std::nullopt;
  for (std::size_t i = 0; i < 3; ++i) {
    if (!all_digits(core[i]) || (core[i].size() > 1 && core[i].front() == '0')) {
      return std::nullopt;
    }
    version.core[i] = core[i];
  }
  return version;
}

int compare_identifier(std::string_view a, std::string_view b) {
  const bool a_numeric = all_digits(a);
  const bool b_numeric = all_digits(b);
  if (a_numeric && b_numeric) return compare_decimal(a, b);
  if (a_numeric != b_numeric) return a_numeric ? -1 : 1;
  const int order = a.compare(b);
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

}  // namespace

std::optional<int> compare_semver(std::string_view a, std::string_view b) {
  const auto left = parse(a);
  const auto right = parse(b);
  if (!left || !right) return std::nullopt;
  for (std::size_t i = 0; i < 3; ++i) {
    if (const int order = compare_decimal(left->core[i], right->core[i]); order != 0) return order;
  }
  if (left->prerelease.empty() != right->prerelease.empty()) {
    return left->prerelease.empty() ? 1 : -1;
  }
  const std::size_t shared = std::min(left->prerelease.size(), right->prerelease.size());
  for (std::size_t i = 0; i < shared; ++i) {
    const int order = compare_identifier(left->prerelease[i], right->prerelease[i]);
    if (order != 0) return order;
  }
  if (left->prerelease.size() == right->prerelease.size()) return 0;
  return left->prerelease.size() < right->prerelease.size() ? -1 : 1;
}

}  // namespace cascade::scan
