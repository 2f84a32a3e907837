#include "report/diff_report.h"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "report/text_out.h"

namespace cascade {

namespace {

using diff::ChangeStatus;
using nlohmann::json;

constexpr ChangeStatus kStatuses[] = {ChangeStatus::kModified, ChangeStatus::kAdded,
                                      ChangeStatus::kRemoved, ChangeStatus::kMoved,
                                      ChangeStatus::kUnchanged};
constexpr Severity kSeverities[] = {Severity::kCritical, Severity::kHigh, Severity::kMedium,
                                    Severity::kLow, Severity::kInfo};

json release_json(const diff::Release* r) {
  if (r == nullptr) return nullptr;
  return {{"source", r->source},
          {"kind", diff::release_kind_name(r->kind)},
          {"files", r->files.size()}};
}

json summary_json(const diff::DiffSummary& s) {
  json out = json::object();
  for (ChangeStatus status : kStatuses) {
    const auto it = s.status.find(status);
    out[std::string(diff::status_name(status))] = it == s.status.end() ? 0 : it->second;
  }
  json findings = json::object();
  for (Severity severity : kSeverities) {
    const auto it = s.findings.find(severity);
    findings[std::string(severity_name(severity))] = it == s.findings.end() ? 0 : it->second;
  }
  out["findings"] = std::move(findings);
  out["expected"] = s.expected;
  return out;
}

const std::string& shown_path(const diff::FileDiff& f) {
  return f.new_path.empty() ? f.old_path : f.new_path;
}

std::string display_key(const diff::FileDiff& f) {
  return f.key.empty() ? "(the release file itself)" : f.key;
}

// One line per changed value: "a: old -> new", lists joined, nested objects indented.
void render(TextOut& out, const json& value, const std::string& indent) {
  for (const auto& [key, v] : value.items()) {
    // Two versions of one object (a signature): only the fields that differ.
    if (v.is_object() && v.contains("old") && v.contains("new") && v["old"].is_object() &&
        v["new"].is_object()) {
      out << indent << key << ":\n";
      for (const auto& [field, before] : v["old"].items()) {
        const json after = v["new"].contains(field) ? v["new"][field] : json(nullptr);
        if (before != after) {
          out << indent << "  " << field << ": " << before.dump() << " -> " << after.dump() << '\n';
        }
      }
      json rest = v;
      rest.erase("old");
      rest.erase("new");
      render(out, rest, indent + "  ");
      continue;
    }
    if (v.is_object() && v.contains("old") && v.contains("new") && v.size() == 2 &&
        !v["old"].is_object()) {
      if (v["old"] == v["new"]) continue;
      out << indent << key << ": " << v["old"].dump() << " -> " << v["new"].dump() << '\n';
    } else if (v.is_array()) {
      if (v.empty()) continue;
      out << indent << key << ":";
      std::size_t shown = 0;
      for (const auto& item : v) {
        if (++shown > 40) {
          out << " ... (" << v.size() << " in all)";
          break;
        }
        out << ' ' << (item.is_string() ? item.get<std::string>() : item.dump());
      }
      out << '\n';
    } else if (v.is_object()) {
      out << indent << key << ":\n";
      render(out, v, indent + "  ");
    } else {
      out << indent << key << ": " << v.dump() << '\n';
    }
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Install keys are usually lower case; what the user types need not be.
bool wanted(const diff::FileDiff& f, const std::vector<std::string>& details) {
  const std::string key = lower(f.key);
  for (const auto& asked : details) {
    const std::string d = lower(asked);
    if (d == "*" || d == key || asked == f.new_path || asked == f.old_path) return true;
    if (!d.empty() && key.size() >= d.size() &&
        key.compare(key.size() - d.size(), d.size(), d) == 0) {
      return true;
    }
  }
  return false;
}

json text_diff_json(const diff::TextDiff& d) {
  return {{"unified", d.unified}, {"truncated", d.truncated}, {"skipped", d.skipped}};
}

json install_scripts_json(const std::vector<diff::ScriptChange>& scripts) {
  json out = json::array();
  for (const auto& s : scripts) {
    out.push_back({{"id", s.id},
                   {"kind", std::string(diff::script_kind_name(s.kind))},
                   {"package", s.package.empty() ? json(nullptr) : json(s.package)},
                   {"change", std::string(diff::script_change_name(s.change))},
                   {"text_diff", text_diff_json(s.text_diff)}});
  }
  return out;
}

// A unified diff, each line indented and made printable by TextOut.
void write_text_diff(TextOut& out, const diff::TextDiff& d, const std::string& indent) {
  std::size_t start = 0;
  const std::string& u = d.unified;
  while (start < u.size()) {
    auto end = u.find('\n', start);
    if (end == std::string::npos) end = u.size();
    out << indent << std::string_view(u).substr(start, end - start) << '\n';
    start = end + 1;
  }
}

}  // namespace

json diff_document(const DiffRun& run, const diff::DiffResult& result) {
  json files = json::array();
  for (const auto& f : result.files) {
    json findings = json::array();
    for (const auto& df : f.findings) {
      findings.push_back({{"id", df.finding.id},
                          {"severity", std::string(severity_name(df.finding.severity))},
                          {"message", df.finding.message},
                          {"expected", df.expected}});
    }
    files.push_back({{"path", f.key},
                     {"old_path", f.old_path.empty() ? json(nullptr) : json(f.old_path)},
                     {"new_path", f.new_path.empty() ? json(nullptr) : json(f.new_path)},
                     {"status", std::string(diff::status_name(f.status))},
                     {"risk", f.risk},
                     {"capabilities_gained", f.capabilities_gained},
                     {"findings", std::move(findings)},
                     {"delta", f.delta},
                     {"install_scripts", install_scripts_json(f.install_scripts)},
                     {"text_diff", f.text_diff ? text_diff_json(*f.text_diff) : json(nullptr)}});
  }
  return {{"schema", kDiffSchema},
          {"tool", {{"name", "cascade"}, {"version", run.version}}},
          {"started", run.started},
          {"finished", run.finished},
          {"old", release_json(run.old_release)},
          {"new", release_json(run.new_release)},
          {"capabilities", run.capabilities},
          {"baseline", run.baseline.empty() ? json(nullptr) : json(run.baseline)},
          {"summary", summary_json(result.summary)},
          {"files", std::move(files)}};
}

void write_diff_text(std::ostream& stream, const DiffRun& run, const diff::DiffResult& result,
                     const DiffTextOptions& options) {
  TextOut out(stream);  // paths, names and values from the releases are made printable
  const auto side = [](const diff::Release* r) {
    return r == nullptr ? std::string("?")
                        : r->source + " (" + std::string(diff::release_kind_name(r->kind)) + ", " +
                              std::to_string(r->files.size()) + " files)";
  };
  out << "diff " << side(run.old_release) << " -> " << side(run.new_release) << '\n';
  const auto& s = result.summary;
  const auto count = [&](ChangeStatus st) {
    const auto it = s.status.find(st);
    return it == s.status.end() ? std::size_t{0} : it->second;
  };
  out << count(ChangeStatus::kModified) << " modified, " << count(ChangeStatus::kAdded)
      << " added, " << count(ChangeStatus::kRemoved) << " removed, " << count(ChangeStatus::kMoved)
      << " moved, " << count(ChangeStatus::kUnchanged) << " unchanged; findings:";
  for (Severity severity : kSeverities) {
    const auto it = s.findings.find(severity);
    out << ' ' << severity_name(severity) << ' ' << (it == s.findings.end() ? 0 : it->second);
  }
  if (s.expected > 0) out << " (+" << s.expected << " expected)";
  out << '\n';
  std::size_t width = 4;
  for (std::size_t i = 0; i < result.files.size() && i < options.top; ++i) {
    width = std::max(width, display_key(result.files[i]).size());
  }
  width = std::min<std::size_t>(width, 60);
  if (!result.files.empty()) {
    out << '\n'
        << std::setw(6) << "RISK"
        << "  " << std::left << std::setw(9) << "STATUS"
        << "  " << std::setw(static_cast<int>(width)) << "PATH"
        << "  REASONS\n"
        << std::right;
  }
  std::size_t rows = 0;
  for (const auto& f : result.files) {
    if (rows++ == options.top) {
      out << "  ... " << result.files.size() - options.top << " more (see --json)\n";
      break;
    }
    // The distinct finding ids, most severe first, at most three named.
    std::vector<std::string> ids;
    for (const auto& df : f.findings) {
      const std::string id = df.finding.id + (df.expected ? " (expected)" : "");
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    std::string reasons;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (i == 3) {
        reasons += ", +" + std::to_string(ids.size() - 3);
        break;
      }
      reasons += (i ? ", " : "") + ids[i];
    }
    std::ostringstream row;
    row << std::setw(6) << f.risk << "  " << std::left << std::setw(9)
        << diff::status_name(f.status) << "  " << std::setw(static_cast<int>(width))
        << display_key(f) << "  " << reasons;
    std::string line = row.str();
    line.erase(line.find_last_not_of(' ') + 1);
    const bool loud = options.color && f.risk >= diff::risk_weight(Severity::kHigh);
    out << (loud ? "\033[1;31m" : "") << line << (loud ? "\033[0m" : "") << '\n';
  }
  for (const auto& f : result.files) {
    if (!wanted(f, options.details)) continue;
    out << "\n== " << display_key(f) << " (" << diff::status_name(f.status) << ", risk " << f.risk
        << ")\n";
    if (!f.old_path.empty()) out << "  old: " << f.old_path << '\n';
    if (!f.new_path.empty()) out << "  new: " << f.new_path << '\n';
    for (const auto& df : f.findings) {
      out << "  " << std::left << std::setw(8) << severity_name(df.finding.severity) << std::right
          << ' ' << df.finding.id << (df.expected ? " (expected)" : "") << ": "
          << df.finding.message << '\n';
    }
    if (f.delta.is_object()) render(out, f.delta, "  ");
    for (const auto& script : f.install_scripts) {
      out << "  install script " << diff::script_change_name(script.change) << ": " << script.id
          << " (" << diff::script_kind_name(script.kind)
          << (script.package.empty() ? std::string() : ", " + script.package) << ")\n";
      write_text_diff(out, script.text_diff, "    ");
    }
    if (f.text_diff && !f.text_diff->unified.empty()) {
      out << "  text diff:\n";
      write_text_diff(out, *f.text_diff, "    ");
    }
  }
}

json diff_sarif(const DiffRun& run, const diff::DiffResult& result) {
  SarifCollector sarif;
  ScanTotals totals;
  for (const auto& f : result.files) {
    FileReport report;
    report.path = shown_path(f);
    for (const auto& df : f.findings) {
      if (df.expected) continue;
      report.findings.push_back(df.finding);
      ++totals.findings[df.finding.severity];
    }
    if (!report.findings.empty()) sarif.add(report);
  }
  ScanRun scan_run;
  scan_run.version = run.version;
  scan_run.started = run.started;
  scan_run.finished = run.finished;
  scan_run.host = "";
  return sarif.document(scan_run, totals);
}

}  // namespace cascade
