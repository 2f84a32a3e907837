#include "inspect/file_report_json.h"

#include <ctime>

#include "core/base64.h"
#include "core/time.h"
#include "core/utf8.h"
#include "inspect/format_json.h"

namespace cascade {

namespace {

using nlohmann::json;

json region_json(const pe::Region& r) {
  return {{"offset", r.offset}, {"size", r.size}};
}

using json_detail::certificate_json;
using json_detail::chain_json;

json signature_json(const authenticode::Signature& s) {
  json out = {{"kind", authenticode::signature_kind_name(s.kind)},
              {"entry", s.entry_index},
              {"nested_depth", s.depth},
              {"digest_algorithm", s.digest_algorithm},
              {"signed_digest", s.signed_digest},
              {"computed_digest", s.computed_digest},
              {"digest_ok", s.digest_ok},
              {"signature_ok", s.signature_ok},
              {"signer", s.signer ? json(s.signer->subject) : json(nullptr)},
              {"signer_certificate", s.signer ? certificate_json(*s.signer) : json(nullptr)},
              {"chain", chain_json(s.chain)},
              {"signing_time", s.signing_time ? json(*s.signing_time) : json(nullptr)},
              {"validity_basis", authenticode::validity_basis_name(s.validity_basis)},
              {"signer_time_valid", s.signer_time_valid},
              {"page_hashes", s.page_hashes_present}};
  json timestamps = json::array();
  for (const auto& t : s.timestamps) {
    json ts = {{"kind", authenticode::timestamp_kind_name(t.kind)},
               {"time", t.time},
               {"signature_ok", t.signature_ok},
               {"imprint_ok", t.imprint_ok},
               {"signer", t.signer ? json(t.signer->subject) : json(nullptr)},
               {"signer_certificate", t.signer ? certificate_json(*t.signer) : json(nullptr)},
               {"chain", chain_json(t.chain)}};
    if (!t.error.empty()) ts["error"] = t.error;
    timestamps.push_back(std::move(ts));
  }
  out["timestamps"] = std::move(timestamps);
  if (s.kind == authenticode::SignatureKind::kCatalog) out["catalog"] = s.catalog;
  if (!s.error.empty()) out["error"] = s.error;
  if (!s.signature_error.empty()) out["signature_error"] = s.signature_error;
  return out;
}

json imports_json(const pe::PeImage& image, bool delay) {
  json out = json::array();
  for (const auto& dll : image.imports) {
    if (dll.delay_load != delay) continue;
    json functions = json::array();
    for (const auto& f : dll.functions) {
      if (f.ordinal) {
        functions.push_back({{"ordinal", *f.ordinal}});
      } else {
        functions.push_back({{"name", f.name}, {"hint", f.hint}});
      }
    }
    out.push_back({{"dll", dll.name}, {"functions", std::move(functions)}});
  }
  return out;
}

json pe_json(const FileReport& report) {
  const pe::PeImage& image = *report.pe;
  json sections = json::array();
  for (const auto& s : image.sections) {
    sections.push_back({{"name", s.name},
                        {"virtual_address", s.virtual_address},
                        {"virtual_size", s.virtual_size},
                        {"raw_offset", s.raw_offset},
                        {"raw_size", s.raw_size},
                        {"characteristics", s.characteristics},
                        {"flags", pe::section_characteristics_names(s.characteristics)},
                        {"entropy", s.entropy}});
  }
  json exports = json::array();
  for (const auto& e : image.exports) {
    json item = {{"ordinal", e.ordinal}, {"rva", e.rva}};
    item["name"] = e.name.empty() ? json(nullptr) : json(e.name);
    if (!e.forwarder.empty()) item["forwarder"] = e.forwarder;
    exports.push_back(std::move(item));
  }
  json out = {
      {"pe32_plus", image.pe32_plus},
      {"machine", pe::machine_name(image.machine)},
      {"timestamp", image.timestamp},
      // The stored number stays for existing readers; the same instant as RFC 3339 beside it.
      {"timestamp_utc", format_rfc3339(static_cast<std::time_t>(image.timestamp))},
      {"characteristics", image.characteristics},
      {"is_dll", image.is_dll()},
      {"subsystem", pe::subsystem_name(image.subsystem)},
      {"dll_characteristics", pe::dll_characteristics_names(image.dll_characteristics)},
      {"dll_characteristics_value", image.dll_characteristics},
      {"entry_point", image.entry_point},
      {"image_base", image.image_base},
      {"checksum", {{"stored", image.checksum_stored}, {"computed", image.checksum_computed}}},
      {"sections", std::move(sections)},
      {"imports", imports_json(image, false)},
      {"delay_imports", imports_json(image, true)},
      {"export_name", image.export_name},
      {"exports", std::move(exports)}};
  if (image.version) {
    json strings = json::object();
    for (const auto& [key, value] : image.version->strings) strings[key] = value;
    out["version"] = {{"strings", std::move(strings)},
                      {"language", image.version->language},
                      {"file_version", image.version->file_version_fixed.value_or("")},
                      {"product_version", image.version->product_version_fixed.value_or("")}};
  } else {
    out["version"] = nullptr;
  }
  return out;
}

json certificate_table_json(const authenticode::CertificateTable& table) {
  json entries = json::array();
  for (const auto& e : table.entries) {
    json item = {
        {"offset", e.offset}, {"length", e.length}, {"revision", e.revision}, {"type", e.type}};
    item["der_size"] = e.der_size ? json(*e.der_size) : json(nullptr);
    if (e.padding) {
      item["padding"] = region_json(*e.padding);
      item["padding"]["entropy"] = e.padding_entropy;
    }
    if (!e.error.empty()) item["error"] = e.error;
    entries.push_back(std::move(item));
  }
  json out = {{"offset", table.region.offset},
              {"size", table.region.size},
              {"entries", std::move(entries)},
              {"errors", table.errors}};
  if (table.trailing) out["trailing"] = region_json(*table.trailing);
  return out;
}

}  // namespace

nlohmann::json finding_json(const Finding& finding) {
  return {{"id", finding.id},
          {"severity", std::string(severity_name(finding.severity))},
          {"message", finding.message}};
}

nlohmann::json file_report_json(const FileReport& report) {
  json findings = json::array();
  for (const auto& f : report.findings) findings.push_back(finding_json(f));
  // Paths are kept lossless: two names that differ only in bytes that are not UTF-8 must not
  // become the same string (docs/json-schema.md, "Paths").
  json out = {{"path", lossless_utf8(report.path)},
              {"size", report.size},
              {"format", file_format_name(report.format)}};
  if (out["path"].get_ref<const std::string&>() != report.path) {
    out["path_base64"] = base64_encode(
        Bytes(reinterpret_cast<const std::uint8_t*>(report.path.data()), report.path.size()));
  }
  out["sha256"] = report.hashes.sha256.empty() ? json(nullptr) : json(report.hashes.sha256);
  if (report.hashes.sha1) out["sha1"] = *report.hashes.sha1;
  if (report.hashes.md5) out["md5"] = *report.hashes.md5;
  if (!report.error.empty()) out["error"] = report.error;
  if (report.pe) {
    out["imphash"] = report.imphash;
    out["pe"] = pe_json(report);
    out["overlay"] = report.overlay ? region_json(*report.overlay) : json(nullptr);
    if (report.overlay) out["overlay"]["entropy"] = report.overlay_entropy;
    out["certificate_table"] = report.certificate_table
                                   ? certificate_table_json(*report.certificate_table)
                                   : json(nullptr);
  }
  if (report.elf) {
    json_detail::add_elf(out, *report.elf);
    out["overlay"] = report.overlay ? region_json(*report.overlay) : json(nullptr);
    if (report.overlay) out["overlay"]["entropy"] = report.overlay_entropy;
  }
  if (!report.macho_slices.empty()) json_detail::add_macho(out, report);
  if (report.msi) json_detail::add_msi(out, *report.msi);
  if (report.catalog) {
    out["catalog"] = {
        {"members", report.catalog->members},
        {"named", report.catalog->named},
        {"this_update",
         report.catalog->this_update.empty() ? json(nullptr) : json(report.catalog->this_update)}};
  }
  // Every format's signatures, embedded and from catalogs, in one array; present (maybe
  // empty) for every file, so `.files[].signatures[]` works whatever the input.
  json signatures = json::array();
  for (const auto& s : report.signatures) signatures.push_back(signature_json(s));
  out["signatures"] = std::move(signatures);
  out["findings"] = std::move(findings);
  return out;
}

}  // namespace cascade
