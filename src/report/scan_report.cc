#include "report/scan_report.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <ostream>
#include <string_view>
#include <tuple>

#include "core/finding_catalogue.h"
#include "core/time.h"
#include "core/utf8.h"
#include "inspect/file_report_json.h"
#include "report/text_out.h"
#include "scan/cache/cached_entry.h"

namespace cascade {

namespace {

using nlohmann::json;

std::string dump(const json& value) {
  // Hostile files can carry names that are not UTF-8: replace, never fail the document.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// SARIF levels; GitHub code scanning ranks by the numeric security-severity.
const char* sarif_level(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    default:
      return "note";
  }
}

const char* security_severity(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    default:
      return "0.0";
  }
}

// The file's location for SARIF: its top-level path as a relative URI when it is relative,
// else a file:// URI; nested files add their nested path as a logical location.
std::string artifact_uri(const std::string& path) {
  std::string encoded;
  for (const unsigned char c : path) {
    if (std::isalnum(c) != 0 ||
        std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded += static_cast<char>(c);
    } else {
      static const char* kHex = "0123456789ABCDEF";
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  if (!path.empty() && path.front() == '/') return "file://" + encoded;
  return encoded.starts_with("./") ? encoded.substr(2) : encoded;
}

// Where a package finding is, in the text and SARIF messages: the package and its manifest.
std::string package_label(const scan::InstalledPackage& package) {
  return package.purl + " (" + package.source + ")";
}

}  // namespace

std::string utc_now_rfc3339() {
  return format_rfc3339(std::time(nullptr));
}

json scan_run_json(const ScanRun& run) {
  json feeds = json::array();
  for (const auto& feed : run.feeds) {
    feeds.push_back({{"path", feed.path},
                     {"name", feed.name},
                     {"format", scan::feed_format_name(feed.format)},
                     {"sha256", feed.sha256},
                     {"indicators", feed.indicators},
                     {"skipped", feed.skipped}});
  }
  json rules = json::array();
  for (const auto& file : run.rules)
    rules.push_back({{"path", file.path}, {"sha256", file.sha256}});
  return {{"tool", {{"name", "cascade"}, {"version", run.version}}},
          {"host", run.host},
          {"started", run.started},
          {"roots", run.roots},
          {"feeds", std::move(feeds)},
          {"rules", std::move(rules)},
          {"rule_count", run.rule_count},
          {"catalogs", run.catalogs}};
}

json scan_totals_json(const ScanTotals& totals) {
  json findings = json::object();
  for (Severity s :
       {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo}) {
    const auto it = totals.findings.find(s);
    findings[std::string(severity_name(s))] = it == totals.findings.end() ? 0 : it->second;
  }
  json out = {{"files", totals.files},   {"nested_files", totals.nested},
              {"bytes", totals.bytes},   {"containers", totals.containers},
              {"errors", totals.errors}, {"findings", std::move(findings)}};
  if (totals.reused) {
    out["read_files"] = totals.files - *totals.reused;
    out["reused_files"] = *totals.reused;
  }
  return out;
}

json installed_package_json(const scan::InstalledPackage& package) {
  json findings = json::array();
  for (const Finding& finding : package.findings) findings.push_back(finding_json(finding));
  return {{"purl", package.purl},
          {"ecosystem", std::string(scan::ecosystem_name(package.ecosystem))},
          {"name", package.name},
          {"version", package.version},
          {"source", package.source},
          {"findings", findings}};
}

void ScanJsonWriter::begin(const ScanRun& run) {
  json head = scan_run_json(run);
  if (lines_) {
    head["record"] = "scan";
    head["schema"] = scan::kScanLinesSchema;
    out_ << dump(head) << '\n';
    return;
  }
  // Keys before "files" are written first; "finished" and "summary" follow the file list.
  std::string text = dump(head);
  text.pop_back();  // the closing brace
  out_ << "{\"schema\":\"" << scan::kScanSchema << "\"," << text.substr(1) << ",\"files\":[\n";
}

std::string ScanJsonWriter::serialize(const FileReport& report,
                                      const std::string* cached_facts) const {
  json object = cached_facts != nullptr ? scan::cached_file_json(*cached_facts, report)
                                        : file_report_json(report);
  if (cache_ && cached_facts == nullptr) object["cached"] = false;
  if (lines_) object["record"] = "file";
  return dump(object);
}

void ScanJsonWriter::write(const std::string& record) {
  if (lines_) {
    out_ << record << '\n';
  } else {
    out_ << (first_ ? "" : ",\n") << record;
  }
  first_ = false;
}

void ScanJsonWriter::end(const ScanRun& run, const ScanTotals& totals,
                         const std::vector<scan::InstalledPackage>& packages) {
  // Only scan reports count packages: diff and verify share the totals for their SARIF.
  json summary = scan_totals_json(totals);
  summary["packages"] = packages.size();
  if (lines_) {
    for (const auto& package : packages) {
      json record = installed_package_json(package);
      record["record"] = "package";
      out_ << dump(record) << '\n';
    }
    out_ << dump({{"record", "summary"}, {"finished", run.finished}, {"summary", summary}}) << '\n';
  } else {
    out_ << "\n],\"packages\":[";
    for (std::size_t i = 0; i < packages.size(); ++i) {
      out_ << (i == 0 ? "\n" : ",\n") << dump(installed_package_json(packages[i]));
    }
    out_ << (packages.empty() ? "" : "\n") << "],\"finished\":" << dump(run.finished)
         << ",\"summary\":" << dump(summary) << "}\n";
  }
  out_.flush();
}

void SarifCollector::add(const FileReport& report) {
  const std::string top = report.path.substr(0, report.path.find('!'));
  for (const auto& finding : report.findings) {
    rules_used_.emplace(finding.id, finding.severity);
    json location = {{"physicalLocation", {{"artifactLocation", {{"uri", artifact_uri(top)}}}}}};
    if (top != report.path) {
      location["logicalLocations"] =
          json::array({{{"fullyQualifiedName", lossless_utf8(report.path)}, {"kind", "member"}}});
    }
    json result = {{"ruleId", finding.id},
                   {"level", sarif_level(finding.severity)},
                   {"message", {{"text", report.path + ": " + finding.message}}},
                   {"locations", json::array({std::move(location)})},
                   {"properties", {{"severity", std::string(severity_name(finding.severity))}}}};
    if (!report.hashes.sha256.empty()) {
      result["partialFingerprints"] = {{"sha256/v1", report.hashes.sha256 + "/" + finding.id}};
    }
    results_.push_back(std::move(result));
  }
}

void SarifCollector::add(const scan::InstalledPackage& package) {
  // The manifest that states the package is the location; the package is its logical place.
  const std::string top = package.source.substr(0, package.source.find('!'));
  for (const auto& finding : package.findings) {
    rules_used_.emplace(finding.id, finding.severity);
    json logical = json::array();
    if (top != package.source) {
      logical.push_back({{"fullyQualifiedName", package.source}, {"kind", "member"}});
    }
    logical.push_back({{"fullyQualifiedName", package.purl}, {"kind", "module"}});
    json location = {{"physicalLocation", {{"artifactLocation", {{"uri", artifact_uri(top)}}}}},
                     {"logicalLocations", std::move(logical)}};
    results_.push_back(
        {{"ruleId", finding.id},
         {"level", sarif_level(finding.severity)},
         {"message", {{"text", package_label(package) + ": " + finding.message}}},
         {"locations", json::array({std::move(location)})},
         {"partialFingerprints", {{"purl/v1", package.purl + "/" + finding.id}}},
         {"properties", {{"severity", std::string(severity_name(finding.severity))}}}});
  }
}

json SarifCollector::document(const ScanRun& run, const ScanTotals& totals) const {
  json rules = json::array();
  for (const auto& kind : finding_catalogue()) {
    if (!rules_used_.contains(std::string(kind.id))) continue;
    rules.push_back({{"id", kind.id},
                     {"name", kind.id},
                     {"shortDescription", {{"text", kind.summary}}},
                     {"defaultConfiguration", {{"level", sarif_level(kind.severity)}}},
                     {"properties",
                      {{"security-severity", security_severity(kind.severity)},
                       {"tags", json::array({"security", "supply-chain"})}}}});
  }
  json invocation = {{"executionSuccessful", true},
                     {"startTimeUtc", run.started},
                     {"endTimeUtc", run.finished},
                     {"machine", run.host},
                     {"properties", {{"summary", scan_totals_json(totals)}}}};
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool",
                                  {{"driver",
                                    {{"name", "cascade"},
                                     {"version", run.version},
                                     {"semanticVersion", run.version},
                                     {"rules", std::move(rules)}}}}},
                                 {"invocations", json::array({std::move(invocation)})},
                                 {"results", results_}}})}};
}

bool TextSummary::listed_before(const Entry& a, const Entry& b) {
  if (a.severity != b.severity) return a.severity > b.severity;
  return std::tie(a.path, a.id, a.message) < std::tie(b.path, b.id, b.message);
}

void TextSummary::add(const FileReport& report) {
  if (!report.error.empty()) {
    // A tree full of unreadable files should not fill memory with their names.
    if (errors_.size() < top_) errors_.emplace_back(report.path, report.error);
    ++error_count_;
  }
  for (const auto& finding : report.findings) {
    if (finding.is(findings::kFileUnreadable)) continue;  // listed with the errors
    ++finding_count_;
    entries_.push_back({finding.severity, report.path, finding.id, finding.message});
  }
  // Keep only the first `top_` in listing order, which does not depend on arrival order.
  if (entries_.size() > 2 * top_ + 64) {
    std::sort(entries_.begin(), entries_.end(), listed_before);
    entries_.resize(top_);
  }
}

void TextSummary::write(std::ostream& stream, const ScanRun& run, const ScanTotals& totals,
                        const std::vector<scan::InstalledPackage>& packages, bool color) const {
  TextOut out(stream);  // paths, names and messages from the files are made printable
  auto entries = entries_;
  std::uint64_t finding_count = finding_count_;
  for (const auto& package : packages) {
    for (const auto& finding : package.findings) {
      entries.push_back({finding.severity, package_label(package), finding.id, finding.message});
      ++finding_count;
    }
  }
  std::sort(entries.begin(), entries.end(), listed_before);
  const auto paint = [&](Severity s, const std::string& text) {
    const char* code = !color                   ? ""
                       : s >= Severity::kHigh   ? "\033[1;31m"
                       : s == Severity::kMedium ? "\033[33m"
                                                : "\033[36m";
    out << code << text << (color ? "\033[0m" : "");
  };
  out << "scanned " << totals.files << " files (" << totals.bytes << " bytes) and " << totals.nested
      << " files inside " << totals.containers << " containers on " << run.host << '\n';
  if (totals.reused) {
    out << "  cache: " << totals.files - *totals.reused << " files read, " << *totals.reused
        << " reused\n";
  }
  for (const auto& feed : run.feeds) {
    out << "  feed " << feed.name << " (" << scan::feed_format_name(feed.format)
        << "): " << feed.indicators << " indicators\n";
  }
  if (run.rule_count > 0) out << "  YARA: " << run.rule_count << " rules\n";
  if (!run.catalogs.empty()) out << "  catalogs: " << run.catalogs.size() << " signed\n";
  if (!packages.empty()) {
    // A tree with no package records keeps the summary it always had.
    const auto counts = scan::count_by_ecosystem(packages);
    out << "  " << packages.size() << " packages recognised (";
    const char* separator = "";
    for (const auto ecosystem : {scan::PackageEcosystem::kDeb, scan::PackageEcosystem::kNpm,
                                 scan::PackageEcosystem::kPypi}) {
      const auto it = counts.find(ecosystem);
      out << separator << scan::ecosystem_name(ecosystem) << ' '
          << (it == counts.end() ? 0 : it->second);
      separator = ", ";
    }
    out << ")\n";
  }
  out << "findings:";
  for (Severity s :
       {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo}) {
    const auto it = totals.findings.find(s);
    out << ' ' << severity_name(s) << ' ' << (it == totals.findings.end() ? 0 : it->second);
  }
  out << "; errors " << totals.errors << '\n';
  const std::size_t shown = std::min(entries.size(), top_);
  for (std::size_t i = 0; i < shown; ++i) {
    const Entry& e = entries[i];
    std::string severity(severity_name(e.severity));
    severity.resize(8, ' ');
    out << "  ";
    paint(e.severity, severity);
    out << ' ' << e.id << "  " << e.path << ": " << e.message << '\n';
  }
  if (finding_count > shown) {
    out << "  ... " << finding_count - shown << " more (see --json or --sarif)\n";
  }
  for (const auto& [path, error] : errors_) out << "  error  " << path << ": " << error << '\n';
  if (error_count_ > errors_.size()) {
    out << "  ... " << error_count_ - errors_.size() << " more errors\n";
  }
}

}  // namespace cascade
