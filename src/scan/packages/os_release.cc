// os-release(5): the `ID` of the system a tree holds, which names the vendor in the purls of
// the tree's dpkg packages (pkg:deb/ubuntu/... on Ubuntu). Shell-style KEY=VALUE lines; the ID
// is a lower-case word, optionally quoted.
#include <algorithm>
#include <string>
#include <string_view>

#include "scan/packages/manifest_text.h"
#include "scan/packages/recognisers.h"

namespace cascade::scan {

namespace {

constexpr std::size_t kMaxIdLength = 64;

std::string_view unquoted(std::string_view value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

// os-release(5): "A lower-case string (no spaces or other characters outside of 0-9, a-z, '.',
// '_' and '-')".
bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

void read_os_release(ManifestReading& reading) {
  std::optional<std::string_view> root = prefix_before(reading.path(), "etc/os-release");
  const bool from_etc = root.has_value();
  if (!root) root = prefix_before(reading.path(), "usr/lib/os-release");
  if (!root) return;
  std::optional<std::string_view> id;
  manifest_text::Lines lines(reading.text());
  bool complete = true;
  while (auto line = lines.next(&complete)) {
    if (!complete) break;
    const std::string_view text = manifest_text::trimmed(*line);
    if (!text.starts_with("ID=")) continue;
    if (id) return;  // two IDs: no answer rather than a guess
    id = unquoted(text.substr(3));
  }
  if (!id || !valid_id(*id)) return;
  reading.facts().os_release =
      OsReleaseId{.tree_root = std::string(*root), .id = std::string(*id), .from_etc = from_etc};
}

}  // namespace cascade::scan
