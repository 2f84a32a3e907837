// The bounded line diff: hunks as diff -u writes them, the caps, and inputs it refuses.
#include "diff/line_diff.h"

#include <gtest/gtest.h>

#include <string>

namespace cascade::diff {
namespace {

std::string numbered(int from, int to, const std::string& tag = "") {
  std::string out;
  for (int i = from; i <= to; ++i) out += "line " + std::to_string(i) + tag + "\n";
  return out;
}

TEST(LineDiff, EqualTextsGiveNothing) {
  const TextDiff d = unified_diff("a\nb\n", "a\nb\n");
  EXPECT_EQ(d.unified, "");
  EXPECT_FALSE(d.truncated);
  EXPECT_FALSE(d.skipped);
}

TEST(LineDiff, OneChangedLineWithContext) {
  const std::string before = numbered(1, 10);
  std::string after = before;
  after.replace(after.find("line 5\n"), 7, "line five\n");
  EXPECT_EQ(unified_diff(before, after).unified,
            "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n"
            " line 8\n");
}

TEST(LineDiff, InsertionsAndDeletionsAtTheEdges) {
  EXPECT_EQ(unified_diff("", "a\nb\n").unified, "@@ -0,0 +1,2 @@\n+a\n+b\n");
  EXPECT_EQ(unified_diff("a\nb\n", "").unified, "@@ -1,2 +0,0 @@\n-a\n-b\n");
  EXPECT_EQ(unified_diff("b\n", "a\nb\n").unified, "@@ -1 +1,2 @@\n+a\n b\n");
}

TEST(LineDiff, DistantChangesMakeSeparateHunks) {
  const std::string before = numbered(1, 30);
  std::string after = before;
  after.replace(after.find("line 3\n"), 7, "LINE 3\n");
  after.replace(after.find("line 25\n"), 8, "LINE 25\n");
  const std::string u = unified_diff(before, after).unified;
  EXPECT_NE(u.find("@@ -1,6 +1,6 @@\n"), std::string::npos) << u;
  EXPECT_NE(u.find("@@ -22,7 +22,7 @@\n"), std::string::npos) << u;
}

TEST(LineDiff, AMissingFinalNewlineIsMarked) {
  EXPECT_EQ(unified_diff("a", "b").unified,
            "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n");
  EXPECT_EQ(unified_diff("a\n", "a").unified,
            "@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n");
}

// Applying the hunks to OLD must give NEW: checks the edit script on a mixed change.
TEST(LineDiff, TheHunksTurnOldIntoNew) {
  const std::string before = numbered(1, 40);
  std::string after =
      numbered(1, 8) + "inserted\n" + numbered(10, 20, "x") + numbered(21, 38) + "appended\n";
  const std::string u = unified_diff(before, after, {.max_lines = 10000, .context = 0}).unified;
  std::vector<std::string> old_lines;
  for (int i = 1; i <= 40; ++i) old_lines.push_back("line " + std::to_string(i));
  std::vector<std::string> result;
  std::size_t next_old = 0;
  std::size_t at = 0;
  while (at < u.size()) {
    const std::size_t end = u.find('\n', at);
    const std::string line = u.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("@@")) {
      std::size_t start = std::stoul(line.substr(4));
      const bool empty = line.find(",0 +") != std::string::npos;
      const std::size_t first = empty ? start : start - 1;
      while (next_old < first) result.push_back(old_lines[next_old++]);
    } else if (line[0] == '-') {
      ++next_old;
    } else if (line[0] == '+') {
      result.push_back(line.substr(1));
    } else {
      result.push_back(old_lines[next_old++]);
    }
  }
  while (next_old < old_lines.size()) result.push_back(old_lines[next_old++]);
  std::string rebuilt;
  for (const auto& line : result) rebuilt += line + "\n";
  EXPECT_EQ(rebuilt, after) << u;
}

TEST(LineDiff, OutputIsCutVisiblyAtTheCaps) {
  const TextDiff by_lines = unified_diff(numbered(1, 500), numbered(1, 500, "!"));
  EXPECT_TRUE(by_lines.truncated);
  EXPECT_LE(std::count(by_lines.unified.begin(), by_lines.unified.end(), '\n'), 201);
  EXPECT_TRUE(by_lines.unified.ends_with("bytes of output)\n")) << by_lines.unified;

  const std::string wide(3000, 'x');
  const TextDiff by_bytes =
      unified_diff(wide + "\n" + wide + "\n" + wide + "\n", "y\n", {.max_bytes = 4096});
  EXPECT_TRUE(by_bytes.truncated);
  EXPECT_LT(by_bytes.unified.size(), 4096u + 100u);
}

TEST(LineDiff, HugeOrVeryDifferentTextsAreNotDiffed) {
  const std::string big(kMaxDiffInputBytes + 1, 'a');
  const TextDiff huge = unified_diff(big, "a\n");
  EXPECT_TRUE(huge.skipped);
  EXPECT_TRUE(huge.unified.starts_with("(not diffed: larger than")) << huge.unified;

  const TextDiff apart = unified_diff(numbered(1, 3000, "a"), numbered(1, 3000, "b"));
  EXPECT_TRUE(apart.skipped);
  EXPECT_TRUE(apart.unified.starts_with("(not diffed: more than 2000 lines changed"))
      << apart.unified;
}

TEST(LineDiff, TextHasNoNul) {
  EXPECT_TRUE(looks_like_text("#!/bin/sh\necho hi\n"));
  EXPECT_FALSE(looks_like_text(std::string("MZ\0\0", 4)));
}

}  // namespace
}  // namespace cascade::diff
