// Plain hash lists: one MD5/SHA-1/SHA-256 per line, optionally followed by a name (sha256sum
// output works: its "*" binary-mode marker is dropped). '#' starts a comment line.
//
// This is the format of multi-million-entry feeds, so it is read with one hand loop over the
// buffer: memchr for line ends and a table lookup per hex digit, decoding straight into the
// digest table, with no per-line allocation.
#include <array>
#include <cstring>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

constexpr std::array<std::int8_t, 256> make_hex_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c)
    t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
  }
  for (int c = 'A'; c <= 'F'; ++c) {
    t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
  }
  return t;
}
constexpr auto kHex = make_hex_table();

inline int hex_at(const char* p) {
  return kHex[static_cast<unsigned char>(*p)];
}

inline bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

Result<Feed> parse_hash_list(std::string_view text, const std::string& path) {
  Feed feed;
  feed.format = FeedFormat::kHashList;
  // A bare SHA-256 line is 65 bytes; reserving for that avoids regrowing a 300 MB table (and
  // costs nothing when the guess is high: untouched pages are never backed).
  (void)feed.sha256.reserve(text.size() / 65 + 1);
  const char* p = text.data();
  const char* const end = p + text.size();
  std::size_t line_no = 0;
  while (p < end) {
    ++line_no;
    const char* eol =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (eol == nullptr) eol = end;
    const char* q = p;
    p = eol == end ? end : eol + 1;
    while (q < eol && blank(*q)) ++q;
    if (q == eol) continue;
    if (*q == '#') {
      if (feed.name.empty()) {
        feed.name =
            feed_name_directive(std::string_view(q + 1, static_cast<std::size_t>(eol - q - 1)));
      }
      continue;
    }
    const char* h = q;
    while (q < eol && hex_at(q) >= 0) ++q;
    const auto digits = static_cast<std::size_t>(q - h);
    const auto kind = kind_for_length(digits);
    if (!kind || (q < eol && !blank(*q))) {
      const char* word_end = q;
      while (word_end < eol && !blank(*word_end)) ++word_end;
      return feed_error(path, line_no,
                        "expected an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits), found " +
                            shown(std::string_view(h, static_cast<std::size_t>(word_end - h))));
    }
    // The name: the rest of the line, trimmed.
    while (q < eol && blank(*q)) ++q;
    if (q < eol && *q == '*') ++q;
    const char* name_end = eol;
    while (name_end > q && blank(name_end[-1])) --name_end;
    const std::uint32_t label =
        feed.labels.intern(std::string_view(q, static_cast<std::size_t>(name_end - q)));
    DigestTable& table = feed.table(*kind);
    if (table.appended() + 1 >= kMaxIndicators) {
      return make_error(ErrorCode::kLimit, path + ": too many indicators");
    }
    std::uint8_t* out = table.append(label);
    if (out == nullptr) return make_error(ErrorCode::kLimit, path + ": out of memory");
    for (std::size_t i = 0; i < digits / 2; ++i) {
      out[i] = static_cast<std::uint8_t>((hex_at(h + 2 * i) << 4) | hex_at(h + 2 * i + 1));
    }
  }
  if (!feed.finish()) return make_error(ErrorCode::kLimit, path + ": out of memory");
  return feed;
}

}  // namespace cascade::scan::ioc
