// diff on the generated ExamplePhone releases (tests/fixtures/diff/README.md): the two files
// tampered in the 3CX way rank first and second with the expected findings, the ordinary
// version bump ranks below them, and a tree diffed against its copy says nothing.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "diff/differ.h"
#include "inspect/file_report_json.h"
#include "report/scan_report.h"
#include "scan/scanner.h"
#include "test_support.h"

namespace cascade::diff {
namespace {

struct Loaded {
  Release old_release, new_release;
  DiffResult result;
};

const authenticode::TrustStore& fixture_trust() {
  static const auto store = authenticode::TrustStore::create(
      {.builtin = false, .extra_files = {testing::fixture("pki/ca.pem")}});
  return store.value();
}

Loaded diff_of(const std::string& old_name, const std::string& new_name) {
  ReleaseOptions options;
  options.trust = &fixture_trust();
  options.now = 1800000000;  // 2027: the fixture PKI is valid then
  options.threads = 2;
  auto o = load_release(testing::fixture("diff/" + old_name), options);
  auto n = load_release(testing::fixture("diff/" + new_name), options);
  EXPECT_TRUE(o) << (o ? "" : o.error().message);
  EXPECT_TRUE(n) << (n ? "" : n.error().message);
  if (!o || !n) return {};
  Loaded out{std::move(o).value(), std::move(n).value(), {}};
  out.result = diff_releases(out.old_release, out.new_release, {});
  return out;
}

std::set<std::string> ids_of(const FileDiff& f) {
  std::set<std::string> ids;
  for (const auto& df : f.findings) ids.insert(df.finding.id);
  return ids;
}

void expect_3cx_ranking(const DiffResult& r, const std::string& prefix) {
  ASSERT_GE(r.files.size(), 3u);
  std::map<std::string, const FileDiff*> by_key;
  for (const auto& f : r.files) by_key[f.key] = &f;
  const std::set<std::string> top{r.files[0].key, r.files[1].key};
  EXPECT_EQ(top, (std::set<std::string>{prefix + "ffmpeg.dll", prefix + "d3dhelper.dll"}));

  const FileDiff* ffmpeg = by_key[prefix + "ffmpeg.dll"];
  ASSERT_NE(ffmpeg, nullptr);
  EXPECT_TRUE(ids_of(*ffmpeg).contains("diff.silent-change"));
  EXPECT_TRUE(ids_of(*ffmpeg).contains("diff.capability-gained"));
  const FileDiff* d3d = by_key[prefix + "d3dhelper.dll"];
  ASSERT_NE(d3d, nullptr);
  EXPECT_TRUE(ids_of(*d3d).contains("diff.signed-content-change"));
  EXPECT_TRUE(ids_of(*d3d).contains("signature.padding"));
  EXPECT_FALSE(ids_of(*d3d).contains("diff.signature-lost"));

  const FileDiff* exe = by_key[prefix + "examplephone.exe"];
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->status, ChangeStatus::kModified);
  EXPECT_LT(exe->risk, d3d->risk);
  EXPECT_LT(exe->risk, ffmpeg->risk);
  EXPECT_TRUE(exe->delta.contains("version"));
  EXPECT_FALSE(by_key.contains(prefix + "helper.dll")) << "unchanged files are not listed";
}

TEST(DiffFixtures, TamperedDllsRankFirstInTheTrees) {
  const Loaded d = diff_of("v1", "v2");
  expect_3cx_ranking(d.result, "");
}

TEST(DiffFixtures, TamperedDllsRankFirstInTheMsis) {
  const Loaded d = diff_of("msi/ExamplePhone-1.0.msi", "msi/ExamplePhone-1.1.msi");
  expect_3cx_ranking(d.result, "examplephone/");
}

TEST(DiffFixtures, ATreeAgainstItsCopySaysNothing) {
  const Loaded d = diff_of("v1", "same");
  EXPECT_TRUE(d.result.files.empty());
  EXPECT_TRUE(d.result.summary.findings.empty());
  EXPECT_GE(d.result.summary.status.at(ChangeStatus::kUnchanged), 6u);
}

TEST(DiffFixtures, SavedReportsGiveTheSameResultAsTheBits) {
  const Loaded live = diff_of("v1", "v2");
  // Each release saved as `scan --json` writes it, then diffed without the bits.
  ReleaseOptions options;
  options.trust = &fixture_trust();
  options.now = 1800000000;
  std::vector<std::string> reports;
  for (const char* side : {"v1", "v2"}) {
    std::ostringstream out;
    ScanJsonWriter writer(out, false);
    ScanRun run;
    run.roots = {testing::fixture(std::string("diff/") + side)};
    writer.begin(run);
    scan::ScanOptions scan_options;
    scan_options.inspect.trust = options.trust;
    scan_options.inspect.now = options.now;
    scan::ScanStats stats;
    scan::run_scan(run.roots, scan_options, stats, [&](scan::ScannedFile&& f) {
      writer.file(f.report);
      return scan::OrderedStep{};
    });
    writer.end(run, {}, {});
    reports.push_back(out.str());
  }
  auto o = release_from_report(reports[0], "v1.json");
  auto n = release_from_report(reports[1], "v2.json");
  ASSERT_TRUE(o && n);
  const DiffResult from_reports = diff_releases(*o, *n, {});
  ASSERT_EQ(from_reports.files.size(), live.result.files.size());
  for (std::size_t i = 0; i < from_reports.files.size(); ++i) {
    EXPECT_EQ(from_reports.files[i].key, live.result.files[i].key);
    EXPECT_EQ(from_reports.files[i].risk, live.result.files[i].risk);
    EXPECT_EQ(ids_of(from_reports.files[i]), ids_of(live.result.files[i]));
  }
}

}  // namespace
}  // namespace cascade::diff
