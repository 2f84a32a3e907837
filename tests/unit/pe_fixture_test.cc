// The PE model checked against facts pefile and osslsigncode recorded for each fixture.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "core/mapped_file.h"
#include "formats/pe/pe_image.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "test_support.h"

namespace cascade {
namespace {

using testing::expected_facts;
using testing::inspect_fixture;

std::vector<std::string> import_list(const pe::PeImage& image, bool delay) {
  std::vector<std::string> out;
  for (const auto& dll : image.imports) {
    if (dll.delay_load != delay) continue;
    for (const auto& f : dll.functions) {
      out.push_back(dll.name + "!" + (f.ordinal ? "#" + std::to_string(*f.ordinal) : f.name));
    }
  }
  return out;
}

class PeFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PeFixture, MatchesPeerFacts) {
  const std::string name = GetParam();
  const auto& facts = expected_facts().at(name);
  const FileReport r = inspect_fixture(name);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.pe.has_value());
  const pe::PeImage& image = *r.pe;
  EXPECT_EQ(r.hashes.sha256, facts.at("sha256"));
  EXPECT_EQ(r.size, facts.at("size").get<std::uint64_t>());
  EXPECT_EQ(r.imphash, facts.at("imphash"));
  EXPECT_EQ(image.machine, facts.at("machine").get<int>());
  EXPECT_EQ(image.pe32_plus, facts.at("pe_format") == "PE32+");
  EXPECT_EQ(image.is_dll(), facts.at("is_dll").get<bool>());
  EXPECT_EQ(image.checksum_stored, facts.at("checksum").at("stored").get<std::uint32_t>());
  EXPECT_EQ(image.checksum_computed, facts.at("checksum").at("computed").get<std::uint32_t>());

  ASSERT_EQ(image.sections.size(), facts.at("sections").size());
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    const auto& s = image.sections[i];
    const auto& e = facts.at("sections")[i];
    EXPECT_EQ(s.name, e.at("name"));
    EXPECT_EQ(s.virtual_address, e.at("virtual_address").get<std::uint32_t>());
    EXPECT_EQ(s.virtual_size, e.at("virtual_size").get<std::uint32_t>());
    EXPECT_EQ(s.raw_offset, e.at("raw_offset").get<std::uint32_t>());
    EXPECT_EQ(s.raw_size, e.at("raw_size").get<std::uint32_t>());
    EXPECT_EQ(s.characteristics, e.at("characteristics").get<std::uint32_t>());
  }

  EXPECT_EQ(import_list(image, false), facts.at("imports").get<std::vector<std::string>>());
  EXPECT_EQ(import_list(image, true), facts.at("delay_imports").get<std::vector<std::string>>());

  std::set<std::string> exports, expected_exports;
  for (const auto& e : image.exports) {
    exports.insert(std::to_string(e.ordinal) + "|" + e.name + "|" + e.forwarder);
  }
  for (const auto& e : facts.at("exports")) {
    expected_exports.insert(
        std::to_string(e.at("ordinal").get<int>()) + "|" +
        (e.at("name").is_null() ? "" : e.at("name").get<std::string>()) + "|" +
        (e.at("forwarder").is_null() ? "" : e.at("forwarder").get<std::string>()));
  }
  EXPECT_EQ(exports, expected_exports);

  const auto& strings = facts.at("version_strings");
  if (strings.empty()) {
    EXPECT_TRUE(!image.version || image.version->strings.empty());
  } else {
    ASSERT_TRUE(image.version.has_value());
    std::map<std::string, std::string> ours(image.version->strings.begin(),
                                            image.version->strings.end());
    using StringMap = std::map<std::string, std::string>;
    EXPECT_EQ(ours, strings.get<StringMap>());
  }

  // pefile counts the certificate table as overlay; cascade reports it apart.
  const auto& sec = facts.at("security_directory");
  const std::uint64_t table_offset = sec.at("offset").get<std::uint64_t>();
  if (facts.at("overlay_offset").is_null()) {
    EXPECT_FALSE(r.overlay.has_value());
  } else if (r.overlay) {
    EXPECT_EQ(r.overlay->offset, facts.at("overlay_offset").get<std::uint64_t>());
  } else {
    EXPECT_EQ(table_offset, facts.at("overlay_offset").get<std::uint64_t>());
  }
}

std::vector<std::string> fixture_names() {
  // Listed, not discovered, so a fixture that fails to generate fails its test.
  return {"hello.exe",
          "noversion.exe",
          "exports.dll",
          "imports.exe",
          "wx.exe",
          "overlay.exe",
          "pe32.exe",
          "checksum.exe",
          "badchecksum.exe",
          "zerochecksum.exe",
          "signed-sha256.exe",
          "signed-sha1.exe",
          "signed-exports.dll",
          "nested.exe",
          "timestamped.exe",
          "expired-signer.exe",
          "expired-timestamped.exe",
          "padded.exe",
          "trailing.exe",
          "tampered.exe",
          "two-entries.exe",
          "untrusted.exe"};
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PeFixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return n;
                         });

// The COFF TimeDateStamp: JSON keeps the stored number and adds the instant as RFC 3339 UTC;
// the text prints only the RFC 3339 form.
TEST(PeReports, TimeDateStampIsAlsoWrittenAsRfc3339) {
  FileReport r = inspect_fixture("hello.exe");
  ASSERT_TRUE(r.pe);
  r.pe->timestamp = 1600000000;
  const nlohmann::json pe = file_report_json(r)["pe"];
  EXPECT_EQ(pe["timestamp"], 1600000000);
  EXPECT_EQ(pe["timestamp_utc"], "2020-09-13T12:26:40Z");
  std::ostringstream text;
  write_text_report(text, r, TextOptions{});
  EXPECT_NE(text.str().find("timestamp 2020-09-13T12:26:40Z"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("1600000000"), std::string::npos);
}

TEST(PeFindings, WritableExecutableSectionIsFlagged) {
  const FileReport r = inspect_fixture("wx.exe");
  EXPECT_TRUE(testing::has_finding(r, "pe.wx-section"));
  EXPECT_FALSE(testing::has_finding(inspect_fixture("hello.exe"), "pe.wx-section"));
}

TEST(PeFindings, ChecksumMismatchOnlyWhenStoredIsNonZeroAndWrong) {
  EXPECT_TRUE(testing::has_finding(inspect_fixture("badchecksum.exe"), "pe.checksum-mismatch"));
  EXPECT_FALSE(testing::has_finding(inspect_fixture("checksum.exe"), "pe.checksum-mismatch"));
  EXPECT_FALSE(testing::has_finding(inspect_fixture("zerochecksum.exe"), "pe.checksum-mismatch"));
}

TEST(PeFindings, OverlayReportedWithEntropy) {
  const FileReport r = inspect_fixture("overlay.exe");
  ASSERT_TRUE(r.overlay.has_value());
  EXPECT_EQ(r.overlay->size, 4096u);
  EXPECT_GT(r.overlay_entropy, 7.5);  // random bytes
  EXPECT_TRUE(testing::has_finding(r, "pe.overlay"));
}

TEST(PeFindings, SectionEntropyCanBeSkippedWithoutChangingFindings) {
  // scan's text summary skips section histograms; overlay entropy and findings must not move.
  const FileReport full = inspect_fixture("overlay.exe");
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;  // as inspect_fixture
  options.section_entropy = false;
  const FileReport lean = inspect_file(testing::fixture("overlay.exe"), options);
  ASSERT_TRUE(full.pe && lean.pe);
  ASSERT_EQ(full.pe->sections.size(), lean.pe->sections.size());
  EXPECT_GT(full.pe->sections.front().entropy, 1.0);
  for (const auto& section : lean.pe->sections) EXPECT_EQ(section.entropy, 0.0);
  EXPECT_EQ(lean.overlay_entropy, full.overlay_entropy);
  EXPECT_EQ(lean.hashes.sha256, full.hashes.sha256);
  EXPECT_EQ(lean.pe->checksum_computed, full.pe->checksum_computed);
  ASSERT_EQ(lean.findings.size(), full.findings.size());
  for (std::size_t i = 0; i < lean.findings.size(); ++i) {
    EXPECT_EQ(lean.findings[i].id, full.findings[i].id);
    EXPECT_EQ(lean.findings[i].message, full.findings[i].message);
  }
}

TEST(PeFindings, VersionResourceFixedInfo) {
  const FileReport r = inspect_fixture("hello.exe");
  ASSERT_TRUE(r.pe && r.pe->version);
  EXPECT_EQ(r.pe->version->file_version_fixed.value_or(""), "1.2.3.4");
}

TEST(Hashes, LegacyHashesOnlyWhenAsked) {
  const FileReport plain = inspect_fixture("hello.exe");
  EXPECT_FALSE(plain.hashes.md5.has_value());
  EXPECT_FALSE(plain.hashes.sha1.has_value());
  const FileReport full = inspect_fixture("hello.exe", true);
  ASSERT_TRUE(full.hashes.md5 && full.hashes.sha1);
  EXPECT_EQ(full.hashes.md5->size(), 32u);
  EXPECT_EQ(full.hashes.sha1->size(), 40u);
  EXPECT_EQ(full.hashes.sha256, plain.hashes.sha256);
}

}  // namespace
}  // namespace cascade

namespace cascade {
namespace {

// inspect's fused single pass and the standalone measures must agree to the last bit.
TEST(PeMeasures, FusedPassEqualsSeparatePasses) {
  for (const char* name : {"hello.exe", "overlay.exe", "padded.exe", "pe32.exe", "exports.dll"}) {
    const FileReport r = testing::inspect_fixture(name);
    ASSERT_TRUE(r.pe.has_value()) << name;
    auto mapped = MappedFile::open(testing::fixture(name));
    ASSERT_TRUE(mapped.ok());
    auto image = pe::parse_pe(mapped->bytes());
    ASSERT_TRUE(image.ok());
    pe::measure_contents(mapped->bytes(), image.value());
    EXPECT_EQ(image->checksum_computed, r.pe->checksum_computed) << name;
    ASSERT_EQ(image->sections.size(), r.pe->sections.size());
    for (std::size_t i = 0; i < image->sections.size(); ++i) {
      EXPECT_DOUBLE_EQ(image->sections[i].entropy, r.pe->sections[i].entropy) << name << " " << i;
    }
  }
}

}  // namespace
}  // namespace cascade
