// OSV feeds: advisories shaped like the OpenSSF malicious-packages ones (invented package names),
// single, in arrays and as a directory, and the version evaluation of their lists and ranges.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "scan/ioc/indicators.h"
#include "scan/ioc/osv.h"
#include "temp_dir.h"

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

// The shape of a malicious-packages advisory: every version listed, plus a range from "0".
std::string malicious_advisory(const std::string& id, const std::string& name) {
  return R"J({
  "modified": "2024-03-01T10:00:00Z",
  "published": "2024-03-01T10:00:00Z",
  "schema_version": "1.5.0",
  "id": ")J" +
         id + R"J(",
  "summary": "Malicious code in )J" +
         name + R"J( (npm)",
  "details": "An invented package for a test.",
  "aliases": ["GHSA-xxxx-yyyy-zzzz"],
  "affected": [{
    "package" : {
      "ecosystem": "npm", "name": ")J" +
         name + R"J("},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}],
    "versions": ["1.0.0", "1.0.1"],
    "database_specific": {"malicious-packages-origins": [{"source": "test"}]}
  }],
  "database_specific": {"malicious-packages-origins": []}
})J";
}

std::vector<OsvAdvisory> advisories(const IndicatorSet& set) {
  std::vector<OsvAdvisory> out;
  set.for_each_advisory([&](std::size_t, const OsvAdvisory& a) { out.push_back(a); });
  return out;
}

TEST(OsvFeed, SingleAdvisory) {
  TempDir dir;
  IndicatorSet set;
  auto info = set.load(dir.write("MAL-2024-0001.json",
                                 malicious_advisory("MAL-2024-0001", "@acme-test/left-padder")));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->format, FeedFormat::kOsv);
  EXPECT_EQ(info->indicators, 1u);
  const auto list = advisories(set);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, "MAL-2024-0001");
  EXPECT_EQ(list[0].aliases, std::vector<std::string>{"GHSA-xxxx-yyyy-zzzz"});
  ASSERT_EQ(list[0].affected.size(), 1u);
  EXPECT_EQ(list[0].affected[0].package, "pkg:npm/%40acme-test/left-padder");
  EXPECT_EQ(affected_version(list[0].affected[0], "7.7.7").verdict, VersionVerdict::kAffected);
}

TEST(OsvFeed, ArrayAndDirectory) {
  TempDir dir;
  dir.write("osv/malicious/npm/aa-test/MAL-2024-0002.json",
            malicious_advisory("MAL-2024-0002", "aa-test"));
  dir.write("osv/malicious/npm/bb-test/MAL-2024-0003.json",
            malicious_advisory("MAL-2024-0003", "bb-test"));
  dir.write("osv/malicious/npm/bb-test/README.md", "not an advisory");
  IndicatorSet set;
  auto info = set.load(dir / "osv");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->indicators, 2u);
  EXPECT_EQ(advisories(set)[1].id, "MAL-2024-0003");

  IndicatorSet array;
  auto loaded = array.load(dir.write("all.json", "[" + malicious_advisory("MAL-1", "x-test") + "," +
                                                     malicious_advisory("MAL-2", "y-test") + "]"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->indicators, 2u);

  // A broken file in the directory fails the whole feed, naming the file.
  dir.write("osv/malicious/npm/cc-test/MAL-2024-0004.json", "{\"id\": ");
  IndicatorSet broken;
  auto failed = broken.load(dir / "osv");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("MAL-2024-0004.json"), std::string::npos);
}

OsvAffected range_of(std::string ecosystem, std::string type, std::vector<OsvEvent> events,
                     std::vector<std::string> versions = {}) {
  OsvAffected affected;
  affected.ecosystem = ecosystem;
  affected.known = ecosystem_from_osv(ecosystem);
  affected.name = "test-package";
  affected.versions = std::move(versions);
  OsvRange range;
  range.type = type == "SEMVER" ? OsvRangeType::kSemver : OsvRangeType::kEcosystem;
  range.events = std::move(events);
  affected.ranges.push_back(std::move(range));
  return affected;
}

TEST(OsvFeed, RangesFollowTheEcosystemOrdering) {
  using K = OsvEventKind;
  const auto npm = range_of("npm", "ECOSYSTEM",
                            {{K::kIntroduced, "1.2.0"},
                             {K::kFixed, "1.2.5"},
                             {K::kIntroduced, "2.0.0-rc.1"},
                             {K::kLastAffected, "2.0.1"}});
  EXPECT_EQ(affected_version(npm, "1.1.9").verdict, VersionVerdict::kNotAffected);
  EXPECT_EQ(affected_version(npm, "1.2.0").verdict, VersionVerdict::kAffected);
  EXPECT_EQ(affected_version(npm, "1.2.5").verdict, VersionVerdict::kNotAffected);  // fixed
  EXPECT_EQ(affected_version(npm, "2.0.0-rc.2").verdict, VersionVerdict::kAffected);
  EXPECT_EQ(affected_version(npm, "2.0.1").verdict,
            VersionVerdict::kAffected);  // last_affected
  EXPECT_EQ(affected_version(npm, "2.0.2").verdict, VersionVerdict::kNotAffected);
  EXPECT_EQ(affected_version(npm, "not-a-version").verdict, VersionVerdict::kNotEvaluated);

  // xz-utils' shape: Debian's ordering puts 5.6.1+really5.4.5 after 5.6.1.
  const auto deb = range_of("Debian:13", "ECOSYSTEM",
                            {{K::kIntroduced, "5.6.0-0.1"}, {K::kFixed, "5.6.1+really5.4.5-1"}});
  EXPECT_EQ(affected_version(deb, "5.6.1-1").verdict, VersionVerdict::kAffected);
  EXPECT_EQ(affected_version(deb, "5.4.5-0.3").verdict, VersionVerdict::kNotAffected);
  EXPECT_EQ(affected_version(deb, "5.6.1+really5.4.5-1").verdict, VersionVerdict::kNotAffected);

  const auto pypi = range_of("PyPI", "ECOSYSTEM", {{K::kIntroduced, "0"}, {K::kFixed, "2.0"}});
  EXPECT_EQ(affected_version(pypi, "2.0rc1").verdict, VersionVerdict::kAffected);
  EXPECT_EQ(affected_version(pypi, "2.0").verdict, VersionVerdict::kNotAffected);

  // No ordering for Maven: an ECOSYSTEM range is not evaluated, a listed version still matches.
  const auto maven = range_of("Maven", "ECOSYSTEM", {{K::kIntroduced, "0"}}, {"1.0"});
  EXPECT_EQ(affected_version(maven, "1.0").verdict, VersionVerdict::kAffected);
  const auto not_evaluated = affected_version(maven, "1.1");
  EXPECT_EQ(not_evaluated.verdict, VersionVerdict::kNotEvaluated);
  EXPECT_NE(not_evaluated.reason.find("no version ordering for Maven"), std::string::npos);
}

}  // namespace
}  // namespace cascade::scan
