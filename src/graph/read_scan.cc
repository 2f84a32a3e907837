// cascade's own scan reports (cascade.scan/1 JSON and cascade.scan-jsonl/1 records) as graph
// facts: every file scanned ran on the report's host from the scan's start, under its path,
// with its known-bad findings as signals and its signatures' certificates as signer facts;
// every package the scan recognised was installed on the host at the scan's start, named by its
// name, with its findings (advisories that name it) as signals too.
#include "graph/readers.h"

#include <limits>

#include "core/base64.h"
#include "core/finding_catalogue.h"
#include "core/utf8.h"
#include "scan/saved_report.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

// The run a report describes: everything its files share.
struct ScanRun {
  NodeRef host;
  std::optional<std::int64_t> started;
};

// Findings the trace ranks root causes by (graph-contract: known-bad signals). An advisory
// whose range could not be evaluated says nothing bad is known.
bool is_signal(std::string_view id, std::string_view severity) {
  if (id == findings::kIocPackageUnevaluated.id) return false;
  return id.starts_with("ioc.") || id.starts_with("yara.") || severity == "high" ||
         severity == "critical";
}

Result<ScanRun> read_run(const json& record, std::size_t line, FactCollector& out) {
  const std::string* host = string_field(record, "host");
  if (host == nullptr) return make_error(ErrorCode::kMalformed, "scan report without a host");
  auto node = make_node(NodeKind::kHost, *host);
  if (!node) return make_error(node.error().code, "scan report host: " + node.error().message);
  bool bad_time = false;
  ScanRun run{std::move(node).value(), time_field(record, "started", &bad_time)};
  if (bad_time) {
    out.problem(line, "started is not an RFC 3339 time: the files' ran-on edges have no time");
  }
  return run;
}

// The known-bad findings of a file or package object as signals on its node; false once the
// fact cap is reached. `shown` names the object in problems.
bool read_findings(const json& object, const NodeRef& node, const std::string& shown,
                   std::size_t line, FactCollector& out) {
  const json* findings = field(object, "findings");
  if (findings == nullptr) return true;
  if (!findings->is_array()) {
    out.problem(line, shown + ": findings is not a list");
    return true;
  }
  for (const json& finding : *findings) {
    const std::string* id = string_field(finding, "id");
    const std::string* severity = string_field(finding, "severity");
    if (id == nullptr || severity == nullptr) {
      out.problem(line, shown + ": a finding without an id and a severity");
      continue;
    }
    if (is_signal(*id, *severity) && !out.add_signal(node, *id, *severity)) return false;
  }
  return true;
}

// One file object; false once the fact cap is reached.
bool read_file(const json& file, const ScanRun& run, std::size_t line, FactCollector& out) {
  if (!file.is_object()) {
    out.problem(line, "a file entry is not an object");
    return true;
  }
  const std::string* path = string_field(file, "path");
  const std::string shown = path != nullptr ? path->substr(0, 200) : std::string("(no path)");
  // The name is keyed on the lossless form of the exact bytes when the report carries them, so
  // two files whose names differ only in bytes that are not UTF-8 stay two names.
  std::string exact_name;
  if (const std::string* encoded = string_field(file, "path_base64"); encoded != nullptr) {
    const auto bytes = base64_decode(*encoded);
    if (!bytes) {
      out.problem(line, "file " + shown + ": path_base64 is not base64");
    } else {
      exact_name = lossless_utf8(
          std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
      path = &exact_name;
    }
  }
  const json* sha256 = field(file, "sha256");
  // A file that could not be opened has a null digest: it names no artifact.
  if (sha256 == nullptr || sha256->is_null()) return true;
  if (!sha256->is_string()) {
    out.problem(line, "file " + shown + ": sha256 is not a string");
    return true;
  }
  auto artifact = make_node(NodeKind::kArtifact, sha256->get_ref<const std::string&>());
  if (!artifact) {
    out.problem(line, "file " + shown + ": " + artifact.error().message);
    return true;
  }
  if (!out.add_edge(
          {.kind = EdgeKind::kRanOn, .src = *artifact, .dst = run.host, .time = run.started})) {
    return false;
  }
  if (path != nullptr && !out.add_name(*artifact, *path)) return false;
  return read_signers(file, *artifact, shown, line, out) &&
         read_findings(file, *artifact, "file " + shown, line, out);
}

// One package object ({"purl", "ecosystem", "name", "version", "source"}); false once the fact
// cap is reached. The purl is the package's identity; the rest describes it.
bool read_package(const json& package, const ScanRun& run, std::size_t line, FactCollector& out) {
  if (!package.is_object()) {
    out.problem(line, "a package entry is not an object");
    return true;
  }
  const std::string* purl = string_field(package, "purl");
  if (purl == nullptr) {
    out.problem(line, "a package entry without a purl string");
    return true;
  }
  auto node = make_node(NodeKind::kPackage, *purl);
  if (!node) {
    out.problem(line, "package " + purl->substr(0, 200) + ": " + node.error().message);
    return true;
  }
  if (!out.add_edge(
          {.kind = EdgeKind::kInstalledOn, .src = *node, .dst = run.host, .time = run.started})) {
    return false;
  }
  const std::string* name = string_field(package, "name");
  if (name != nullptr && !out.add_name(*node, *name)) return false;
  // Reports written before packages carried findings have none: nothing to read.
  return read_findings(package, *node, "package " + purl->substr(0, 200), line, out);
}

}  // namespace

Result<Document> read_scan_report(json parsed, const ReadLimits& limits) {
  // The caller recognised the document as cascade.scan/1, so the reader cannot refuse it.
  auto report = scan::saved_report_from_document(std::move(parsed), "scan report");
  if (!report) return report.error();
  FactCollector out(DocumentFormat::kScanReport, limits);
  auto run = read_run(report->head, 0, out);
  if (!run) return run.error();
  const json* files = report->file_list();
  if (files == nullptr) {
    return make_error(ErrorCode::kMalformed, "scan report without a files list");
  }
  bool reading = true;
  for (const json& file : *files) {
    if (!read_file(file, *run, 0, out)) {
      reading = false;
      break;
    }
  }
  // Reports written before packages were recognised have no list: nothing to read.
  const json* packages = field(report->head, "packages");
  if (reading && packages != nullptr && !packages->is_null()) {
    if (!packages->is_array()) {
      out.problem(0, "packages is not a list");
    } else {
      for (const json& package : *packages) {
        if (!read_package(package, *run, 0, out)) break;
      }
    }
  }
  if (out.document().edges.empty()) (void)out.add_node(run->host);
  return std::move(out).finish();
}

Result<Document> read_scan_lines(std::string_view text, const ReadLimits& limits) {
  // The caller recognised the first record as cascade.scan-jsonl/1, so the reader's own errors
  // (about that record) cannot arise here; a line that is not an object is a problem, not the
  // end of the inventory.
  auto report = scan::read_saved_report_lines(
      text, "scan report",
      {.bad_line = scan::BadLine::kRecord, .max_depth = limits.max_json_depth});
  if (!report) return report.error();
  FactCollector out(DocumentFormat::kScanReport, limits);
  std::optional<ScanRun> run;
  std::optional<Error> fatal;
  auto next_bad_line = report->bad_lines.cbegin();
  // Problems stay in line order, and none is noted past the line the read stopped at.
  const auto note_bad_lines_before = [&](std::size_t line) {
    for (; next_bad_line != report->bad_lines.cend() && next_bad_line->line < line;
         ++next_bad_line) {
      const Error& error = next_bad_line->error;
      out.problem(next_bad_line->line,
                  error.code == ErrorCode::kAmbiguous ? error.message : "not a JSON object");
    }
  };
  const auto read_record = [&](std::size_t line, const json& record) {
    const std::string* kind = string_field(record, "record");
    if (kind == nullptr) {
      out.problem(line, "a line without a record kind");
    } else if (*kind == "scan") {
      if (run) {
        out.problem(line, "a second scan record: one report per file");
        return true;
      }
      auto header = read_run(record, line, out);
      if (!header) {
        fatal = header.error();
        return false;
      }
      run = std::move(header).value();
    } else if (*kind == "file") {
      if (!run) {
        out.problem(line, "a file record before the scan record");
        return true;
      }
      return read_file(record, *run, line, out);
    } else if (*kind == "package") {
      if (!run) {
        out.problem(line, "a package record before the scan record");
        return true;
      }
      return read_package(record, *run, line, out);
    } else if (*kind != "summary") {
      out.problem(line, "unknown record kind \"" + kind->substr(0, 40) + "\"");
    }
    return true;
  };
  bool reading = read_record(report->head_line, report->head);
  for (const scan::SavedRecord& record : report->records) {
    if (!reading) break;
    note_bad_lines_before(record.line);
    reading = read_record(record.line, record.value);
  }
  if (reading) note_bad_lines_before(std::numeric_limits<std::size_t>::max());
  if (fatal) return *fatal;
  if (!run) return make_error(ErrorCode::kMalformed, "scan records without a scan record");
  if (out.document().edges.empty()) (void)out.add_node(run->host);
  return std::move(out).finish();
}

}  // namespace cascade::graph
