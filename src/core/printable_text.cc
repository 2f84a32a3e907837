#include "core/printable_text.h"

#include <cstdio>
#include <optional>

#include "core/utf8.h"

namespace cascade {
namespace {

// Controls (C0, DEL, C1: ESC sequences, CR/LF), line and paragraph separators, and the
// invisible format characters that reorder, join or hide text: bidi embeddings, overrides,
// isolates and marks, zero-width characters, word joiners and invisible operators, the byte
// order mark, interlinear annotations, the Mongolian vowel separator, the soft hyphen and the
// tag characters. A name holding any of them looks like some other name.
bool is_invisible_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == 0xAD || c == 0x061C ||
         c == 0x180E || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFB) ||
         (c >= 0xE0000 && c <= 0xE007F);
}

}  // namespace

std::string printable(std::string_view raw, std::size_t max_code_points) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (max_code_points != 0 && count + 1 == max_code_points && i < raw.size()) {
      // One slot left: the ellipsis takes it unless this is the final code point.
      std::size_t probe = i;
      (void)decode_utf8(raw, probe);
      if (probe < raw.size()) {
        out += "\u2026";
        return out;
      }
    }
    const std::size_t start = i;
    const std::optional<char32_t> c = decode_utf8(raw, i);
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

}  // namespace cascade
