// The outputs of `cascade diff`: a JSON document (cascade.diff/1, docs/schema/), the ranked text
// table with per-file details on request, and SARIF through the scan report's collector.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/differ.h"
#include "report/scan_report.h"

namespace cascade {

inline constexpr const char* kDiffSchema = "cascade.diff/1";

// What the run compared, for the report's header.
struct DiffRun {
  std::string version;
  std::string started, finished;  // RFC 3339 UTC
  const diff::Release* old_release = nullptr;
  const diff::Release* new_release = nullptr;
  std::string capabilities;  // "built-in" or the --capabilities file
  std::string baseline;      // empty without --baseline
};

nlohmann::json diff_document(const DiffRun& run, const diff::DiffResult& result);

struct DiffTextOptions {
  std::size_t top = 50;              // rows of the ranked table
  std::vector<std::string> details;  // install paths (or path suffixes) to detail
  bool color = false;
};

void write_diff_text(std::ostream& out, const DiffRun& run, const diff::DiffResult& result,
                     const DiffTextOptions& options);

// The SARIF log: unexpected findings, located at the NEW file (the OLD one when removed).
nlohmann::json diff_sarif(const DiffRun& run, const diff::DiffResult& result);

}  // namespace cascade
