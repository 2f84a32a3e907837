#include "diff/line_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace cascade::diff {

namespace {

struct Line {
  std::string_view text;  // without its '\n'
  bool newline = true;    // false for a last line the file does not end
  bool operator==(const Line& other) const {
    return text == other.text && newline == other.newline;
  }
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back({text.substr(start), false});
      break;
    }
    lines.push_back({text.substr(start, end - start), true});
    start = end + 1;
  }
  return lines;
}

enum class Op : std::uint8_t { kEqual, kDelete, kInsert };

struct Edit {
  Op op;
  std::size_t old_index;  // the line's index in OLD (kEqual, kDelete) or where it goes
  std::size_t new_index;  // the line's index in NEW (kEqual, kInsert) or where it goes
};

// Myers' O((N+M)D) greedy algorithm on a[0..n) and b[0..m), keeping for each d only the part of
// the frontier the backtrack reads. nullopt-like empty result with `ok` false past the cap.
bool myers(const std::vector<Line>& a, std::size_t a0, std::size_t n, const std::vector<Line>& b,
           std::size_t b0, std::size_t m, std::vector<Edit>& out) {
  const auto N = static_cast<std::int64_t>(n);
  const auto M = static_cast<std::int64_t>(m);
  const std::int64_t max_d = std::min<std::int64_t>(N + M, kMaxEditDistance);
  const std::int64_t offset = max_d + 1;
  std::vector<std::int64_t> v(static_cast<std::size_t>(2 * max_d + 3), 0);
  std::vector<std::vector<std::int64_t>> trace;  // trace[d]: v[-d-1..d+1] before step d
  std::int64_t found = -1;
  for (std::int64_t d = 0; d <= max_d && found < 0; ++d) {
    trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
    for (std::int64_t k = -d; k <= d; k += 2) {
      std::int64_t x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
                           ? v[offset + k + 1]
                           : v[offset + k - 1] + 1;
      std::int64_t y = x - k;
      while (x < N && y < M && a[a0 + x] == b[b0 + y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= N && y >= M) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;
  std::vector<Edit> reversed;
  std::int64_t x = N;
  std::int64_t y = M;
  for (std::int64_t d = found; d >= 0; --d) {
    const auto& slice = trace[static_cast<std::size_t>(d)];
    const auto at = [&](std::int64_t k) { return slice[static_cast<std::size_t>(k + d + 1)]; };
    const std::int64_t k = x - y;
    const std::int64_t prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    const std::int64_t prev_x = at(prev_k);
    const std::int64_t prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      --x, --y;
      reversed.push_back(
          {Op::kEqual, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(y)});
    }
    if (d == 0) break;
    if (x == prev_x) {
      reversed.push_back(
          {Op::kInsert, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(prev_y)});
    } else {
      reversed.push_back(
          {Op::kDelete, a0 + static_cast<std::size_t>(prev_x), b0 + static_cast<std::size_t>(y)});
    }
    x = prev_x;
    y = prev_y;
  }
  out.insert(out.end(), reversed.rbegin(), reversed.rend());
  return true;
}

// Appends lines while the caps allow; the first line that does not fit ends the output.
class CappedWriter {
 public:
  explicit CappedWriter(const DiffCaps& caps) : caps_(caps) {}
  bool add(char prefix, std::string_view text, bool newline) {
    if (!add_raw(std::string(1, prefix) + std::string(text))) return false;
    if (!newline) return add_raw("\\ No newline at end of file");
    return true;
  }
  bool add_raw(const std::string& line) {
    if (cut_) return false;
    if (lines_ + 1 > caps_.max_lines || out_.size() + line.size() + 1 > caps_.max_bytes) {
      cut_ = true;
      return false;
    }
    out_ += line;
    out_ += '\n';
    ++lines_;
    return true;
  }
  bool cut() const { return cut_; }
  std::string finish() {
    if (cut_) {
      out_ += "... (diff cut at " + std::to_string(caps_.max_lines) + " lines or " +
              std::to_string(caps_.max_bytes) + " bytes of output)\n";
    }
    return std::move(out_);
  }

 private:
  const DiffCaps& caps_;
  std::string out_;
  std::size_t lines_ = 0;
  bool cut_ = false;
};

std::string range(std::size_t start, std::size_t count) {
  // diff -u: 1-based start; an empty range names the line before it.
  const std::size_t shown = count == 0 ? start : start + 1;
  return count == 1 ? std::to_string(shown) : std::to_string(shown) + ',' + std::to_string(count);
}

}  // namespace

bool looks_like_text(std::string_view bytes) {
  return bytes.find('\0') == std::string_view::npos;
}

TextDiff unified_diff(std::string_view old_text, std::string_view new_text, const DiffCaps& caps) {
  TextDiff result;
  if (old_text == new_text) return result;
  if (old_text.size() > kMaxDiffInputBytes || new_text.size() > kMaxDiffInputBytes) {
    result.skipped = true;
    result.unified = "(not diffed: larger than " + std::to_string(kMaxDiffInputBytes) + " bytes; " +
                     std::to_string(old_text.size()) + " -> " + std::to_string(new_text.size()) +
                     " bytes)\n";
    return result;
  }
  const std::vector<Line> a = split_lines(old_text);
  const std::vector<Line> b = split_lines(new_text);
  if (a.size() > kMaxDiffInputLines || b.size() > kMaxDiffInputLines) {
    result.skipped = true;
    result.unified = "(not diffed: more than " + std::to_string(kMaxDiffInputLines) + " lines; " +
                     std::to_string(a.size()) + " -> " + std::to_string(b.size()) + " lines)\n";
    return result;
  }
  // The common head and tail cost nothing to match and shrink Myers' work.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  std::vector<Edit> edits;
  for (std::size_t i = 0; i < head; ++i) edits.push_back({Op::kEqual, i, i});
  if (!myers(a, head, a.size() - head - tail, b, head, b.size() - head - tail, edits)) {
    result.skipped = true;
    result.unified = "(not diffed: more than " + std::to_string(kMaxEditDistance) +
                     " lines changed; " + std::to_string(a.size()) + " -> " +
                     std::to_string(b.size()) + " lines)\n";
    return result;
  }
  for (std::size_t i = 0; i < tail; ++i) {
    edits.push_back({Op::kEqual, a.size() - tail + i, b.size() - tail + i});
  }

  CappedWriter out(caps);
  std::size_t i = 0;
  while (i < edits.size() && !out.cut()) {
    while (i < edits.size() && edits[i].op == Op::kEqual) ++i;
    if (i == edits.size()) break;
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2·context equal lines from the one before it.
    const std::size_t first = i >= caps.context ? i - caps.context : 0;
    std::size_t last = i;  // one past the last change of the hunk
    std::size_t j = i;
    while (j < edits.size()) {
      if (edits[j].op != Op::kEqual) {
        last = j + 1;
        ++j;
        continue;
      }
      std::size_t run = j;
      while (run < edits.size() && edits[run].op == Op::kEqual) ++run;
      if (run == edits.size() || run - j > 2 * caps.context) break;
      j = run;
    }
    const std::size_t end = std::min(edits.size(), last + caps.context);
    std::size_t old_count = 0;
    std::size_t new_count = 0;
    for (std::size_t e = first; e < end; ++e) {
      if (edits[e].op != Op::kInsert) ++old_count;
      if (edits[e].op != Op::kDelete) ++new_count;
    }
    out.add_raw("@@ -" + range(edits[first].old_index, old_count) + " +" +
                range(edits[first].new_index, new_count) + " @@");
    for (std::size_t e = first; e < end; ++e) {
      const Edit& edit = edits[e];
      const Line& line = edit.op == Op::kInsert ? b[edit.new_index] : a[edit.old_index];
      const char prefix = edit.op == Op::kEqual ? ' ' : edit.op == Op::kDelete ? '-' : '+';
      if (!out.add(prefix, line.text, line.newline)) break;
    }
    i = end;
  }
  result.truncated = out.cut();
  result.unified = out.finish();
  return result;
}

}  // namespace cascade::diff
