#include "report/printable_text.h"

#include <cstdio>
#include <optional>

namespace cascade::report {
namespace {

// One code point at `i`, or nullopt for a byte that does not start a valid UTF-8 sequence
// (overlong forms, surrogates and values past U+10FFFF included); `i` always advances.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    ++i;
    return std::nullopt;
  }
  if (i + length > text.size()) {
    ++i;
    return std::nullopt;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return std::nullopt;
    }
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    ++i;
    return std::nullopt;
  }
  i += length;
  return value;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool is_invisible_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

}  // namespace

std::string printable(std::string_view raw, std::size_t max_code_points) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (max_code_points != 0 && count + 1 == max_code_points && i < raw.size()) {
      // One slot left: the ellipsis takes it unless this is the final code point.
      std::size_t probe = i;
      (void)next_code_point(raw, probe);
      if (probe < raw.size()) {
        out += "\u2026";
        return out;
      }
    }
    const std::size_t start = i;
    const std::optional<char32_t> c = next_code_point(raw, i);
    ++count;
    if (!c) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned char>(raw[start]));
      out += escape;
    } else if (is_invisible_control(*c)) {
      char escape[16];
      if (*c < 0x80) {
        std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned>(*c));
      } else {
        std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(*c));
      }
      out += escape;
    } else {
      append_utf8(out, *c);
    }
  }
  return out;
}

// Inside a DOT double-quoted string only '"' and '\' are special; escaping every backslash also
// defuses Graphviz's label escapes (\N, \G, \l ...) that would otherwise expand.
std::string dot_escape(std::string_view printable_text) {
  std::string out;
  out.reserve(printable_text.size());
  for (const char c : printable_text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string html_escape(std::string_view printable_text) {
  std::string out;
  out.reserve(printable_text.size());
  for (const char c : printable_text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html(std::string_view raw) {
  return html_escape(printable(raw));
}

}  // namespace cascade::report
