// Line-oriented reading shared by the text manifests (dpkg's deb822 stanzas, Python's RFC 822
// metadata headers, os-release): slices of the file's bytes, never copies of whole lines.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/byte_reader.h"

namespace cascade::scan::manifest_text {

// The bytes as text, for slicing only: every read below stays within them.
std::string_view as_text(Bytes data);

// Lines of a text, with "\n" or "\r\n" endings removed.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  // The next line; nullopt at the end. `complete` is false for a last line with no newline
  // (a file cut short there).
  std::optional<std::string_view> next(bool* complete = nullptr);

 private:
  std::string_view rest_;
};

// Without leading and trailing spaces and tabs.
std::string_view trimmed(std::string_view text);

bool is_blank(std::string_view line);
// A line that continues the field above it (RFC 822 folding, deb822 multi-line fields).
bool is_continuation(std::string_view line);

// ASCII case-insensitive equality, for field names.
bool same_name(std::string_view a, std::string_view b);

// A name, version or architecture as package managers write them: non-empty, at most
// `max_length` bytes, each a printable ASCII character other than space. Anything else
// (control bytes, non-UTF-8, whitespace) is no package record.
bool plausible_token(std::string_view text, std::size_t max_length);

// The "Name: value" split of a header line; nullopt for a line with no colon or no name.
struct Field {
  std::string_view name;
  std::string_view value;  // trimmed
};
std::optional<Field> header_field(std::string_view line);

}  // namespace cascade::scan::manifest_text
