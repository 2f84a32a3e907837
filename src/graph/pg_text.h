// The text forms PostgreSQL exchanges with cascade: UTF-8 as the server accepts it, COPY's text
// format for the bulk rows sent, and the integer rows COPY TO sends back.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cascade::graph::pg {

// The text as the server will accept it: unchanged when it is valid UTF-8 without NUL (the usual
// case, no copy), else with each bad byte replaced by U+FFFD so one hostile name cannot make a
// whole document fail to store. The result may point into `scratch`.
std::string_view server_text(std::string_view text, std::string& scratch);

void append_int(std::string& out, std::int64_t value);
// COPY text format: \N is NULL; backslash, tab, newline and CR inside a value are escaped.
void append_copy_text(std::string& out, std::string_view text);
// One element of an array literal ('{"a","b"}'): always quoted, so empty text, NULL, braces,
// commas and spaces stay text; backslash and double quote are escaped.
void append_array_text(std::string& out, std::string_view text);
void append_copy_optional(std::string& out, const std::optional<std::int64_t>& value);

// A whole decimal integer, nothing before or after it.
std::optional<std::int64_t> parse_int(std::string_view text);

// Splits one COPY text row (integer columns only, so no escapes) into exactly `fields.size()`
// fields; false if the count differs.
template <std::size_t N>
bool split_copy_row(std::string_view row, std::array<std::string_view, N>& fields) {
  if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
  for (std::size_t f = 0; f < N; ++f) {
    const std::size_t tab = row.find('\t');
    if ((tab == std::string_view::npos) != (f + 1 == N)) return false;
    fields[f] = row.substr(0, tab);
    if (tab != std::string_view::npos) row.remove_prefix(tab + 1);
  }
  return true;
}

}  // namespace cascade::graph::pg
