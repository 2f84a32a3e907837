// The outputs of `cascade scan`: a streamed JSON document (cascade.scan/1), JSON Lines records
// (cascade.scan-jsonl/1), SARIF 2.1.0 for code-scanning tools, and the text summary.
// Schemas are documented in docs/json-schema.md and docs/schema/.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "inspect/inspect.h"
#include "scan/ioc/indicators.h"
#include "scan/ioc/yara_rules.h"
#include "scan/packages/installed_package.h"
#include "scan/report_schema.h"

namespace cascade {

// What a scan report says about the run itself (the trace command ingests it as an inventory).
struct ScanRun {
  std::string version;
  std::string host;
  std::string started;   // RFC 3339, UTC
  std::string finished;  // set when the scan ends
  std::vector<std::string> roots;
  std::vector<scan::FeedInfo> feeds;
  std::vector<scan::RuleFileInfo> rules;
  std::size_t rule_count = 0;
  std::vector<std::string> catalogs;  // the signed catalogs whose members count as signed
};

// Totals for the summary.
struct ScanTotals {
  std::uint64_t files = 0;   // top-level files read
  std::uint64_t nested = 0;  // files inside containers
  std::uint64_t bytes = 0;
  std::uint64_t containers = 0;
  std::uint64_t errors = 0;
  std::map<Severity, std::uint64_t> findings;  // by severity, over every file
  // With the scan cache: how many of `files` were taken from it without being read.
  std::optional<std::uint64_t> reused;
};

// The current time as RFC 3339 UTC ("2026-11-28T15:21:09Z").
std::string utc_now_rfc3339();

nlohmann::json scan_run_json(const ScanRun& run);
nlohmann::json scan_totals_json(const ScanTotals& totals);
// One entry of a scan report's `packages` list (without the JSON Lines "record" member).
nlohmann::json installed_package_json(const scan::InstalledPackage& package);

// The streamed document: begin(), then file() per report in any order, then end() with the
// installed packages (PackageInventory::finish(): sorted, without duplicates).
class ScanJsonWriter {
 public:
  // `cache`: the scan used the scan cache, so every file record says whether it was read.
  ScanJsonWriter(std::ostream& out, bool lines, bool cache = false)
      : out_(out), lines_(lines), cache_(cache) {}
  void begin(const ScanRun& run);
  void file(const FileReport& report) { write(serialize(report)); }
  // serialize() may run on any thread; write() must be serialised by the caller.
  // `cached_facts`: the file came from the scan cache (scan::ScannedFile::cached_facts).
  std::string serialize(const FileReport& report, const std::string* cached_facts = nullptr) const;
  void write(const std::string& record);
  void end(const ScanRun& run, const ScanTotals& totals,
           const std::vector<scan::InstalledPackage>& packages);

 private:
  std::ostream& out_;
  bool lines_;
  bool cache_;
  bool first_ = true;
};

// SARIF keeps the findings (not the file objects) until the end.
class SarifCollector {
 public:
  void add(const FileReport& report);
  // An installed package's findings, located at the manifest that states it.
  void add(const scan::InstalledPackage& package);
  nlohmann::json document(const ScanRun& run, const ScanTotals& totals) const;

 private:
  nlohmann::json results_ = nlohmann::json::array();
  std::map<std::string, Severity> rules_used_;
};

// The text summary: counts, then at most `top` findings (the files' and the installed
// packages', a package shown as "purl (manifest)" in place of a path): most severe first, then
// by path, id and message, so the list is the same however the files arrived.
class TextSummary {
 public:
  explicit TextSummary(std::size_t top) : top_(top) {}
  void add(const FileReport& report);
  void write(std::ostream& out, const ScanRun& run, const ScanTotals& totals,
             const std::vector<scan::InstalledPackage>& packages, bool color) const;

 private:
  struct Entry {
    Severity severity;
    std::string path, id, message;
  };
  static bool listed_before(const Entry& a, const Entry& b);
  std::size_t top_;
  std::vector<Entry> entries_;                               // the `top_` most severe so far
  std::vector<std::pair<std::string, std::string>> errors_;  // the first `top_`
  std::uint64_t finding_count_ = 0;
  std::uint64_t error_count_ = 0;
};

}  // namespace cascade
