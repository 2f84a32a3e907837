#include "report/rebuild_report.h"

#include <cstdio>
#include <ostream>
#include <tuple>

#include "report/severity_color.h"
#include "report/text_out.h"

namespace cascade::rebuild {
namespace {

nlohmann::json file_json(const InputFile& f, LayoutFormat format) {
  return {{"path", f.path},
          {"sha256", f.sha256},
          {"size", f.size},
          {"format", layout_format_name(format)}};
}

nlohmann::json optional_json(const std::optional<std::uint64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json text_or_null(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
  return buf;
}

// "pe.timestamp, pe.resource-timestamp x4" for a file's normalised list.
std::string summary(const std::vector<Normalised>& list) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& n : list) {
    bool found = false;
    for (auto& [what, count] : counts) {
      if (what == n.what) {
        ++count;
        found = true;
      }
    }
    if (!found) counts.emplace_back(n.what, 1);
  }
  std::string out;
  for (const auto& [what, count] : counts) {
    if (!out.empty()) out += ", ";
    out += what;
    if (count > 1) out += " x" + std::to_string(count);
  }
  return out.empty() ? "nothing" : out;
}

}  // namespace

nlohmann::json rebuild_document(const RebuildRun& run, const Comparison& result) {
  nlohmann::json doc;
  doc["schema"] = kRebuildSchema;
  doc["tool"] = {{"name", "cascade"}, {"version", run.version}};
  doc["a"] = file_json(run.a, result.format_a);
  doc["b"] = file_json(run.b, result.format_b);
  doc["options"] = {{"include_build_id", run.include_build_id}};
  doc["verdict"] = result.identical ? "identical" : "differs";
  doc["reason"] = text_or_null(result.reason);
  doc["compared"] = {{"a", result.compared_a}, {"b", result.compared_b}};
  auto& normalised = doc["normalised"] = nlohmann::json::array();
  for (const auto& [file, list] :
       {std::pair{"a", &result.normalised_a}, std::pair{"b", &result.normalised_b}}) {
    for (const auto& n : *list) {
      normalised.push_back(
          {{"file", file}, {"what", n.what}, {"offset", n.offset}, {"size", n.size}});
    }
  }
  auto& regions = doc["regions"] = nlohmann::json::array();
  for (const auto& r : result.regions) {
    regions.push_back({{"offset", optional_json(r.offset)},
                       {"size", r.size},
                       {"b_offset", optional_json(r.b_offset)},
                       {"section", r.section},
                       {"export", text_or_null(r.export_name)},
                       {"import", text_or_null(r.import_name)},
                       {"note", text_or_null(r.note)}});
  }
  doc["regions_omitted"] = result.regions_omitted;
  doc["differing_bytes"] = result.differing_bytes;
  auto& findings = doc["findings"] = nlohmann::json::array();
  for (const auto& f : result.findings) {
    findings.push_back({{"id", f.id},
                        {"severity", std::string(severity_name(f.severity))},
                        {"message", f.message}});
  }
  return doc;
}

void write_rebuild_text(std::ostream& stream, const RebuildRun& run, const Comparison& result,
                        bool color) {
  TextOut out(stream);  // paths, section and symbol names from the builds are made printable
  out << "rebuild-compare " << run.a.path << " " << run.b.path << '\n';
  for (const auto& [label, file, format, list] :
       {std::tuple{"a", &run.a, &result.format_a, &result.normalised_a},
        std::tuple{"b", &run.b, &result.format_b, &result.normalised_b}}) {
    out << "  " << label << ": " << layout_format_name(*format) << ", " << file->size
        << " bytes, sha256 " << file->sha256 << "; normalised " << summary(*list) << '\n';
  }
  if (color) out << "\033[1m";
  out << (result.identical ? "identical" : "DIFFERS");
  if (color) out << "\033[0m";
  if (!result.reason.empty()) out << ": " << result.reason;
  out << '\n';
  for (const auto& f : result.findings) {
    out << "  ";
    if (color) out << severity_color(f.severity);
    out << severity_name(f.severity);
    if (color) out << "\033[0m";
    out << std::string(9 - std::min<std::size_t>(8, severity_name(f.severity).size()), ' ') << f.id
        << ": " << f.message << '\n';
  }
  if (result.regions.empty()) return;
  out << "\n  REGION (file offsets)      SIZE  SECTION / NEAREST EXPORT / IMPORT\n";
  for (const auto& r : result.regions) {
    std::string where;
    if (r.offset) {
      where = hex(*r.offset) + "-" + hex(*r.offset + r.size);
      if (r.b_offset && *r.b_offset != *r.offset) where += " (b " + hex(*r.b_offset) + ")";
    } else {
      where = "b " + hex(r.b_offset.value_or(0)) + "-" + hex(r.b_offset.value_or(0) + r.size);
    }
    out << "  " << where;
    if (where.size() < 23) out << std::string(23 - where.size(), ' ');
    const std::string size = std::to_string(r.size);
    out << std::string(size.size() < 8 ? 8 - size.size() : 1, ' ') << size << "  " << r.section;
    if (!r.export_name.empty()) out << "  near " << r.export_name;
    if (!r.import_name.empty()) out << "  import " << r.import_name;
    if (!r.note.empty()) out << "  (" << r.note << ")";
    out << '\n';
  }
  if (result.regions_omitted != 0) {
    out << "  ... and " << result.regions_omitted << " more regions\n";
  }
}

}  // namespace cascade::rebuild
