// Installed packages against OSV advisories (scan/packages/advisory_match.h): listed versions,
// ranges, fixed versions left out, other packages, scoped npm names, PyPI name normalisation,
// ranges that cannot be evaluated, and printable messages. Advisories name invented packages.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/finding_catalogue.h"
#include "scan/ioc/indicators.h"
#include "scan/packages/advisory_match.h"
#include "scan/packages/installed_package.h"
#include "temp_dir.h"

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

// An array of advisories, one per (id, ecosystem, name, affected body).
std::string advisory(const std::string& id, const std::string& summary,
                     const std::string& ecosystem, const std::string& name,
                     const std::string& affected_body) {
  return R"({"id":")" + id + R"(","modified":"2024-01-01T00:00:00Z","summary":")" + summary +
         R"(","affected":[{"package":{"ecosystem":")" + ecosystem + R"(","name":")" + name +
         R"("},)" + affected_body + "}]}";
}

InstalledPackage installed(PackageEcosystem ecosystem, const std::string& purl,
                           const std::string& version) {
  return {.purl = purl, .ecosystem = ecosystem, .version = version, .source = "t/manifest"};
}

class PackageAdvisoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string feed = dir_.write(
        "advisories.json",
        "[" +
            advisory("MAL-0000-0001", "Malicious code in x-test-listed (npm)", "npm",
                     "x-test-listed", R"("versions":["1.0.0","1.0.1"])") +
            "," +
            advisory("GHSA-0000-0002", "A flaw in x-test-range", "npm", "x-test-range",
                     R"("ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},)"
                     R"({"fixed":"1.0.3"}]}])") +
            "," +
            advisory("MAL-0000-0003", "Malicious code in @x-test/scoped (npm)", "npm",
                     "@x-test/scoped", R"("versions":["2.0.0"])") +
            "," +
            advisory("PYSEC-0000-0004", "A flaw in X_Test.Python", "PyPI", "X_Test-Python",
                     R"("ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},)"
                     R"({"fixed":"2.0"}]}])") +
            "," +
            advisory("MAL-0000-0005", "A \\u001b[31mred\\u001b[0m summary", "npm", "x-test-semver",
                     R"("ranges":[{"type":"SEMVER","events":[{"introduced":"0"},)"
                     R"({"fixed":"1.0.0"}]}])") +
            "]");
    ASSERT_TRUE(indicators_.load(feed));
  }

  std::vector<Finding> findings(const InstalledPackage& package) const {
    return PackageAdvisories(indicators_).findings_for(package);
  }

  TempDir dir_;
  IndicatorSet indicators_;
};

TEST_F(PackageAdvisoriesTest, ListedVersion) {
  const auto found =
      findings(installed(PackageEcosystem::kNpm, "pkg:npm/x-test-listed@1.0.1", "1.0.1"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].is(findings::kIocPackage));
  EXPECT_EQ(found[0].severity, Severity::kHigh);
  EXPECT_EQ(found[0].message,
            "advisories.json: MAL-0000-0001 (Malicious code in x-test-listed (npm)): listed "
            "version 1.0.1");
  EXPECT_TRUE(
      findings(installed(PackageEcosystem::kNpm, "pkg:npm/x-test-listed@1.0.2", "1.0.2")).empty());
}

TEST_F(PackageAdvisoriesTest, RangeHoldsTheVersionAndTheFixedOneIsLeftOut) {
  for (const char* version : {"1.0.0", "1.0.2", "1.0.3-rc.1"}) {
    const auto found = findings(
        installed(PackageEcosystem::kNpm, std::string("pkg:npm/x-test-range@") + version, version));
    ASSERT_EQ(found.size(), 1u) << version;
    EXPECT_TRUE(found[0].is(findings::kIocPackage)) << version;
    EXPECT_NE(found[0].message.find("GHSA-0000-0002 (A flaw in x-test-range): SEMVER range "
                                    "[introduced 1.0.0, fixed 1.0.3]"),
              std::string::npos)
        << found[0].message;
  }
  for (const char* version : {"1.0.3", "1.1.0", "0.9.9"}) {
    EXPECT_TRUE(findings(installed(PackageEcosystem::kNpm,
                                   std::string("pkg:npm/x-test-range@") + version, version))
                    .empty())
        << version;
  }
}

TEST_F(PackageAdvisoriesTest, OtherPackagesAndEcosystemsAreNotNamed) {
  EXPECT_TRUE(
      findings(installed(PackageEcosystem::kNpm, "pkg:npm/x-test-other@1.0.0", "1.0.0")).empty());
  // The same name in another ecosystem is another package.
  EXPECT_TRUE(findings(installed(PackageEcosystem::kPypi, "pkg:pypi/x-test-listed@1.0.0", "1.0.0"))
                  .empty());
  // A scope is part of the name: the unscoped package is not the scoped one.
  EXPECT_TRUE(findings(installed(PackageEcosystem::kNpm, "pkg:npm/scoped@2.0.0", "2.0.0")).empty());
}

TEST_F(PackageAdvisoriesTest, ScopedNpmName) {
  const auto found =
      findings(installed(PackageEcosystem::kNpm, "pkg:npm/%40x-test/scoped@2.0.0", "2.0.0"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].is(findings::kIocPackage));
  EXPECT_NE(found[0].message.find("MAL-0000-0003"), std::string::npos);
}

TEST_F(PackageAdvisoriesTest, PypiNamesAreComparedNormalised) {
  // The advisory writes X_Test-Python, the installed metadata x-test_Python: one package.
  PackageInventory inventory;
  inventory.add({.packages = {{.ecosystem = PackageEcosystem::kPypi,
                               .name = "x-test_Python",
                               .version = "1.9",
                               .source = "t/x_test_python-1.9.dist-info/METADATA"}}});
  const std::vector<InstalledPackage> packages = inventory.finish();
  ASSERT_EQ(packages.size(), 1u);
  const auto found = findings(packages[0]);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].is(findings::kIocPackage));
  EXPECT_NE(found[0].message.find("ECOSYSTEM range [introduced 0, fixed 2.0]"), std::string::npos)
      << found[0].message;
  // PEP 440: 2.0.0 is 2.0, the fixed version.
  EXPECT_TRUE(findings(installed(PackageEcosystem::kPypi, "pkg:pypi/x-test-python@2.0.0", "2.0.0"))
                  .empty());
}

TEST_F(PackageAdvisoriesTest, UnevaluatedRangeIsVisibleAndLow) {
  // A version semver refuses: the range cannot say, and nothing else says "affected".
  const auto found =
      findings(installed(PackageEcosystem::kNpm, "pkg:npm/x-test-semver@1.0", "1.0"));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].is(findings::kIocPackageUnevaluated));
  EXPECT_EQ(found[0].severity, Severity::kLow);
  EXPECT_NE(found[0].message.find("not evaluated"), std::string::npos) << found[0].message;
  // The advisory's summary is shown printable: no escape sequence reaches a terminal.
  EXPECT_EQ(found[0].message.find('\x1b'), std::string::npos) << found[0].message;
  EXPECT_NE(found[0].message.find("\\x1B[31mred"), std::string::npos) << found[0].message;
}

TEST_F(PackageAdvisoriesTest, MatchingAListSetsEachPackagesFindings) {
  std::vector<InstalledPackage> packages = {
      installed(PackageEcosystem::kNpm, "pkg:npm/x-test-listed@1.0.0", "1.0.0"),
      installed(PackageEcosystem::kNpm, "pkg:npm/x-test-listed@3.0.0", "3.0.0")};
  match_package_advisories(packages, indicators_);
  EXPECT_EQ(packages[0].findings.size(), 1u);
  EXPECT_TRUE(packages[1].findings.empty());

  // Without advisories nothing is named, whatever the packages.
  IndicatorSet none;
  match_package_advisories(packages, none);
  EXPECT_TRUE(packages[0].findings.empty());
}

}  // namespace
}  // namespace cascade::scan
