// The scan outputs: the streamed JSON document parses whole, JSON Lines records parse one by
// one, SARIF carries rules and nested locations, the text summary ranks by severity.
#include "report/scan_report.h"
#include "core/finding_catalogue.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cascade {
namespace {

using nlohmann::json;

FileReport report_with(const std::string& path, std::vector<Finding> findings) {
  FileReport r;
  r.path = path;
  r.size = 10;
  r.hashes.sha256 = std::string(64, 'a');
  r.findings = std::move(findings);
  return r;
}

ScanRun sample_run() {
  ScanRun run;
  run.version = "0.1.0";
  run.host = "build-01";
  run.started = "2026-11-28T10:00:00Z";
  run.finished = "2026-11-28T10:00:05Z";
  run.roots = {"release"};
  run.feeds.push_back(
      {"feeds/3cx.csv", "3cx.csv", scan::FeedFormat::kCsv, std::string(64, 'b'), 15, 0});
  return run;
}

TEST(ScanReport, StreamedDocumentParsesWhole) {
  std::ostringstream out;
  ScanJsonWriter writer(out, false);
  const ScanRun run = sample_run();
  writer.begin(run);
  writer.file(report_with("release/a.dll", {}));
  writer.file(
      report_with("release/app.zip!b.dll", {make_finding(findings::kIocHash, "3cx.csv: x")}));
  ScanTotals totals;
  totals.files = 2;
  totals.findings[Severity::kCritical] = 1;
  writer.end(run, totals, {});
  const json doc = json::parse(out.str());
  EXPECT_EQ(doc["schema"], scan::kScanSchema);
  EXPECT_EQ(doc["host"], "build-01");
  EXPECT_EQ(doc["feeds"][0]["format"], "csv");
  EXPECT_EQ(doc["files"].size(), 2u);
  EXPECT_EQ(doc["files"][1]["path"], "release/app.zip!b.dll");
  EXPECT_EQ(doc["finished"], "2026-11-28T10:00:05Z");
  EXPECT_EQ(doc["summary"]["findings"]["critical"], 1);
}

TEST(ScanReport, JsonLinesAreOneRecordEach) {
  std::ostringstream out;
  ScanJsonWriter writer(out, true);
  const ScanRun run = sample_run();
  writer.begin(run);
  writer.file(report_with("release/a.dll", {}));
  writer.end(run, ScanTotals{}, {});
  std::istringstream in(out.str());
  std::vector<json> records;
  for (std::string line; std::getline(in, line);) records.push_back(json::parse(line));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["record"], "scan");
  EXPECT_EQ(records[0]["schema"], scan::kScanLinesSchema);
  EXPECT_EQ(records[1]["record"], "file");
  EXPECT_EQ(records[2]["record"], "summary");
}

TEST(ScanReport, SarifNamesRulesAndNestedLocations) {
  SarifCollector sarif;
  sarif.add(report_with("release/setup.msi!app.cab!ffmpeg.dll",
                        {make_finding(findings::kIocHash, "feed: match"),
                         make_finding(findings::kSignatureMissing, "no signature")}));
  sarif.add(
      report_with("/abs/path with space.dll", {make_finding(findings::kIocHash, "feed: match")}));
  const json doc = sarif.document(sample_run(), ScanTotals{});
  EXPECT_EQ(doc["version"], "2.1.0");
  const json& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 2u);  // each used rule once
  ASSERT_EQ(run["results"].size(), 3u);
  const json& first = run["results"][0];
  EXPECT_EQ(first["ruleId"], "ioc.hash");
  EXPECT_EQ(first["level"], "error");
  EXPECT_EQ(first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "release/setup.msi");
  EXPECT_EQ(first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "release/setup.msi!app.cab!ffmpeg.dll");
  EXPECT_EQ(run["results"][1]["level"], "note");
  EXPECT_EQ(run["results"][2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///abs/path%20with%20space.dll");
}

TEST(ScanReport, TextSummaryRanksBySeverityAndCountsTheRest) {
  TextSummary summary(2);
  summary.add(report_with("a.dll", {make_finding(findings::kPeOverlay, "tail")}));
  summary.add(report_with("b.dll", {make_finding(findings::kIocHash, "feed: hit")}));
  summary.add(report_with("c.dll", {make_finding(findings::kSignaturePadding, "pad")}));
  FileReport broken;
  broken.path = "d.bin";
  broken.error = "Permission denied";
  broken.findings.push_back(make_finding(findings::kFileUnreadable, broken.error));
  summary.add(broken);
  ScanTotals totals;
  totals.files = 3;
  totals.errors = 1;
  std::ostringstream out;
  summary.write(out, sample_run(), totals, {}, false);
  const std::string text = out.str();
  const auto critical = text.find("ioc.hash");
  const auto high = text.find("signature.padding");
  ASSERT_NE(critical, std::string::npos) << text;
  ASSERT_NE(high, std::string::npos) << text;
  EXPECT_LT(critical, high);
  EXPECT_EQ(text.find("pe.overlay"), std::string::npos) << text;  // beyond the top 2
  EXPECT_NE(text.find("1 more"), std::string::npos) << text;
  EXPECT_NE(text.find("d.bin: Permission denied"), std::string::npos) << text;
}

}  // namespace
}  // namespace cascade
