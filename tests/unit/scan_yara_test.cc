// YARA inside scan: the external variables LOKI-style rule sets test (filename, filepath,
// extension, filetype) are set for each file, container entries included, and a rule's
// `meta: severity` rates its finding.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "container_test_support.h"
#include "core/finding_catalogue.h"
#include "scan/scanner.h"

namespace cascade::scan {
namespace {

// "MZ" with e_lfanew past the end: inspect takes it for a truncated PE.
std::string truncated_pe() {
  std::string bytes(64, '\0');
  bytes[0] = 'M';
  bytes[1] = 'Z';
  bytes[0x3d] = 0x10;  // e_lfanew = 0x1000
  return bytes;
}

const char* kRules = R"(
rule by_filename { condition: filename == "Tool.EXE" }
rule by_filepath { condition: filepath contains "bundle.tar!" }
rule by_extension { condition: extension == ".txt" }
rule without_extension { condition: extension == "" }
rule by_filetype { condition: filetype == "EXE" }
rule an_archive { condition: filetype == "ARCHIVE" }
rule rated_critical {
  meta:
    severity = "CRITICAL"
  condition:
    filename == "notes.txt"
}
rule rated_low {
  meta:
    severity = "low"
  condition:
    filename == "notes.txt"
}
rule rated_oddly {
  meta:
    severity = "urgent"
  condition:
    filename == "README"
}
)";

// A YARA finding's message starts with the rule's name, then its metas after "; ".
bool names(const Finding& finding, const std::string& rule) {
  return finding.message == rule || finding.message.starts_with(rule + ";");
}

class ScanYara : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_.path().string();
    write("notes.txt", "hello");
    write("README", "hello");
    const auto tar =
        testing::write_archive("ustar", {}, {testing::file("bin/Tool.EXE", truncated_pe())});
    write("bundle.tar", std::string(tar.begin(), tar.end()));
    write("rules/test.yar", kRules);
    auto compiled = YaraRules::compile({dir_ + "/rules"});
    ASSERT_TRUE(compiled.ok()) << compiled.error().message;
    rules_.emplace(std::move(compiled).value());
    ScanOptions options;
    options.rules = &*rules_;
    options.walk.threads = 2;
    ScanStats stats;
    std::mutex mutex;
    run_scan({dir_ + "/data"}, options, stats, [&](ScannedFile&& scanned) {
      std::lock_guard lock(mutex);
      const std::string relative = scanned.report.path.substr(dir_.size() + 6);
      reports_.emplace(relative, std::move(scanned.report));
      return OrderedStep{};
    });
  }
  void write(const std::string& name, const std::string& content) const {
    temp_.write(name.starts_with("rules/") ? name : "data/" + name, content);
  }
  // The files a rule matched, by path below the scanned directory.
  std::vector<std::string> matched_by(const std::string& rule) const {
    std::vector<std::string> out;
    for (const auto& [path, report] : reports_) {
      for (const auto& finding : report.findings) {
        if (finding.is(findings::kIocYara) && names(finding, rule)) out.push_back(path);
      }
    }
    return out;
  }
  const Finding& finding_of(const std::string& path, const std::string& rule) const {
    for (const auto& finding : reports_.at(path).findings) {
      if (finding.is(findings::kIocYara) && names(finding, rule)) return finding;
    }
    ADD_FAILURE() << rule << " did not match " << path;
    static const Finding kNone;
    return kNone;
  }

  testing::TempDir temp_;
  std::string dir_;
  std::optional<YaraRules> rules_;
  std::map<std::string, FileReport> reports_;
};

using Paths = std::vector<std::string>;

TEST_F(ScanYara, EachExternalVariableDescribesTheFileScanned) {
  ASSERT_EQ(reports_.size(), 4u);  // three files and the tar's entry
  EXPECT_EQ(matched_by("by_filename"), Paths{"bundle.tar!bin/Tool.EXE"});
  EXPECT_EQ(matched_by("by_filepath"), Paths{"bundle.tar!bin/Tool.EXE"});
  EXPECT_EQ(matched_by("by_extension"), Paths{"notes.txt"});
  EXPECT_EQ(matched_by("without_extension"), Paths{"README"});
  EXPECT_EQ(matched_by("by_filetype"), Paths{"bundle.tar!bin/Tool.EXE"});
  EXPECT_EQ(matched_by("an_archive"), Paths{"bundle.tar"});
}

TEST_F(ScanYara, MetaSeverityRatesTheFindingCaseInsensitively) {
  EXPECT_EQ(finding_of("notes.txt", "rated_critical").severity, Severity::kCritical);
  EXPECT_EQ(finding_of("notes.txt", "rated_low").severity, Severity::kLow);
  // Without the meta, the catalogue's severity.
  EXPECT_EQ(finding_of("README", "without_extension").severity, Severity::kHigh);
}

TEST_F(ScanYara, AnUnknownSeverityKeepsTheDefaultAndSaysSo) {
  const Finding& finding = finding_of("README", "rated_oddly");
  EXPECT_EQ(finding.severity, Severity::kHigh);
  EXPECT_NE(finding.message.find("severity \"urgent\" is not info, low, medium, high or critical"),
            std::string::npos)
      << finding.message;
}

TEST(YaraFileVariables, EachConcurrentScanSeesItsOwnFile) {
  testing::TempDir dir;
  dir.write("names.yar",
            "rule is_a { condition: filename == \"a\" }\n"
            "rule is_b { condition: filename == \"b\" }\n");
  auto rules = YaraRules::compile({dir / "names.yar"});
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  std::atomic<int> wrong{0};
  auto scan_as = [&](const std::string& name) {
    const auto file = yara_file_variables("dir/" + name, false, "unknown");
    for (int i = 0; i < 200; ++i) {
      auto matches = rules->match(testing::bytes_of(std::string("data")), file);
      if (!matches || matches->size() != 1 || (*matches)[0].rule != "is_" + name) ++wrong;
    }
  };
  std::thread a(scan_as, "a");
  std::thread b(scan_as, "b");
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(YaraFileVariables, NamesFollowLokiConventions) {
  const auto top = yara_file_variables("dist/Setup.Tar.GZ", false, "unknown");
  EXPECT_EQ(top.filename, "Setup.Tar.GZ");
  EXPECT_EQ(top.filepath, "dist/Setup.Tar.GZ");
  EXPECT_EQ(top.extension, ".gz");
  EXPECT_EQ(top.filetype, "UNKNOWN");
  const auto entry = yara_file_variables("a.msi!App\\x.dll", true, "pe");
  EXPECT_EQ(entry.filename, "x.dll");
  EXPECT_EQ(entry.extension, ".dll");
  EXPECT_EQ(entry.filetype, "EXE");
  // Outside containers '!' and '\' are ordinary characters of a name.
  EXPECT_EQ(yara_file_variables("d/a!b\\c", false, "elf").filename, "a!b\\c");
  EXPECT_EQ(yara_file_variables("d/a!b\\c", false, "elf").filetype, "ELF");
  // A leading dot starts no extension; a trailing one is one.
  EXPECT_EQ(yara_file_variables("home/.bashrc", false, "unknown").extension, "");
  EXPECT_EQ(yara_file_variables("x/..", false, "unknown").extension, "");
  EXPECT_EQ(yara_file_variables("x/name.", false, "unknown").extension, ".");
}

}  // namespace
}  // namespace cascade::scan
