// A bounded line diff of two texts, written as a unified diff (diff -u's hunks), for showing
// how an install script or any other text file changed. Hostile inputs are bounded: texts past
// kMaxDiffInputBytes or kMaxDiffInputLines, or further apart than kMaxEditDistance line edits,
// are not diffed line by line (the caller is told why), and the output stops at the caps of
// DiffCaps with a line saying so.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cascade::diff {

inline constexpr std::size_t kMaxDiffInputBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxDiffInputLines = 50000;
// Myers' algorithm costs O((N+M)·D) time and O(D²) memory for D edits; past this it stops.
inline constexpr std::size_t kMaxEditDistance = 2000;

struct DiffCaps {
  std::size_t max_lines = 200;                    // output lines (hunk headers included)
  std::size_t max_bytes = std::size_t{16} << 10;  // output bytes
  std::size_t context = 3;                        // unchanged lines around each change
};

struct TextDiff {
  std::string unified;     // "@@ -a,b +c,d @@" hunks; "" when the texts are equal
  bool truncated = false;  // a cap of DiffCaps cut the output (the last line says so)
  bool skipped = false;    // too large or too different to diff: `unified` says which
};

// Lines end at '\n'; a last line without one is marked as diff -u does.
TextDiff unified_diff(std::string_view old_text, std::string_view new_text,
                      const DiffCaps& caps = {});

// Whether bytes read as text worth a line diff: no NUL in them.
bool looks_like_text(std::string_view bytes);

}  // namespace cascade::diff
