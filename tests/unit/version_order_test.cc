// The ecosystems' version orderings, each checked pair by pair against the implementation its
// ecosystem uses: dpkg --compare-versions, the packaging library (as pip vendors it) and
// node-semver (as npm bundles it). A peer missing from the machine skips its test, saying so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scan/ioc/versions.h"

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

struct PeerRun {
  bool available = false;
  std::vector<int> orders;  // -1, 0 or 1 per pair
};

// Writes the pairs (tab-separated, one a line) and runs `command FILE`, which prints one order
// a line.
PeerRun run_peer(const std::string& command,
                 const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string pattern = (fs::temp_directory_path() / "cascade-versions-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) std::abort();
  ::close(fd);
  {
    std::ofstream out(pattern);
    for (const auto& [a, b] : pairs) out << a << '\t' << b << '\n';
  }
  PeerRun run;
  FILE* pipe = ::popen((command + " " + pattern + " 2>/dev/null").c_str(), "r");
  if (pipe != nullptr) {
    char line[64];
    while (std::fgets(line, sizeof line, pipe) != nullptr) run.orders.push_back(std::atoi(line));
    run.available = ::pclose(pipe) == 0 && run.orders.size() == pairs.size();
  }
  fs::remove(pattern);
  return run;
}

std::vector<std::pair<std::string, std::string>> all_pairs(
    const std::vector<std::string>& versions) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& a : versions) {
    for (const auto& b : versions) pairs.emplace_back(a, b);
  }
  return pairs;
}

int sign(int v) {
  return v < 0 ? -1 : (v > 0 ? 1 : 0);
}

void expect_same_as_peer(VersionScheme scheme, const std::string& command,
                         const std::vector<std::string>& versions) {
  const auto pairs = all_pairs(versions);
  const PeerRun peer = run_peer(command, pairs);
  if (!peer.available) GTEST_SKIP() << "peer not available: " << command;
  ASSERT_GE(pairs.size(), 300u);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto ours = compare_versions(scheme, pairs[i].first, pairs[i].second);
    ASSERT_TRUE(ours.has_value()) << pairs[i].first << " vs " << pairs[i].second;
    EXPECT_EQ(sign(*ours), peer.orders[i]) << pairs[i].first << " vs " << pairs[i].second;
  }
}

TEST(VersionOrder, DebianMatchesDpkg) {
  const std::vector<std::string> versions = {
      "0",
      "1.0",
      "1.0-0",
      "1.0-1",
      "1.0-1~bpo1",
      "1.0~rc1",
      "1.0~rc1-1",
      "1.0~~",
      "1.0~",
      "1.0a",
      "1.0+b1",
      "1.0.1",
      "1:0.9",
      "1:1.0-1",
      "2:0",
      "5.6.0-0.1",
      "5.6.1-1",
      "5.6.1-0.2",
      "5.6.1+really5.4.5-1",
      "5.4.5-0.3",
      "5.6.0",
      "10.0",
      "9.9",
      "1.0-1ubuntu1",
      "1.0-1ubuntu0.1",
      "00:1.0",
      "1.00",
      "1.0.0",
      "1.0-a",
      "1.0-+",
      "1.0-.",
  };
  const std::string command =
      "sh -c 'command -v dpkg >/dev/null || exit 3; while IFS=\"$(printf \"\\t\")\" read -r a b; "
      "do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo -1; elif dpkg "
      "--compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; done < \"$0\"'";
  expect_same_as_peer(VersionScheme::kDebian, command, versions);
}

TEST(VersionOrder, Pep440MatchesPackaging) {
  const std::vector<std::string> versions = {
      "1.0.dev456",    "1.0a1",         "1.0a2.dev456", "1.0a12.dev456",
      "1.0a12",        "1.0b1.dev456",  "1.0b2",        "1.0b2.post345.dev456",
      "1.0b2.post345", "1.0rc1.dev456", "1.0rc1",       "1.0",
      "1.0+abc.5",     "1.0+abc.7",     "1.0+5",        "1.0.post456.dev34",
      "1.0.post456",   "1.0.15",        "1.1.dev1",     "1!0.1",
      "1.0.0",         "1.0-1",         "1.0.POST2",    "v1.0",
      "1.0c1",         "1.0alpha1",     "1.0-r3",       "1.0_dev2",
      "2.0",           "1.0+abc.a",     "1.0+0",        "1.0a",
  };
  const std::string command =
      "python3 -c 'import sys\n"
      "from pip._vendor.packaging.version import Version as V\n"
      "for line in open(sys.argv[1]):\n"
      "    a, b = line.rstrip(\"\\n\").split(\"\\t\")\n"
      "    x, y = V(a), V(b)\n"
      "    print(-1 if x < y else (0 if x == y else 1))'";
  expect_same_as_peer(VersionScheme::kPep440, command, versions);
}

TEST(VersionOrder, SemverMatchesNodeSemver) {
  const std::vector<std::string> versions = {
      "0.0.0",          "0.0.1",           "0.1.0",
      "1.0.0-alpha",    "1.0.0-alpha.1",   "1.0.0-alpha.beta",
      "1.0.0-beta",     "1.0.0-beta.2",    "1.0.0-beta.11",
      "1.0.0-rc.1",     "1.0.0",           "1.0.0+build.7",
      "1.0.1",          "1.2.3",           "1.10.0",
      "2.0.0",          "10.0.0",          "1.0.0-1",
      "1.0.0-01a",      "1.0.0-a-b",       "1.0.0-alpha.2",
      "1.0.0-alpha.10", "2.0.0-0",         "3.3.6",
      "3.3.4",          "0.7.29",          "0.7.30",
      "1.0.0-x.7.z.92", "99999999999.0.0", "1.0.0-beta+exp.sha.5114f85",
  };
  const std::string command =
      "node -e 'const s = require(require(\"path\").join(require(\"child_process\")"
      ".execSync(\"npm root -g\").toString().trim(), \"npm/node_modules/semver\"));"
      "for (const l of require(\"fs\").readFileSync(process.argv[1], \"utf8\").split(\"\\n\")) {"
      "if (!l) continue; const [a, b] = l.split(\"\\t\"); console.log(s.compare(a, b)); }'";
  expect_same_as_peer(VersionScheme::kSemver, command, versions);
}

TEST(VersionOrder, InvalidVersionsAreNotOrdered) {
  EXPECT_FALSE(compare_semver("1.0", "1.0.0"));
  EXPECT_FALSE(compare_semver("1.0.0-", "1.0.0"));
  EXPECT_FALSE(compare_semver("01.0.0", "1.0.0"));
  EXPECT_FALSE(compare_debian_versions("", "1.0"));
  EXPECT_FALSE(compare_debian_versions("a1.0", "1.0"));
  EXPECT_FALSE(compare_debian_versions("x:1.0", "1.0"));
  EXPECT_FALSE(compare_debian_versions("1.0-", "1.0"));
  EXPECT_FALSE(compare_pep440("1.0.", "1.0"));
  EXPECT_FALSE(compare_pep440("one", "1.0"));
  EXPECT_FALSE(compare_pep440("1.0+", "1.0"));
  EXPECT_EQ(compare_semver("v1.2.3", "1.2.3"), 0);  // Go writes the 'v'
}

TEST(VersionOrder, DecimalRunsHaveNoWidthLimit) {
  EXPECT_LT(compare_decimal("99999999999999999999", "100000000000000000000"), 0);
  EXPECT_EQ(compare_decimal("007", "7"), 0);
  EXPECT_GT(compare_semver("1.0.100000000000000000000", "1.0.99999999999999999999").value(), 0);
}

TEST(VersionOrder, Ecosystems) {
  EXPECT_EQ(ecosystem_from_osv("Debian:12"), Ecosystem::kDebian);
  EXPECT_EQ(ecosystem_from_osv("PyPI"), Ecosystem::kPyPI);
  EXPECT_FALSE(ecosystem_from_osv("pypi"));  // OSV's names are case-sensitive
  EXPECT_FALSE(ecosystem_from_osv("Hackage"));
  EXPECT_EQ(ecosystem_purl_type(Ecosystem::kCratesIo), "cargo");
  EXPECT_EQ(ecosystem_purl_namespace(Ecosystem::kDebian), "debian");
  EXPECT_EQ(ecosystem_scheme(Ecosystem::kNpm), VersionScheme::kSemver);
  EXPECT_FALSE(ecosystem_scheme(Ecosystem::kMaven));
}

}  // namespace
}  // namespace cascade::scan
