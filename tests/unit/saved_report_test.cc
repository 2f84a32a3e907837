// The shared reader of saved reports: schema detection, the envelope of each form, and what a
// bad JSON Lines line does in each mode.
#include "scan/saved_report.h"

#include <gtest/gtest.h>

#include <string>

namespace cascade::scan {
namespace {

using nlohmann::json;

constexpr std::string_view kLines =
    "{\"record\":\"scan\",\"schema\":\"cascade.scan-jsonl/1\",\"roots\":[\"/r\",7],"
    "\"host\":\"h1\"}\n"
    "\n"
    "{\"record\":\"file\",\"path\":\"/r/a\"}\n"
    "{\"record\":\"file\",\"path\":\"/r/b\",\"path\":\"/r/c\"}\n"
    "[1]\n"
    "{\"record\":\"file\",\"path\":\"/r/d\"}\n"
    "{\"record\":\"summary\"}\n";

std::vector<std::string> file_paths(const SavedReport& report) {
  std::vector<std::string> out;
  for (const json* file : report.files()) out.push_back(file->value("path", ""));
  return out;
}

TEST(SavedReport, ReadsAScanDocument) {
  auto report = read_saved_report(
      R"({"schema":"cascade.scan/1","host":"h","roots":["/a","/b"],"files":[{"path":"/a/x"},3]})",
      "r.json");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->schema, SavedReportSchema::kScan);
  EXPECT_EQ(report->roots, (std::vector<std::string>{"/a", "/b"}));
  ASSERT_NE(report->host(), nullptr);
  EXPECT_EQ(*report->host(), "h");
  EXPECT_EQ(report->head_line, 0u);
  ASSERT_NE(report->file_list(), nullptr);
  EXPECT_EQ(report->files().size(), 2u) << "every element, for the consumer to judge";
}

TEST(SavedReport, ReadsAnInspectDocumentWithoutRoots) {
  auto report = read_saved_report(
      R"({"schema":"cascade.inspect/1","roots":["/ignored"],"files":[{"path":"/p/x"}]})", "i");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->schema, SavedReportSchema::kInspect);
  EXPECT_TRUE(report->roots.empty());
  EXPECT_EQ(report->host(), nullptr);
  EXPECT_EQ(file_paths(*report), (std::vector<std::string>{"/p/x"}));
}

TEST(SavedReport, RefusesOtherSchemasAndNonReports) {
  auto other = read_saved_report(R"({"schema":"other/1","files":[]})", "o.json");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message,
            "o.json: schema \"other/1\" is neither cascade.scan/1 nor cascade.inspect/1");
  auto array = read_saved_report("[]", "a.json");
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().message, "a.json: not a JSON report");
  EXPECT_EQ(saved_report_schema(json::parse(R"({"schema":"cascade.scan-jsonl/1"})")),
            SavedReportSchema::kScanLines);
  EXPECT_EQ(saved_report_schema(json::parse(R"({"schema":7})")), std::nullopt);
}

TEST(SavedReport, RefusesADuplicateKeyInADocument) {
  auto report =
      read_saved_report(R"({"schema":"cascade.scan/1","files":[],"files":[{"path":"/x"}]})", "d");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kMalformed);
  EXPECT_NE(report.error().message.find("files"), std::string::npos) << report.error().message;
}

TEST(SavedReport, StopsAtTheFirstBadLineByDefault) {
  auto report = read_saved_report(kLines, "s.jsonl");
  ASSERT_FALSE(report);
  EXPECT_TRUE(report.error().message.starts_with("s.jsonl: line 4: ")) << report.error().message;
  EXPECT_NE(report.error().message.find("path"), std::string::npos) << "names the repeated key";
}

TEST(SavedReport, RecordsBadLinesAndReadsOnWhenAsked) {
  auto report = read_saved_report(kLines, "s.jsonl", {.bad_line = BadLine::kRecord});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->schema, SavedReportSchema::kScanLines);
  EXPECT_EQ(report->head_line, 1u);
  EXPECT_EQ(report->roots, (std::vector<std::string>{"/r"}));
  ASSERT_NE(report->host(), nullptr);
  EXPECT_EQ(*report->host(), "h1");
  ASSERT_EQ(report->bad_lines.size(), 2u);
  EXPECT_EQ(report->bad_lines[0].line, 4u);
  EXPECT_EQ(report->bad_lines[0].error.code, ErrorCode::kAmbiguous);
  EXPECT_EQ(report->bad_lines[1].line, 5u);
  EXPECT_EQ(report->bad_lines[1].error.message, "not a JSON object");
  ASSERT_EQ(report->records.size(), 3u);
  EXPECT_EQ(report->records[0].line, 3u);
  EXPECT_EQ(report->records[2].line, 7u);
  EXPECT_EQ(file_paths(*report), (std::vector<std::string>{"/r/a", "/r/d"}));
}

TEST(SavedReport, ANonObjectLineStopsTheStrictRead) {
  auto report = read_saved_report(
      "{\"schema\":\"cascade.scan-jsonl/1\",\"record\":\"scan\"}\n\"text\"\n", "t.jsonl");
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "t.jsonl: line 2 is not a JSON object");
}

TEST(SavedReport, TheFirstRecordMustNameTheLinesSchemaInEitherMode) {
  auto report = read_saved_report_lines("{\"record\":\"scan\"}\n{\"record\":\"file\"}\n", "n",
                                        {.bad_line = BadLine::kRecord});
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().message, "n: not a cascade report");
}

TEST(SavedReport, TheNestingLimitIsTheCallers) {
  const std::string deep = std::string(300, '[') + std::string(300, ']');
  const std::string text =
      "{\"schema\":\"cascade.scan-jsonl/1\"}\n{\"record\":\"file\",\"x\":" + deep + "}\n";
  EXPECT_FALSE(read_saved_report(text, "deep"));
  auto lenient = read_saved_report(text, "deep", {.max_depth = 512});
  ASSERT_TRUE(lenient) << lenient.error().message;
  EXPECT_EQ(lenient->files().size(), 1u);
}

}  // namespace
}  // namespace cascade::scan
