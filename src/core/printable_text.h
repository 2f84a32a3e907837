// Strings from documents anyone can write, made safe to show: valid UTF-8 with control and
// bidi-override characters shown as escapes (a newline or U+202E in a host name must not forge
// a second label line), then escaped for the DOT or HTML text they are placed in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cascade {

// Printable UTF-8 of at most `max_code_points` code points (0: no limit), ending in "…" when cut.
// ASCII controls and bytes that are not valid UTF-8 appear as \xHH, other controls and invisible
// format characters as \uHHHH (\uHHHHH above U+FFFF).
std::string printable(std::string_view raw, std::size_t max_code_points = 0);

// For text printable() returned: inside a DOT double-quoted string, and in HTML text or a quoted
// attribute.
std::string dot_escape(std::string_view printable_text);
std::string html_escape(std::string_view printable_text);

// html_escape(printable(raw)).
std::string html(std::string_view raw);

}  // namespace cascade
