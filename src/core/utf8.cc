#include "core/utf8.h"

#include <algorithm>

namespace cascade {

std::optional<char32_t> decode_utf8(std::string_view text, std::size_t& i) {
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

std::string utf16le_to_utf8(Bytes bytes) {
  std::string out;
  ByteReader r(bytes);
  while (auto unit = r.u16le()) {
    char32_t cp = *unit;
    if (cp == 0) break;
    if (cp >= 0xd800 && cp < 0xdc00) {
      auto low = r.u16le();
      cp = (!low || *low < 0xdc00 || *low >= 0xe000)
               ? 0xfffd
               : 0x10000 + ((cp - 0xd800) << 10) + (*low - 0xdc00);
    } else if (cp >= 0xdc00 && cp < 0xe000) {
      cp = 0xfffd;
    }
    append_utf8(out, cp);
  }
  return out;
}

namespace {
constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// ASCII is its own lossless form both ways: nearly every name is, and is copied as it is.
bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

std::string lossless_utf8(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (is_ascii(raw)) return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t start = i;
    const std::optional<char32_t> c = decode_utf8(raw, i);
    if (!c) {
      const auto byte = static_cast<unsigned char>(raw[start]);
      out += kReplacementUtf8;
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else if (*c == kReplacement) {
      out += kReplacementUtf8;
      out += 'u';
    } else {
      out.append(raw.substr(start, i - start));
    }
  }
  return out;
}

std::optional<std::string> from_lossless_utf8(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  const auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    const std::optional<char32_t> c = decode_utf8(text, i);
    if (!c) return std::nullopt;
    if (*c != kReplacement) {
      out.append(text.substr(start, i - start));
      continue;
    }
    if (i < text.size() && text[i] == 'u') {
      out += kReplacementUtf8;
      i += 1;
      continue;
    }
    if (i + 2 > text.size()) return std::nullopt;
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  // One form per name: an escape of a byte that is valid where it stands is not that form.
  if (lossless_utf8(out) != text) return std::nullopt;
  return out;
}

}  // namespace cascade
