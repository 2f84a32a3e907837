#include "scan/saved_report.h"

#include "core/json_access.h"
#include "inspect/file_report_json.h"
#include "scan/report_schema.h"

namespace cascade::scan {
namespace {

using nlohmann::json;

Error report_error(std::string_view name, const std::string& what) {
  return make_error(ErrorCode::kMalformed, std::string(name) + ": " + what);
}

std::vector<std::string> string_list(const json& document, std::string_view key) {
  std::vector<std::string> out;
  if (const json* list = json_access::array_field(document, key)) {
    for (const auto& value : *list) {
      if (value.is_string()) out.push_back(value.get<std::string>());
    }
  }
  return out;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

std::optional<SavedReportSchema> saved_report_schema(const json& document) {
  const std::string schema = json_access::string_or_empty(document, "schema");
  if (schema == kScanSchema) return SavedReportSchema::kScan;
  if (schema == kScanLinesSchema) return SavedReportSchema::kScanLines;
  if (schema == kInspectSchema) return SavedReportSchema::kInspect;
  return std::nullopt;
}

const std::string* SavedReport::host() const {
  return json_access::string_field(head, "host");
}

const json* SavedReport::file_list() const {
  return json_access::array_field(head, "files");
}

std::vector<const json*> SavedReport::files() const {
  std::vector<const json*> out;
  if (schema != SavedReportSchema::kScanLines) {
    if (const json* list = file_list()) {
      out.reserve(list->size());
      for (const auto& file : *list) out.push_back(&file);
    }
    return out;
  }
  for (const auto& record : records) {
    if (json_access::string_or_empty(record.value, "record") == "file") {
      out.push_back(&record.value);
    }
  }
  return out;
}

Result<SavedReport> read_saved_report_lines(std::string_view text, std::string_view name,
                                            const SavedReportOptions& options) {
  SavedReport report{.schema = SavedReportSchema::kScanLines};
  bool head = true;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (is_blank(line)) continue;
    auto parsed = parse_strict_json(line, options.max_depth);
    // The first record decides what the rest are, so it is never skipped.
    const bool stop = head || options.bad_line == BadLine::kStop;
    if (!parsed) {
      if (stop) {
        return report_error(name,
                            "line " + std::to_string(line_number) + ": " + parsed.error().message);
      }
      report.bad_lines.push_back({line_number, parsed.error()});
      continue;
    }
    if (!parsed->is_object()) {
      if (stop) {
        return report_error(name, "line " + std::to_string(line_number) + " is not a JSON object");
      }
      report.bad_lines.push_back(
          {line_number, make_error(ErrorCode::kMalformed, "not a JSON object")});
      continue;
    }
    if (head) {
      if (saved_report_schema(*parsed) != SavedReportSchema::kScanLines) {
        return report_error(name, "not a cascade report");
      }
      report.roots = string_list(*parsed, "roots");
      report.head = std::move(parsed).value();
      report.head_line = line_number;
      head = false;
      continue;
    }
    report.records.push_back({line_number, std::move(parsed).value()});
  }
  return report;
}

Result<SavedReport> saved_report_from_document(json document, std::string_view name) {
  if (!document.is_object()) return report_error(name, "not valid JSON");
  const auto schema = saved_report_schema(document);
  if (schema != SavedReportSchema::kScan && schema != SavedReportSchema::kInspect) {
    return report_error(name, "schema \"" + json_access::string_or_empty(document, "schema") +
                                  "\" is neither " + kScanSchema + " nor " + kInspectSchema);
  }
  SavedReport report{.schema = *schema};
  if (*schema == SavedReportSchema::kScan) report.roots = string_list(document, "roots");
  report.head = std::move(document);
  return report;
}

Result<SavedReport> read_saved_report(std::string_view text, std::string_view name,
                                      const SavedReportOptions& options) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || text[first] != '{') {
    return report_error(name, "not a JSON report");
  }
  // JSON Lines when the first line is a whole object naming that schema: a large report of
  // records is never handed whole to the DOM parser.
  const auto newline = text.find('\n', first);
  if (newline != std::string_view::npos) {
    const auto head = parse_strict_json(text.substr(first, newline - first), options.max_depth);
    if (head && saved_report_schema(*head) == SavedReportSchema::kScanLines) {
      return read_saved_report_lines(text, name, options);
    }
  }
  auto parsed = parse_strict_json(text, options.max_depth);
  if (!parsed) return report_error(name, parsed.error().message);
  return saved_report_from_document(std::move(parsed).value(), name);
}

}  // namespace cascade::scan
