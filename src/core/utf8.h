// UTF-8 as every reader and writer of cascade checks and builds it: no overlong forms, no
// surrogates, nothing past U+10FFFF (the rules of RFC 3629, which PostgreSQL also applies).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/byte_reader.h"

namespace cascade {

// The code point at `i`, advancing past it; nullopt, advancing one byte, when the byte there
// does not start a valid sequence. Precondition: i < text.size().
std::optional<char32_t> decode_utf8(std::string_view text, std::size_t& i);

// Raw bytes (a file name, an archive entry name) as valid UTF-8 from which they can be recovered
// exactly, so two different names never become the same text. Each byte that is not part of
// valid UTF-8 becomes U+FFFD followed by its value in two upper-case hex digits (byte 0xE9:
// "\uFFFDE9"); a U+FFFD of the name itself becomes U+FFFD followed by "u". Every other
// character is unchanged, so valid names without U+FFFD (nearly all) are their own form.
std::string lossless_utf8(std::string_view raw);

// The bytes lossless_utf8() was given; nullopt for text it does not produce.
std::optional<std::string> from_lossless_utf8(std::string_view text);

// Appends code point `c` to `out`.
void append_utf8(std::string& out, char32_t c);

// UTF-16LE text (PE resources, Windows property strings) as UTF-8, up to the first NUL; an
// unpaired surrogate becomes U+FFFD.
std::string utf16le_to_utf8(Bytes bytes);

}  // namespace cascade
