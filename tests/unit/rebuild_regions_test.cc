// rebuild-compare's byte machinery on hand-made buffers: coalescing, section boundaries, the
// region cap, masks read as zeros, and locating a region by section, export and import.
#include <gtest/gtest.h>

#include <vector>

#include "rebuild/layout.h"
#include "rebuild/regions.h"

namespace cascade::rebuild {
namespace {

std::vector<Range> collect(const std::vector<std::uint64_t>& bytes,
                           std::vector<std::uint64_t> boundaries = {}, std::size_t cap = 100) {
  RunCollector runs(std::move(boundaries), cap);
  for (auto b : bytes) runs.add(b);
  runs.flush();
  return runs.runs();
}

TEST(RebuildRegions, NearbyBytesCoalesce) {
  EXPECT_EQ(collect({10, 12}), (std::vector<Range>{{10, 3}}));
  // Seven equal bytes between two differing ones: still one region.
  EXPECT_EQ(collect({10, 18}), (std::vector<Range>{{10, 9}}));
  // Eight equal bytes: two regions.
  EXPECT_EQ(collect({10, 19}), (std::vector<Range>{{10, 1}, {19, 1}}));
  EXPECT_EQ(collect({5, 6, 7, 100}), (std::vector<Range>{{5, 3}, {100, 1}}));
}

TEST(RebuildRegions, RegionsStopAtBoundaries) {
  EXPECT_EQ(collect({98, 99, 100, 101}, {100}), (std::vector<Range>{{98, 2}, {100, 2}}));
  EXPECT_EQ(collect({98, 99, 100, 101}, {50, 200}), (std::vector<Range>{{98, 4}}));
}

TEST(RebuildRegions, CapCountsTheRest) {
  RunCollector runs({}, 2);
  for (std::uint64_t i = 0; i < 5; ++i) runs.add(i * 100);
  runs.flush();
  EXPECT_EQ(runs.runs().size(), 2U);
  EXPECT_EQ(runs.omitted(), 3U);
  EXPECT_EQ(runs.differing_bytes(), 5U);
}

TEST(RebuildRegions, MasksReadAsZeros) {
  std::vector<std::uint8_t> a(64, 0xaa), b(64, 0xaa);
  a[3] = 1;  // masked on both sides
  b[3] = 2;
  a[20] = 0;  // masked only in b, where it reads as zero: equal
  a[40] = 7;  // masked only in b: a's 7 differs from b's zero
  b[50] = 9;  // not masked: differs
  const std::vector<Range> ma{{0, 8}};
  const std::vector<Range> mb{{0, 8}, {20, 1}, {40, 1}};
  RunCollector runs({}, 100);
  compare_masked(a, ma, 0, b, mb, 0, 64, runs);
  runs.flush();
  EXPECT_EQ(runs.runs(), (std::vector<Range>{{40, 1}, {50, 1}}));
}

TEST(RebuildRegions, ComparesAtDifferentOffsets) {
  std::vector<std::uint8_t> a(32, 1), b(48, 1);
  b[16 + 5] = 2;  // a's byte 5 pairs with b's byte 21
  RunCollector runs({}, 100);
  compare_masked(a, {}, 0, b, {}, 16, 32, runs);
  runs.flush();
  EXPECT_EQ(runs.runs(), (std::vector<Range>{{5, 1}}));
  // A range running past either file is not compared at all.
  RunCollector none({}, 100);
  compare_masked(a, {}, 0, b, {}, 20, 32, none);
  none.flush();
  EXPECT_TRUE(none.runs().empty());
}

TEST(RebuildRegions, LongEqualStretchesAreSkippedExactly) {
  std::vector<std::uint8_t> a(3 * 4096 + 17, 0x5c);
  std::vector<std::uint8_t> b = a;
  b[4096 * 2 + 3] ^= 1;
  b.back() ^= 1;
  RunCollector runs({}, 100);
  compare_masked(a, {}, 0, b, {}, 0, a.size(), runs);
  runs.flush();
  EXPECT_EQ(runs.runs(), (std::vector<Range>{{4096 * 2 + 3, 1}, {a.size() - 1, 1}}));
}

TEST(RebuildRegions, MaskRangesSortAndMerge) {
  Layout layout;
  layout.normalised = {{"x", 10, 4}, {"y", 0, 2}, {"z", 12, 8}, {"w", 30, 0}};
  EXPECT_EQ(mask_ranges(layout), (std::vector<Range>{{0, 2}, {10, 10}}));
}

Layout sample_layout() {
  Layout layout;
  layout.format = LayoutFormat::kPe;
  layout.compared_size = 0x1000;
  layout.end_of_content = 0x800;
  Area text{".text", 0x400, 0x200, true, 0x1000};
  Area data{".data", 0x600, 0x200, true, 0x2000};
  text.imports.push_back({0x1100, 0x1108, "kernel32.dll!GetCurrentProcessId"});
  std::vector<Area> sections{text, data};
  assign_exports(sections,
                 {{0x1080, "beta"}, {0x1000, "alpha"}, {0x2010, "table"}, {0x9000, "nowhere"}});
  layout.sections = std::move(sections);
  layout.areas = {{"(dos header)", 0, 64}, {"(headers)", 0, 0x400}};
  return layout;
}

TEST(RebuildRegions, AssignExportsBySection) {
  const Layout layout = sample_layout();
  ASSERT_EQ(layout.sections[0].exports.size(), 2U);
  EXPECT_EQ(layout.sections[0].exports[0].name, "alpha");  // sorted by address
  EXPECT_EQ(layout.sections[0].exports[1].name, "beta");
  ASSERT_EQ(layout.sections[1].exports.size(), 1U);
  EXPECT_EQ(layout.sections[1].exports[0].name, "table");
}

TEST(RebuildRegions, LocateNamesSectionExportAndImport) {
  const Layout layout = sample_layout();
  auto at = locate(layout, 0x400 + 0x85, 2);
  EXPECT_EQ(at.section, ".text");
  EXPECT_EQ(at.export_name, "beta");
  EXPECT_EQ(at.import_name, "");
  at = locate(layout, 0x400 + 0x7f, 1);
  EXPECT_EQ(at.export_name, "alpha");
  at = locate(layout, 0x400 + 0xfe, 4);  // the region's end reaches into the import's thunk
  EXPECT_EQ(at.import_name, "kernel32.dll!GetCurrentProcessId");
  // No export of .text leaks into .data before its first export.
  at = locate(layout, 0x600 + 4, 1);
  EXPECT_EQ(at.section, ".data");
  EXPECT_EQ(at.export_name, "");
  EXPECT_EQ(locate(layout, 10, 1).section, "(dos header)");
  EXPECT_EQ(locate(layout, 0x100, 1).section, "(headers)");
  EXPECT_EQ(locate(layout, 0x900, 1).section, "(overlay)");
}

}  // namespace
}  // namespace cascade::rebuild
