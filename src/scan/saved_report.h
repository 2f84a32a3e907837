// One reader for saved reports (cascade.scan/1, cascade.scan-jsonl/1 and cascade.inspect/1,
// docs/json-schema.md): which schema a document is, its envelope, and its records. Every
// consumer (diff, graph) reads the envelope the same way and keeps its own reading of a file
// record. Parsing is strict (core/strict_json.h): a report that repeats a key reads two ways,
// and verdicts rest on it.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/strict_json.h"

namespace cascade::scan {

enum class SavedReportSchema {
  kScan,       // one document, its file records in "files"
  kScanLines,  // JSON Lines: a scan record, file records, a summary record
  kInspect,    // one document, its file records in "files"; no roots, no host
};

// The schema a parsed document (or a JSON Lines report's first record) names; nullopt for none
// of the three.
std::optional<SavedReportSchema> saved_report_schema(const nlohmann::json& document);

// What a JSON Lines line that is not a JSON object does to the read.
enum class BadLine {
  kStop,    // the read fails with "line N: ..." (a diff verdict needs the whole release)
  kRecord,  // kept in SavedReport::bad_lines, and the read goes on (an inventory takes what it can)
};

struct SavedReportOptions {
  BadLine bad_line = BadLine::kStop;
  std::size_t max_depth = kMaxStrictJsonDepth;
};

// One JSON Lines record after the first.
struct SavedRecord {
  std::size_t line = 0;  // 1-based
  nlohmann::json value;  // an object
};

// A JSON Lines line that is not a JSON object: the parser's error (kAmbiguous for a repeated
// key), or kMalformed "not a JSON object" for JSON of another type.
struct BadReportLine {
  std::size_t line = 0;
  Error error;
};

struct SavedReport {
  SavedReportSchema schema = SavedReportSchema::kScan;
  // The whole document, or the first record of JSON Lines (the scan record): run fields such
  // as "host" and "started" live here.
  nlohmann::json head;
  std::size_t head_line = 0;             // JSON Lines: the first record's line; 0 for one document
  std::vector<std::string> roots;        // the "roots" strings; empty for cascade.inspect/1
  std::vector<SavedRecord> records;      // JSON Lines: every record after the first, in order
  std::vector<BadReportLine> bad_lines;  // only with BadLine::kRecord, in order

  // The scan's host, when the head names one as a string.
  const std::string* host() const;
  // One document: the "files" list, when it is an array.
  const nlohmann::json* file_list() const;
  // The file records: the elements of "files", or the JSON Lines records whose "record" is
  // "file". Pointers into this report.
  std::vector<const nlohmann::json*> files() const;
};

// A report's text, either form. Errors (kMalformed unless the parser says otherwise) read
// "name: what".
Result<SavedReport> read_saved_report(std::string_view text, std::string_view name,
                                      const SavedReportOptions& options = {});

// A report already known to be JSON Lines (the first record names cascade.scan-jsonl/1).
Result<SavedReport> read_saved_report_lines(std::string_view text, std::string_view name,
                                            const SavedReportOptions& options = {});

// A one-document report already parsed (its schema is checked here).
Result<SavedReport> saved_report_from_document(nlohmann::json document, std::string_view name);

}  // namespace cascade::scan
