// rebuild-compare on real rebuilds (tests/fixtures/rebuild/make-rebuild-fixtures.sh): stamped
// rebuilds compare identical although their raw bytes differ, a one-line change is found in
// .text at the changed export, and malformed or mutated input gives an error or a verdict,
// never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/finding_catalogue.h"
#include "rebuild/compare.h"
#include "test_support.h"

namespace cascade::rebuild {
namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer read(const std::string& name) {
  std::ifstream in(testing::fixture("rebuild/" + name), std::ios::binary);
  EXPECT_TRUE(in) << name;
  return Buffer(std::istreambuf_iterator<char>(in), {});
}

Comparison compare(const Buffer& a, const Buffer& b, bool include_build_id = false,
                   std::size_t max_regions = kMaxRegions) {
  CompareOptions options;
  options.include_build_id = include_build_id;
  options.max_regions = max_regions;
  auto result = compare_builds(a, b, options);
  EXPECT_TRUE(result) << (result ? "" : result.error().message);
  return result ? std::move(result).value() : Comparison{};
}

std::set<std::string> whats(const std::vector<Normalised>& list) {
  std::set<std::string> out;
  for (const auto& n : list) out.insert(n.what);
  return out;
}

TEST(RebuildCompare, StampedPeRebuildsAreIdentical) {
  const Buffer a = read("mathlib-1.dll");
  const Buffer b = read("mathlib-2.dll");
  ASSERT_FALSE(a.empty());
  EXPECT_NE(a, b) << "the fixture builds should differ in their timestamps";
  const Comparison c = compare(a, b);
  EXPECT_TRUE(c.identical) << c.reason;
  EXPECT_TRUE(c.regions.empty());
  ASSERT_EQ(c.findings.size(), 1U);
  EXPECT_EQ(c.findings[0].id, "rebuild.identical");
  EXPECT_EQ(c.findings[0].severity, Severity::kInfo);
  const auto normalised = whats(c.normalised_a);
  for (const char* what : {"pe.timestamp", "pe.checksum", "pe.security-directory",
                           "pe.export-timestamp", "pe.resource-timestamp"}) {
    EXPECT_TRUE(normalised.contains(what)) << what;
  }
}

TEST(RebuildCompare, OneLineChangeIsFoundAtItsExport) {
  const Comparison c = compare(read("mathlib-1.dll"), read("mathlib-changed.dll"));
  EXPECT_FALSE(c.identical);
  ASSERT_FALSE(c.regions.empty());
  for (const auto& r : c.regions) {
    EXPECT_EQ(r.section, ".text");
    EXPECT_EQ(r.export_name, "beta");
    EXPECT_TRUE(r.offset.has_value());
  }
  ASSERT_EQ(c.findings.size(), 1U);
  EXPECT_EQ(c.findings[0].id, "rebuild.differs");
  EXPECT_EQ(c.findings[0].severity, Severity::kHigh);
  EXPECT_NE(c.findings[0].message.find("beta"), std::string::npos) << c.findings[0].message;
}

TEST(RebuildCompare, ImportNameChangeIsAttributedToTheImport) {
  const Buffer a = read("mathlib-1.dll");
  Buffer b = a;
  const std::string name = "GetCurrentProcessId";
  auto at = std::search(b.begin(), b.end(), name.begin(), name.end());
  ASSERT_NE(at, b.end());
  at[3] = 'X';  // GetXurrentProcessId: a hint/name entry of the import table
  const Comparison c = compare(a, b);
  ASSERT_EQ(c.regions.size(), 1U);
  EXPECT_EQ(c.regions[0].section, ".idata");
  EXPECT_EQ(c.regions[0].import_name, "KERNEL32.dll!GetCurrentProcessId");
}

TEST(RebuildCompare, SignedCopyMatchesUnsignedBuild) {
  const Buffer signed_dll = read("mathlib-1-signed.dll");
  const Buffer unsigned_dll = read("mathlib-1.dll");
  ASSERT_GT(signed_dll.size(), unsigned_dll.size());
  const Comparison c = compare(signed_dll, unsigned_dll);
  EXPECT_TRUE(c.identical) << c.reason;
  EXPECT_TRUE(whats(c.normalised_a).contains("pe.certificate-table"));
  EXPECT_EQ(c.compared_a, unsigned_dll.size());
  // The other way round too.
  EXPECT_TRUE(compare(unsigned_dll, signed_dll).identical);
}

TEST(RebuildCompare, BytesHiddenInTheCertificateTableAreADifference) {
  // The signed build with 4 KiB hidden after its PKCS#7 object (CVE-2013-3900), as the demo's
  // d3dhelper.dll: the signature still verifies, but signing adds no such bytes.
  const std::string padded = ::testing::TempDir() + "/mathlib-1-padded.dll";
  const std::string command = "/usr/bin/python3 " + std::string(CASCADE_SOURCE_DIR) +
                              "/tests/fixtures/petweak.py pad-certtable " +
                              testing::fixture("rebuild/mathlib-1-signed.dll") + " " + padded +
                              " 4096 3";
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream in(padded, std::ios::binary);
  const Buffer padded_dll{std::istreambuf_iterator<char>(in), {}};
  const Buffer unsigned_dll = read("mathlib-1.dll");
  for (const Comparison& c :
       {compare(padded_dll, unsigned_dll), compare(unsigned_dll, padded_dll)}) {
    EXPECT_FALSE(c.identical);
    EXPECT_NE(c.reason.find("no signature and no alignment"), std::string::npos) << c.reason;
    ASSERT_FALSE(c.findings.empty());
    EXPECT_EQ(c.findings[0].id, "rebuild.differs");
  }
  // Against the unpadded signed build as well.
  EXPECT_FALSE(compare(padded_dll, read("mathlib-1-signed.dll")).identical);
}

TEST(RebuildCompare, DebugDirectoryIsNormalised) {
  const Comparison c = compare(read("app-1.exe"), read("app-2.exe"));
  EXPECT_TRUE(c.identical) << c.reason;
  const auto normalised = whats(c.normalised_a);
  EXPECT_TRUE(normalised.contains("pe.debug-timestamp"));
  EXPECT_TRUE(normalised.contains("pe.codeview-rsds"));
}

TEST(RebuildCompare, ElfBuildIdIsNormalisedUnlessIncluded) {
  const Buffer a = read("app-id1.elf");
  const Buffer b = read("app-id2.elf");
  EXPECT_NE(a, b);
  const Comparison by_default = compare(a, b);
  EXPECT_TRUE(by_default.identical) << by_default.reason;
  EXPECT_TRUE(whats(by_default.normalised_a).contains("elf.build-id"));
  const Comparison strict = compare(a, b, true);
  EXPECT_FALSE(strict.identical);
  ASSERT_FALSE(strict.regions.empty());
  EXPECT_EQ(strict.regions[0].section, ".note.gnu.build-id");
  EXPECT_TRUE(strict.normalised_a.empty());
  EXPECT_TRUE(compare(a, read("app-id1-copy.elf"), true).identical);
}

TEST(RebuildCompare, MachoUuidAndSignatureAreNormalised) {
  for (const char* kind : {"hello-%.macho", "hello-fat-%.macho"}) {
    std::string a_name = kind, b_name = kind;
    a_name.replace(a_name.find('%'), 1, "a");
    b_name.replace(b_name.find('%'), 1, "b");
    const Buffer a = read(a_name);
    const Buffer b = read(b_name);
    EXPECT_NE(a, b) << a_name;
    const Comparison c = compare(a, b);
    EXPECT_TRUE(c.identical) << a_name << ": " << c.reason;
    const auto normalised = whats(c.normalised_a);
    EXPECT_TRUE(normalised.contains("macho.uuid")) << a_name;
    EXPECT_TRUE(normalised.contains("macho.code-signature")) << a_name;
  }
}

TEST(RebuildCompare, DifferentFormatsDiffer) {
  const Comparison c = compare(read("mathlib-1.dll"), read("app-id1.elf"));
  EXPECT_FALSE(c.identical);
  EXPECT_NE(c.reason.find("formats differ"), std::string::npos) << c.reason;
}

TEST(RebuildCompare, DifferentSizesAreComparedBySection) {
  const Buffer a = read("mathlib-1.dll");
  Buffer b = a;
  b.insert(b.end(), 100, 0x41);  // an overlay
  const Comparison c = compare(a, b);
  EXPECT_FALSE(c.identical);
  EXPECT_NE(c.reason.find("sizes differ"), std::string::npos) << c.reason;
  ASSERT_EQ(c.regions.size(), 1U);
  EXPECT_EQ(c.regions[0].note, "only in b");
  EXPECT_EQ(c.regions[0].section, "(overlay)");
  EXPECT_EQ(c.regions[0].b_offset, a.size());
  EXPECT_EQ(c.regions[0].size, 100U);
}

TEST(RebuildCompare, RegionCapCountsTheRest) {
  const Buffer a = read("mathlib-1.dll");
  Buffer b = a;
  for (std::size_t i = 0; i < 50; ++i) b[0x400 + 32 * i] ^= 0xff;  // inside .text
  const Comparison c = compare(a, b, false, 10);
  EXPECT_EQ(c.regions.size(), 10U);
  EXPECT_EQ(c.regions_omitted, 40U);
  EXPECT_EQ(c.differing_bytes, 50U);
}

TEST(RebuildCompare, MalformedInputIsAnError) {
  const Buffer dll = read("mathlib-1.dll");
  const std::vector<Buffer> bad = {
      {},
      Buffer(64, 0),
      Buffer{'M', 'Z'},
      Buffer(dll.begin(), dll.begin() + 200),  // headers cut short
      Buffer{0x7f, 'E', 'L', 'F', 2, 1, 1},
      Buffer{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1},
  };
  for (const auto& input : bad) {
    auto first = compare_builds(input, dll, {});
    ASSERT_FALSE(first) << input.size();
    EXPECT_EQ(first.error().message.rfind("a: ", 0), 0U) << first.error().message;
    auto second = compare_builds(dll, input, {});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message.rfind("b: ", 0), 0U) << second.error().message;
  }
}

TEST(RebuildCompare, MutatedInputNeverCrashes) {
  std::mt19937 rng(1234);
  for (const char* name :
       {"mathlib-1-signed.dll", "app-1.exe", "app-id1.elf", "hello-fat-a.macho"}) {
    const Buffer original = read(name);
    ASSERT_FALSE(original.empty());
    for (int round = 0; round < 300; ++round) {
      Buffer mutated = original;
      const int flips = 1 + static_cast<int>(rng() % 16);
      for (int i = 0; i < flips; ++i) {
        // Mostly the headers and directories, where offsets and sizes live.
        const std::size_t span =
            rng() % 4 == 0 ? mutated.size() : std::min<std::size_t>(1024, mutated.size());
        mutated[rng() % span] = static_cast<std::uint8_t>(rng());
      }
      if (round % 10 == 0) mutated.resize(rng() % mutated.size());
      auto result = compare_builds(original, mutated, {});
      if (result) {
        ASSERT_EQ(result->findings.size(), 1U);
        EXPECT_EQ(result->identical, result->findings[0].is(findings::kRebuildIdentical));
        EXPECT_LE(result->regions.size(), kMaxRegions);
      } else {
        EXPECT_EQ(result.error().message.rfind("b: ", 0), 0U);
      }
    }
  }
}

}  // namespace
}  // namespace cascade::rebuild
