// scan over the generated release: the stand-in DLL must be found by hash (three feed formats)
// and by YARA at its full nested path in every container kind; caps must stop hostile archives.
#include "scan/scanner.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>

#include "test_support.h"

namespace cascade::scan {
namespace {

struct Collected {
  std::map<std::string, FileReport> by_path;
  std::map<std::string, int> depth;
  std::map<std::string, std::string> top;
};

Collected scan_dir(const std::string& dir, const IndicatorSet* indicators, const YaraRules* rules,
                   ScanStats& stats, unsigned threads = 2) {
  ScanOptions options;
  options.inspect.trust = &testing::test_trust();
  options.inspect.now = 1800000000;
  options.inspect.legacy_hashes = indicators != nullptr && (indicators->needs(HashKind::kMd5) ||
                                                            indicators->needs(HashKind::kSha1));
  options.indicators = indicators;
  options.rules = rules;
  options.walk.threads = threads;
  Collected out;
  std::mutex mutex;
  run_scan({dir}, options, stats, [&](ScannedFile&& scanned) {
    std::lock_guard lock(mutex);
    const std::string relative = scanned.report.path.substr(dir.size() + 1);
    out.depth[relative] = scanned.depth;
    out.top[relative] = scanned.top_path.substr(dir.size() + 1);
    EXPECT_TRUE(out.by_path.emplace(relative, std::move(scanned.report)).second) << relative;
    return OrderedStep{};
  });
  return out;
}

std::vector<const Finding*> findings_of(const FileReport& r, const std::string& id) {
  std::vector<const Finding*> out;
  for (const auto& f : r.findings) {
    if (f.id == id) out.push_back(&f);
  }
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

class ScanRelease : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::fixture("scan");
    indicators_ = new IndicatorSet;
    for (const char* feed : {"hashes.txt", "hashes.csv", "bundle.stix.json"}) {
      auto loaded = indicators_->load(dir + "/feeds/" + feed);
      ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    }
    auto compiled = YaraRules::compile({dir + "/rules"});
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    rules_ = new YaraRules(std::move(compiled).value());
    stats_ = new ScanStats;
    result_ = new Collected(scan_dir(dir + "/release", indicators_, rules_, *stats_));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete stats_;
    delete rules_;
    delete indicators_;
  }
  static IndicatorSet* indicators_;
  static YaraRules* rules_;
  static ScanStats* stats_;
  static Collected* result_;
};
IndicatorSet* ScanRelease::indicators_ = nullptr;
YaraRules* ScanRelease::rules_ = nullptr;
ScanStats* ScanRelease::stats_ = nullptr;
Collected* ScanRelease::result_ = nullptr;

TEST_F(ScanRelease, TheDllIsFoundAtItsNestedPathInEveryContainer) {
  const std::string sha = read_text(testing::fixture("scan/ffmpeg.sha256"));
  ASSERT_EQ(sha.size(), 64u);
  const std::vector<std::string> expected = {
      "app.zip!bin/ffmpeg.dll",
      "app.cab!ffmpeg.dll",
      "bundle.tar.gz!app.zip!bin/ffmpeg.dll",
      "nested3.zip!payload/bundle.tar.gz!app.zip!bin/ffmpeg.dll",
      "resources/app.asar!node_modules/ffmpeg/ffmpeg.dll",
  };
  for (const auto& path : expected) {
    SCOPED_TRACE(path);
    auto it = result_->by_path.find(path);
    ASSERT_NE(it, result_->by_path.end());
    const FileReport& r = it->second;
    EXPECT_EQ(r.format, FileFormat::kPe);
    EXPECT_EQ(r.hashes.sha256, sha);
    // One match per feed: plain list, CSV and STIX.
    const auto hits = findings_of(r, "ioc.hash");
    ASSERT_EQ(hits.size(), 3u);
    for (const auto* f : hits) EXPECT_NE(f->message.find(sha), std::string::npos) << f->message;
    EXPECT_EQ(findings_of(r, "ioc.yara").size(), 2u);
    EXPECT_EQ(r.findings.front().id, "ioc.hash");  // critical first
    EXPECT_EQ(result_->depth.at(path), static_cast<int>(std::count(path.begin(), path.end(), '!')));
  }
  EXPECT_EQ(result_->top.at("nested3.zip!payload/bundle.tar.gz!app.zip!bin/ffmpeg.dll"),
            "nested3.zip");
}

TEST_F(ScanRelease, InsideTheSignedMsiTheCabinetEntryGetsItsInstallName) {
  const FileReport* dll = nullptr;
  for (const auto& [path, report] : result_->by_path) {
    if (path.starts_with("ExamplePhone.msi!app.cab!") &&
        path.ends_with("ExamplePhone/ffmpeg.dll")) {
      dll = &report;
    }
  }
  ASSERT_NE(dll, nullptr) << "no ExamplePhone.msi!app.cab!.../ExamplePhone/ffmpeg.dll";
  EXPECT_EQ(findings_of(*dll, "ioc.hash").size(), 3u);
  // The YARA marker is only visible once the MSZIP cabinet inside the MSI is expanded.
  EXPECT_FALSE(findings_of(*dll, "ioc.yara").empty());
  const FileReport& msi = result_->by_path.at("ExamplePhone.msi");
  EXPECT_EQ(msi.format, FileFormat::kMsi);
  EXPECT_TRUE(findings_of(msi, "ioc.yara").empty());
  for (const auto& f : msi.findings) {
    EXPECT_NE(f.id.rfind("signature.", 0), 0u) << f.id << ": " << f.message;
    EXPECT_NE(f.id.rfind("container.", 0), 0u) << f.id << ": " << f.message;
  }
}

TEST_F(ScanRelease, CleanFilesStayCleanAndContainersAreCounted) {
  for (const char* clean : {"helper.dll", "notes.txt", "app.cab!helper.dll"}) {
    SCOPED_TRACE(clean);
    ASSERT_TRUE(result_->by_path.contains(clean));
    const FileReport& r = result_->by_path.at(clean);
    EXPECT_TRUE(findings_of(r, "ioc.hash").empty());
    EXPECT_TRUE(findings_of(r, "ioc.yara").empty());
  }
  EXPECT_EQ(result_->by_path.at("app.zip").format, FileFormat::kArchive);
  EXPECT_EQ(result_->by_path.at("resources/app.asar").format, FileFormat::kAsar);
  EXPECT_EQ(stats_->files.load(), 8u);
  EXPECT_EQ(stats_->errors.load(), 0u);
  // app.zip, app.cab, bundle.tar.gz (+ its app.zip), nested3.zip (+2), app.asar, the MSI and
  // its cabinet.
  EXPECT_EQ(stats_->containers.load(), 10u);
  EXPECT_EQ(stats_->nested.load(), result_->by_path.size() - 8u);
}

TEST(ScanHostile, AZipBombAndADeepNestHitTheirCapsAndTheScanFinishes) {
  ScanStats stats;
  const Collected result = scan_dir(testing::fixture("scan/bombs"), nullptr, nullptr, stats);
  const FileReport& bomb = result.by_path.at("zipbomb.zip");
  ASSERT_FALSE(findings_of(bomb, "container.incomplete").empty());
  EXPECT_EQ(worst_severity(bomb), Severity::kHigh);
  // The ratio cap stops the expansion long before the 400 MiB the entry claims.
  EXPECT_EQ(result.by_path.at("deep.zip").format, FileFormat::kArchive);
  bool depth_cap = false;
  for (const auto& [path, report] : result.by_path) {
    if (!findings_of(report, "container.incomplete").empty() && path.starts_with("deep.zip!")) {
      depth_cap = true;
      EXPECT_EQ(std::count(path.begin(), path.end(), '!'), 8) << path;
    }
  }
  EXPECT_TRUE(depth_cap);
  EXPECT_FALSE(result.by_path.contains(
      "deep.zip!level10.zip!level9.zip!level8.zip!level7.zip!level6.zip!level5.zip!level4.zip!"
      "level3.zip!level2.zip!level1.zip!level0.zip!core.txt"));
}

TEST(ScanBuffer, OnlyTheHashKindsAFeedNeedsAreComputed) {
  IndicatorSet feeds;
  const std::string dir = testing::fixture("scan");
  ASSERT_TRUE(feeds.load(dir + "/feeds/hashes.txt").ok());
  EXPECT_TRUE(feeds.needs(HashKind::kSha256));
  EXPECT_FALSE(feeds.needs(HashKind::kMd5));
  ScanStats stats;
  const Collected result = scan_dir(dir + "/release", &feeds, nullptr, stats, 1);
  const FileReport& dll = result.by_path.at("app.zip!bin/ffmpeg.dll");
  EXPECT_FALSE(dll.hashes.md5.has_value());
  EXPECT_EQ(findings_of(dll, "ioc.hash").size(), 1u);
}

}  // namespace
}  // namespace cascade::scan
