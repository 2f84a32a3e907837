#include "graph/pg_text.h"

#include <charconv>

#include "core/utf8.h"

namespace cascade::graph::pg {
namespace {

// PostgreSQL text is UTF-8 without NUL bytes, where SQLite stores any bytes: the length of the
// valid sequence at text[i], or 0 for NUL or a byte that starts none.
std::size_t server_sequence_length(std::string_view text, std::size_t i) {
  std::size_t next = i;
  const std::optional<char32_t> c = decode_utf8(text, next);
  return c && *c != 0 ? next - i : 0;
}

bool is_plain_ascii(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte != 0 && byte < 0x80;
}

}  // namespace

std::string_view server_text(std::string_view text, std::string& scratch) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Keys and names are nearly all ASCII: checking those bytes without decoding halves the
    // client's work per stored node.
    if (is_plain_ascii(text[i])) {
      ++i;
      continue;
    }
    const std::size_t length = server_sequence_length(text, i);
    if (length == 0) break;
    i += length;
  }
  if (i == text.size()) return text;
  scratch.assign(text.substr(0, i));
  while (i < text.size()) {
    const std::size_t length = server_sequence_length(text, i);
    if (length == 0) {
      scratch += "\xEF\xBF\xBD";
      ++i;
    } else {
      scratch.append(text.substr(i, length));
      i += length;
    }
  }
  return scratch;
}

void append_int(std::string& out, std::int64_t value) {
  std::array<char, 24> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), end);
}

void append_copy_text(std::string& out, std::string_view text) {
  std::string scratch;
  for (const char c : server_text(text, scratch)) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void append_array_text(std::string& out, std::string_view text) {
  std::string scratch;
  out += '"';
  for (const char c : server_text(text, scratch)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_copy_optional(std::string& out, const std::optional<std::int64_t>& value) {
  if (value) {
    append_int(out, *value);
  } else {
    out += "\\N";
  }
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace cascade::graph::pg
