// Helpers shared by the feed readers, and format detection.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode_hex(std::string_view hex, std::uint8_t* out, std::size_t out_len) {
  if (hex.size() != out_len * 2) return false;
  for (std::size_t i = 0; i < out_len; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

std::optional<HashKind> kind_for_length(std::size_t hex_digits) {
  switch (hex_digits) {
    case 32:
      return HashKind::kMd5;
    case 40:
      return HashKind::kSha1;
    case 64:
      return HashKind::kSha256;
    default:
      return std::nullopt;
  }
}

std::string_view kind_name(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5:
      return "MD5";
    case HashKind::kSha1:
      return "SHA-1";
    case HashKind::kSha256:
      break;
  }
  return "SHA-256";
}

std::size_t kind_width(HashKind kind) {
  switch (kind) {
    case HashKind::kMd5:
      return 16;
    case HashKind::kSha1:
      return 20;
    case HashKind::kSha256:
      break;
  }
  return 32;
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string shown(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

Error feed_error(const std::string& path, std::size_t line, const std::string& message) {
  return make_error(ErrorCode::kMalformed, path + ":" + std::to_string(line) + ": " + message);
}

std::optional<std::string> add_hash(Feed& feed, std::string_view hex,
                                    std::optional<HashKind> expected, std::uint32_t label) {
  const auto kind = kind_for_length(hex.size());
  if (expected && kind != expected) {
    return shown(hex) + " is not a " + std::string(kind_name(*expected)) + " (" +
           std::to_string(kind_width(*expected) * 2) + " hex digits)";
  }
  if (!kind) return shown(hex) + " is not an MD5, SHA-1 or SHA-256 (32, 40 or 64 hex digits)";
  DigestTable& table = feed.table(*kind);
  if (table.appended() + 1 >= kMaxIndicators) return std::string("too many indicators");
  std::uint8_t* out = table.append(label);
  if (out == nullptr) return std::string("out of memory");
  if (!decode_hex(hex, out, table.width())) {
    table.drop_last();
    return shown(hex) + " is not hexadecimal";
  }
  return std::nullopt;
}

std::optional<std::string> normalize_serial(std::string_view serial) {
  serial = trim(serial);
  if (serial.size() > 2 && serial[0] == '0' && (serial[1] == 'x' || serial[1] == 'X')) {
    serial.remove_prefix(2);
  }
  std::string out;
  for (char c : serial) {
    if (c == ':' || c == '-' || c == ' ' || c == '\t') continue;
    if (hex_value(c) < 0) return std::nullopt;
    if (out.empty() && c == '0') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // Certificate serials are at most 20 octets (RFC 5280); allow for non-conforming ones.
  if (out.size() > 128) return std::nullopt;
  if (out.empty()) {
    // All zeros is a (bad but real) serial; nothing at all is not.
    if (serial.find('0') == std::string_view::npos) return std::nullopt;
    out = "0";
  }
  return out;
}

std::optional<std::string> add_thumbprint(Feed& feed, std::string_view hex, std::uint32_t label) {
  std::string digits;
  for (char c : hex) {
    if (c == ':' || c == ' ' || c == '\t') continue;
    digits += c;
  }
  DigestTable* table = digits.size() == 40   ? &feed.cert_sha1
                       : digits.size() == 64 ? &feed.cert_sha256
                                             : nullptr;
  if (table == nullptr) {
    return "thumbprint " + shown(hex) + " is not a SHA-1 or SHA-256 (40 or 64 hex digits)";
  }
  if (table->appended() + 1 >= kMaxIndicators) return std::string("too many indicators");
  std::uint8_t* out = table->append(label);
  if (out == nullptr) return std::string("out of memory");
  if (!decode_hex(digits, out, table->width())) {
    table->drop_last();
    return "thumbprint " + shown(hex) + " is not hexadecimal";
  }
  return std::nullopt;
}

std::optional<std::string> add_serial(Feed& feed, std::string_view serial, std::string_view issuer,
                                      std::uint32_t label) {
  const auto key = normalize_serial(serial);
  if (!key) return "serial " + shown(serial) + " is not a hexadecimal serial number";
  auto& entries = feed.serials[*key];
  IssuerPattern pattern = parse_issuer(issuer);
  for (const auto& e : entries) {
    if (e.pattern == pattern) return std::nullopt;  // a duplicate: the first one wins
  }
  entries.push_back(SerialEntry{std::string(trim(issuer)), std::move(pattern), label});
  return std::nullopt;
}

std::string_view feed_name_directive(std::string_view comment) {
  comment = trim(comment);
  constexpr std::string_view kKey = "feed:";
  if (comment.size() <= kKey.size()) return {};
  for (std::size_t i = 0; i < kKey.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(comment[i])) != kKey[i]) return {};
  }
  return trim(comment.substr(kKey.size()));
}

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether a line starts with a digest: 32, 40 or 64 hex digits, then whitespace or the end.
bool starts_with_digest(std::string_view line) {
  line = trim(line);
  std::size_t n = 0;
  while (n < line.size() && hex_value(line[n]) >= 0) ++n;
  if (!kind_for_length(n)) return false;
  return n == line.size() || is_space(line[n]);
}

}  // namespace

Result<Feed> parse_feed(Bytes data, const std::string& path) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const auto undetectable = [&](const std::string& why) {
    return make_error(ErrorCode::kUnsupported,
                      path + ": not an indicator feed (" + why +
                          "); expected a hash list, a CSV with a hash column, a STIX 2.1 "
                          "bundle or a '# cascade signer-list'");
  };
  if (text.empty()) return undetectable("empty");
  // Text feeds hold no NUL; a binary file given by mistake stops here.
  if (std::memchr(text.data(), 0, std::min<std::size_t>(text.size(), 4096)) != nullptr) {
    return undetectable("binary content");
  }
  std::size_t first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  if (first == text.size()) return undetectable("empty");
  if (text[first] == '{' || text[first] == '[') return parse_stix(text, path);

  // The first non-blank line may declare a signer list; otherwise the first line that is not a
  // comment decides between a bare list of digests and a CSV header.
  std::size_t pos = 0;
  std::size_t line_no = 0;
  bool first_line = true;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (first_line && line.front() == '#' && iequals(trim(line.substr(1)), "cascade signer-list")) {
      return parse_signer_list(text, path);
    }
    first_line = false;
    if (line.front() == '#') continue;
    if (starts_with_digest(line)) return parse_hash_list(text, path);
    return parse_csv_feed(text, path);  // it reports a header that names no hash column
  }
  return undetectable("only comments");
}

}  // namespace cascade::scan::ioc
