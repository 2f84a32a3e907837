// Signer block-lists, line format:
//
//   # cascade signer-list              (the first non-blank line; it identifies the format)
//   thumbprint HEX [| LABEL]           SHA-1 or SHA-256 of the DER certificate; spaces and ':'
//                                      between the digits are allowed (as Windows shows them)
//   serial HEX [ISSUER] [| LABEL]      serial number (one word; ':' and '-' separators, 0x and
//                                      leading zeros allowed); ISSUER, when given, must match
//                                      the certificate's issuer (see IssuerPattern)
//
// Keywords are case-insensitive; '#' starts a comment line; "# feed: NAME" names the feed.
#include <cctype>

#include "scan/ioc/feed_internal.h"

namespace cascade::scan::ioc {

namespace {

bool keyword(std::string_view word, std::string_view expected) {
  if (word.size() != expected.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(word[i])) != expected[i]) return false;
  }
  return true;
}

std::optional<std::string> parse_entry(Feed& feed, std::string_view line) {
  std::string_view label;
  if (const auto bar = line.find('|'); bar != std::string_view::npos) {
    label = trim(line.substr(bar + 1));
    line = trim(line.substr(0, bar));
  }
  const auto space = line.find_first_of(" \t");
  const std::string_view word = line.substr(0, space);
  const std::string_view rest =
      space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
  const std::uint32_t label_id = feed.labels.intern(label);
  if (keyword(word, "thumbprint")) {
    if (rest.empty()) return std::string("'thumbprint' needs a SHA-1 or SHA-256 in hex");
    return add_thumbprint(feed, rest, label_id);
  }
  if (keyword(word, "serial")) {
    if (rest.empty()) return std::string("'serial' needs a serial number in hex");
    const auto serial_end = rest.find_first_of(" \t");
    const std::string_view serial = rest.substr(0, serial_end);
    const std::string_view issuer =
        serial_end == std::string_view::npos ? std::string_view() : trim(rest.substr(serial_end));
    return add_serial(feed, serial, issuer, label_id);
  }
  return "expected 'thumbprint HEX' or 'serial HEX [ISSUER]', found " + shown(line);
}

}  // namespace

Result<Feed> parse_signer_list(std::string_view text, const std::string& path) {
  Feed feed;
  feed.format = FeedFormat::kSignerList;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      if (feed.name.empty()) feed.name = feed_name_directive(line.substr(1));
      continue;
    }
    if (auto problem = parse_entry(feed, line)) return feed_error(path, line_no, *problem);
  }
  if (!feed.finish()) return make_error(ErrorCode::kLimit, path + ": out of memory");
  return feed;
}

}  // namespace cascade::scan::ioc
