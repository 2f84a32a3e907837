// Debian version comparison as dpkg does it (deb-version(7), lib/dpkg/version.c):
// [epoch:]upstream[-revision]; the epoch compares as a number, then upstream and revision each
// alternate runs of non-digits (compared character by character, letters before other
// characters, '~' before anything, even the end) and runs of digits (compared by value).
#include "scan/ioc/versions.h"

namespace cascade::scan {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

struct DebianVersion {
  std::string_view epoch = "0";
  std::string_view upstream;
  std::string_view revision;
};

std::optional<DebianVersion> parse(std::string_view text) {
  DebianVersion version;
  if (text.empty()) return std::nullopt;
  if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    version.epoch = text.substr(0, colon);
    if (version.epoch.empty() || version.epoch.size() > 10) return std::nullopt;
    for (char c : version.epoch) {
      if (!is_digit(c)) return std::nullopt;
    }
    text.remove_prefix(colon + 1);
  }
  if (const auto dash = text.rfind('-'); dash != std::string_view::npos) {
    version.revision = text.substr(dash + 1);
    if (version.revision.empty()) return std::nullopt;
    text = text.substr(0, dash);
  }
  version.upstream = text;
  // dpkg refuses an empty version and one that does not start with a digit.
  if (text.empty() || !is_digit(text.front())) return std::nullopt;
  for (char c : version.upstream) {
    if (!is_digit(c) && !is_alpha(c) && c != '.' && c != '+' && c != '-' && c != '~' && c != ':') {
      return std::nullopt;
    }
  }
  for (char c : version.revision) {
    if (!is_digit(c) && !is_alpha(c) && c != '.' && c != '+' && c != '~') return std::nullopt;
  }
  return version;
}

// dpkg's order(): the weight of one character in a non-digit run; 0 for the end of the run.
int weight(std::string_view s, std::size_t i) {
  if (i >= s.size() || is_digit(s[i])) return 0;
  const char c = s[i];
  if (is_alpha(c)) return c;
  if (c == '~') return -1;
  return static_cast<unsigned char>(c) + 256;
}

int sign(int value) {
  return value < 0 ? -1 : (value > 0 ? 1 : 0);
}

// dpkg's verrevcmp().
int compare_part(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      const int wa = weight(a, i);
      const int wb = weight(b, j);
      if (wa != wb) return sign(wa - wb);
      if (i < a.size()) ++i;
      if (j < b.size()) ++j;
    }
    const std::size_t a_start = i;
    const std::size_t b_start = j;
    while (i < a.size() && is_digit(a[i])) ++i;
    while (j < b.size() && is_digit(b[j])) ++j;
    const std::string_view a_digits = a.substr(a_start, i - a_start);
    const std::string_view b_digits = b.substr(b_start, j - b_start);
    const int order =
        compare_decimal(a_digits.empty() ? "0" : a_digits, b_digits.empty() ? "0" : b_digits);
    if (order != 0) return order;
  }
  return 0;
}

}  // namespace

std::optional<int> compare_debian_versions(std::string_view a, std::string_view b) {
  const auto left = parse(a);
  const auto right = parse(b);
  if (!left || !right) return std::nullopt;
  if (const int order = compare_decimal(left->epoch, right->epoch); order != 0) return order;
  if (const int order = compare_part(left->upstream, right->upstream); order != 0) return order;
  return compare_part(left->revision, right->revision);
}

}  // namespace cascade::scan
