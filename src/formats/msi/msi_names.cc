// MSI stream names and the name columns of the File and Directory tables.
#include <algorithm>

#include "core/utf8.h"
#include "formats/msi/msi_internal.h"

namespace cascade::msi {

namespace {

constexpr char16_t kTableMarker = 0x4840;
constexpr char16_t kPairBase = 0x3800;
constexpr char16_t kSingleBase = 0x4800;

char base64_char(unsigned v) {
  if (v < 10) return static_cast<char>('0' + v);
  if (v < 36) return static_cast<char>('A' + v - 10);
  if (v < 62) return static_cast<char>('a' + v - 36);
  return v == 62 ? '.' : '_';
}

}  // namespace

StreamName decode_stream_name(const std::u16string& raw) {
  StreamName out;
  std::size_t i = 0;
  if (!raw.empty() && raw[0] == kTableMarker) {
    out.table = true;
    i = 1;
  }
  for (; i < raw.size(); ++i) {
    const char16_t c = raw[i];
    if (c >= kPairBase && c < kSingleBase) {
      const unsigned v = c - kPairBase;
      out.name += base64_char(v & 0x3f);
      out.name += base64_char((v >> 6) & 0x3f);
    } else if (c >= kSingleBase && c < kTableMarker) {
      out.name += base64_char(c - kSingleBase);
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < raw.size()) {
      // A surrogate pair (the OLE reader has already rejected unpaired ones).
      append_utf8(out.name, 0x10000 + ((char32_t{c} - 0xd800) << 10) + (raw[i + 1] - 0xdc00));
      ++i;
    } else {
      append_utf8(out.name, c);
    }
  }
  return out;
}

std::string display_name(const StreamName& n) {
  return n.table ? "!" + n.name : n.name;
}

std::string long_name(std::string_view value, bool directory) {
  if (directory) value = value.substr(0, value.find(':'));
  const auto bar = value.find('|');
  return std::string(bar == std::string_view::npos ? value : value.substr(bar + 1));
}

std::optional<std::uint32_t> root_stream(const OleDirectory& dir, std::u16string_view name) {
  for (std::uint32_t child : dir.entries[0].children) {
    const OleEntry& e = dir.entries[child];
    if (e.type == kOleStream && e.name == name) return child;
  }
  return std::nullopt;
}

}  // namespace cascade::msi
