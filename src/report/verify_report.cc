#include "report/verify_report.h"

#include <algorithm>
#include <ostream>

#include "core/time.h"
#include "core/utf8.h"
#include "report/scan_report.h"
#include "report/severity_color.h"
#include "report/text_out.h"

namespace cascade {
namespace {

using nlohmann::json;
using provenance::Attestation;
using provenance::AttestationStatus;
using provenance::FileVerdict;

json finding_json(const Finding& finding) {
  return {{"id", finding.id},
          {"severity", severity_name(finding.severity)},
          {"message", finding.message}};
}

json attestation_json(const Attestation& a) {
  json out = {{"source", a.source},
              {"form", provenance::form_name(a.form)},
              {"status", provenance::status_name(a.status)}};
  if (!a.key_label.empty()) out["key"] = a.key_label;
  if (!a.key_id.empty()) out["keyid"] = a.key_id;
  if (a.finding) out["finding"] = finding_json(*a.finding);
  if (!a.note.empty()) out["note"] = a.note;
  if (a.status == AttestationStatus::kVerified) {
    const auto& r = a.record;
    out["kind"] = provenance::record_kind_name(r.kind);
    out["predicate_type"] = r.predicate_type;
    out["builder_id"] = r.builder_id;
    if (!r.build_type.empty()) out["build_type"] = r.build_type;
    if (!r.invocation_id.empty()) out["invocation_id"] = r.invocation_id;
    if (r.started) out["started"] = format_rfc3339(*r.started);
    if (r.finished) out["finished"] = format_rfc3339(*r.finished);
    out["subjects"] = r.subjects.size();
    out["materials"] = r.materials.size();
    if (r.subjects_without_sha256 > 0) out["subjects_without_sha256"] = r.subjects_without_sha256;
  }
  return out;
}

std::map<FileVerdict, std::uint64_t> verdict_counts(const provenance::VerifyResult& result) {
  std::map<FileVerdict, std::uint64_t> counts;
  for (const auto& f : result.files) ++counts[f.verdict];
  return counts;
}

}  // namespace

std::map<Severity, std::uint64_t> verify_counts(const std::vector<Attestation>& attestations,
                                                const provenance::VerifyResult& result) {
  std::map<Severity, std::uint64_t> counts;
  for (const auto& a : attestations) {
    if (a.finding) ++counts[a.finding->severity];
  }
  for (const auto& f : result.files) {
    for (const auto& finding : f.findings) ++counts[finding.severity];
  }
  return counts;
}

json verify_json(const VerifyRun& run, const provenance::Policy& policy,
                 const std::vector<Attestation>& attestations,
                 const provenance::VerifyResult& result) {
  json keys = json::array();
  for (const auto& key : policy.keys) {
    keys.push_back({{"id", key.label},
                    {"keyid", key.key.key_id()},
                    {"type", provenance::key_type_name(key.key.type())}});
  }
  json atts = json::array();
  for (const auto& a : attestations) atts.push_back(attestation_json(a));
  json files = json::array();
  for (const auto& f : result.files) {
    json entry = {{"path", lossless_utf8(f.path)},
                  {"install_path", lossless_utf8(f.key)},
                  {"sha256", f.sha256},
                  {"verdict", provenance::verdict_name(f.verdict)},
                  {"evidence", f.evidence}};
    json findings = json::array();
    for (const auto& finding : f.findings) findings.push_back(finding_json(finding));
    entry["findings"] = std::move(findings);
    files.push_back(std::move(entry));
  }
  json verdicts = json::object();
  for (const auto& [verdict, count] : verdict_counts(result)) {
    verdicts[std::string(provenance::verdict_name(verdict))] = count;
  }
  json by_severity = json::object();
  for (const auto& [severity, count] : verify_counts(attestations, result)) {
    by_severity[std::string(severity_name(severity))] = count;
  }
  std::uint64_t verified = 0;
  for (const auto& a : attestations) verified += a.status == AttestationStatus::kVerified ? 1 : 0;
  return {{"schema", kVerifySchema},
          {"cascade_version", run.version},
          {"release", run.release},
          {"at", run.at},
          {"started", run.started},
          {"finished", run.finished},
          {"policy", {{"path", policy.source}, {"sha256", policy.sha256}, {"keys", keys}}},
          {"attestations", std::move(atts)},
          {"files", std::move(files)},
          {"summary",
           {{"files", result.files.size()},
            {"attestations", attestations.size()},
            {"verified_attestations", verified},
            {"verdicts", verdicts},
            {"findings", by_severity}}}};
}

void write_verify_text(std::ostream& stream, const VerifyRun& run, const provenance::Policy& policy,
                       const std::vector<Attestation>& attestations,
                       const provenance::VerifyResult& result, bool color) {
  TextOut out(stream);  // paths, sources and messages from the inputs are made printable
  const char* reset = color ? "\033[0m" : "";
  std::uint64_t verified = 0;
  for (const auto& a : attestations) verified += a.status == AttestationStatus::kVerified ? 1 : 0;
  out << "release      " << run.release << '\n'
      << "policy       " << policy.source << " (" << policy.keys.size() << " trusted key"
      << (policy.keys.size() == 1 ? "" : "s") << ")\n"
      << "attestations " << attestations.size() << " read, " << verified << " verified\n";
  for (const auto& a : attestations) {
    if (a.status == AttestationStatus::kVerified) continue;
    if (a.finding) {
      out << "  " << (color ? severity_color(a.finding->severity) : "")
          << severity_name(a.finding->severity) << reset << ' ' << a.finding->id << ' ' << a.source
          << ": " << a.finding->message << '\n';
    } else {
      out << "  ignored " << a.source << ": " << a.note << '\n';
    }
  }
  const auto counts = verdict_counts(result);
  out << "files        " << result.files.size();
  for (const auto& [verdict, count] : counts) {
    out << ", " << count << ' ' << provenance::verdict_name(verdict);
  }
  out << '\n';
  std::vector<std::pair<const provenance::FileResult*, const Finding*>> rows;
  for (const auto& f : result.files) {
    for (const auto& finding : f.findings) rows.emplace_back(&f, &finding);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second->severity > b.second->severity;
  });
  for (const auto& [file, finding] : rows) {
    out << "  " << (color ? severity_color(finding->severity) : "")
        << severity_name(finding->severity) << reset << ' ' << finding->id << ' '
        << (file->key.empty() ? file->path : file->key) << ": " << finding->message << '\n';
  }
  if (rows.empty()) out << "every file is accounted for by the policy and verified attestations\n";
}

json verify_sarif(const VerifyRun& run, const std::vector<Attestation>& attestations,
                  const provenance::VerifyResult& result) {
  SarifCollector sarif;
  ScanTotals totals;
  for (const auto& a : attestations) {
    if (!a.finding) continue;
    FileReport report;
    report.path = a.source.substr(0, a.source.find_last_of(':'));
    report.findings.push_back(*a.finding);
    report.findings.back().message = a.source + ": " + a.finding->message;
    ++totals.findings[a.finding->severity];
    sarif.add(report);
  }
  for (const auto& f : result.files) {
    if (f.findings.empty()) continue;
    FileReport report;
    report.path = f.path;
    report.findings = f.findings;
    for (const auto& finding : f.findings) ++totals.findings[finding.severity];
    sarif.add(report);
  }
  ScanRun scan_run;
  scan_run.version = run.version;
  scan_run.started = run.started;
  scan_run.finished = run.finished;
  return sarif.document(scan_run, totals);
}

}  // namespace cascade
