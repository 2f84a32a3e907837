#include "scan/cache/cached_entry.h"

#include <optional>

#include "core/digest.h"
#include "core/json_access.h"
#include "core/strict_json.h"
#include "core/utf8.h"
#include "inspect/file_report_json.h"

namespace cascade::scan {

namespace {

using nlohmann::json;

// Strings from files may hold bytes that are not UTF-8: kept losslessly, so a reused entry
// prints exactly what the read did.
json text(const std::string& raw) {
  return lossless_utf8(raw);
}

// The reading of one entry: every accessor fails the whole entry on a missing member or a
// wrong type, so a damaged row is rejected rather than half read.
class EntryReader {
 public:
  explicit EntryReader(const json& object) : object_(object) {}
  bool ok() const { return ok_; }

  const json* member(const char* key) {
    if (!object_.is_object()) return fail();
    const auto it = object_.find(key);
    if (it == object_.end()) return fail();
    return &*it;
  }
  std::string text(const char* key) {
    const json* value = member(key);
    if (value == nullptr || !value->is_string()) return fail(), std::string();
    auto raw = from_lossless_utf8(value->get_ref<const std::string&>());
    if (!raw) return fail(), std::string();
    return std::move(*raw);
  }
  std::optional<std::string> optional_text(const char* key) {
    const json* value = member(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_null()) return std::nullopt;
    return text(key);
  }
  std::uint64_t unsigned_number(const char* key) {
    const json* value = member(key);
    if (value == nullptr || !value->is_number_unsigned()) return fail(), 0;
    return value->get<std::uint64_t>();
  }
  std::int64_t number(const char* key) {
    const json* value = member(key);
    if (value == nullptr || !value->is_number_integer()) return fail(), 0;
    return value->get<std::int64_t>();
  }
  bool boolean(const char* key) {
    const json* value = member(key);
    if (value == nullptr || !value->is_boolean()) return fail(), false;
    return value->get<bool>();
  }
  const json& array(const char* key) {
    static const json kEmpty = json::array();
    const json* value = member(key);
    if (value == nullptr || !value->is_array()) return fail(), kEmpty;
    return *value;
  }
  std::nullptr_t fail() {
    ok_ = false;
    return nullptr;
  }

 private:
  const json& object_;
  bool ok_ = true;
};

json findings_json(const std::vector<Finding>& findings) {
  json out = json::array();
  for (const auto& f : findings) {
    out.push_back({{"id", f.id},
                   {"severity", std::string(severity_name(f.severity))},
                   {"message", text(f.message)}});
  }
  return out;
}

std::vector<Finding> read_findings(const json& list, EntryReader& parent) {
  std::vector<Finding> out;
  for (const auto& item : list) {
    EntryReader reader(item);
    Finding finding;
    finding.id = reader.text("id");
    const auto severity = severity_from_name(reader.text("severity"));
    if (!severity) parent.fail();
    finding.severity = severity.value_or(Severity::kInfo);
    finding.message = reader.text("message");
    if (!reader.ok()) parent.fail();
    out.push_back(std::move(finding));
  }
  return out;
}

json certificate_json(const authenticode::CertificateInfo& c) {
  return {{"subject", text(c.subject)},
          {"issuer", text(c.issuer)},
          {"serial", text(c.serial)},
          {"sha1", text(c.sha1)},
          {"sha256", text(c.sha256)},
          {"not_before", text(c.not_before)},
          {"not_after", text(c.not_after)},
          {"not_before_epoch", c.not_before_epoch},
          {"not_after_epoch", c.not_after_epoch}};
}

authenticode::CertificateInfo read_certificate(const json& object, EntryReader& parent) {
  EntryReader reader(object);
  authenticode::CertificateInfo c;
  c.subject = reader.text("subject");
  c.issuer = reader.text("issuer");
  c.serial = reader.text("serial");
  c.sha1 = reader.text("sha1");
  c.sha256 = reader.text("sha256");
  c.not_before = reader.text("not_before");
  c.not_after = reader.text("not_after");
  c.not_before_epoch = static_cast<std::time_t>(reader.number("not_before_epoch"));
  c.not_after_epoch = static_cast<std::time_t>(reader.number("not_after_epoch"));
  if (!reader.ok()) parent.fail();
  return c;
}

std::optional<PackageEcosystem> ecosystem_from_name(std::string_view name) {
  for (const auto ecosystem :
       {PackageEcosystem::kDeb, PackageEcosystem::kNpm, PackageEcosystem::kPypi}) {
    if (ecosystem_name(ecosystem) == name) return ecosystem;
  }
  return std::nullopt;
}

json manifest_json(const ManifestFacts& manifest) {
  json packages = json::array();
  for (const auto& p : manifest.packages) {
    packages.push_back({{"ecosystem", std::string(ecosystem_name(p.ecosystem))},
                        {"name", text(p.name)},
                        {"version", text(p.version)},
                        {"architecture", text(p.architecture)},
                        {"source", text(p.source)},
                        {"tree_root", p.tree_root ? text(*p.tree_root) : json(nullptr)}});
  }
  json os_release = nullptr;
  if (manifest.os_release) {
    os_release = {{"tree_root", text(manifest.os_release->tree_root)},
                  {"id", text(manifest.os_release->id)},
                  {"from_etc", manifest.os_release->from_etc}};
  }
  json incomplete = json::array();
  for (const auto& note : manifest.incomplete) incomplete.push_back(text(note));
  return {{"packages", std::move(packages)},
          {"os_release", std::move(os_release)},
          {"incomplete", std::move(incomplete)}};
}

ManifestFacts read_manifest(const json& object, EntryReader& parent) {
  EntryReader reader(object);
  ManifestFacts manifest;
  for (const auto& item : reader.array("packages")) {
    EntryReader package(item);
    RecognisedPackage p;
    const auto ecosystem = ecosystem_from_name(package.text("ecosystem"));
    if (!ecosystem) package.fail();
    p.ecosystem = ecosystem.value_or(PackageEcosystem::kNpm);
    p.name = package.text("name");
    p.version = package.text("version");
    p.architecture = package.text("architecture");
    p.source = package.text("source");
    p.tree_root = package.optional_text("tree_root");
    if (!package.ok()) reader.fail();
    manifest.packages.push_back(std::move(p));
  }
  if (const json* os = reader.member("os_release"); os != nullptr && !os->is_null()) {
    EntryReader release(*os);
    OsReleaseId id;
    id.tree_root = release.text("tree_root");
    id.id = release.text("id");
    id.from_etc = release.boolean("from_etc");
    if (!release.ok()) reader.fail();
    manifest.os_release = std::move(id);
  }
  for (const auto& note : reader.array("incomplete")) {
    auto raw =
        note.is_string() ? from_lossless_utf8(note.get_ref<const std::string&>()) : std::nullopt;
    if (!raw) reader.fail();
    manifest.incomplete.push_back(raw.value_or(""));
  }
  if (!reader.ok()) parent.fail();
  return manifest;
}

Bytes text_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

json entry_json(const CachedEntry& e) {
  json certificates = json::array();
  for (const auto& c : e.certificates) certificates.push_back(certificate_json(c));
  return {{"path", text(e.path)},
          {"depth", e.depth},
          {"size", e.size},
          {"format", std::string(file_format_name(e.format))},
          {"sha256", e.hashes.sha256},
          {"sha1", e.hashes.sha1 ? json(*e.hashes.sha1) : json(nullptr)},
          {"md5", e.hashes.md5 ? json(*e.hashes.md5) : json(nullptr)},
          {"error", text(e.error)},
          {"facts_size", e.facts.size()},
          {"findings", findings_json(e.findings)},
          {"certificates", std::move(certificates)},
          {"manifest", manifest_json(e.manifest)},
          {"yara_variables", e.yara_variables},
          {"yara", findings_json(e.yara)}};
}

// An entry as the list holds it: everything but its facts, and their size.
struct ListedEntry {
  CachedEntry entry;
  std::uint64_t facts_size = 0;
};

std::optional<ListedEntry> read_entry(const json& object) {
  EntryReader reader(object);
  ListedEntry listed;
  CachedEntry& e = listed.entry;
  e.path = reader.text("path");
  const std::int64_t depth = reader.number("depth");
  if (depth < 0 || depth > 1024) reader.fail();
  e.depth = static_cast<int>(depth);
  e.size = reader.unsigned_number("size");
  const auto format = file_format_from_name(reader.text("format"));
  if (!format) reader.fail();
  e.format = format.value_or(FileFormat::kUnknown);
  e.hashes.sha256 = reader.text("sha256");
  e.hashes.sha1 = reader.optional_text("sha1");
  e.hashes.md5 = reader.optional_text("md5");
  e.error = reader.text("error");
  // The facts text itself is stored apart (decode_entries); here its size only.
  listed.facts_size = reader.unsigned_number("facts_size");
  e.findings = read_findings(reader.array("findings"), reader);
  for (const auto& c : reader.array("certificates")) {
    e.certificates.push_back(read_certificate(c, reader));
  }
  if (const json* manifest = reader.member("manifest"); manifest != nullptr) {
    e.manifest = read_manifest(*manifest, reader);
  }
  e.yara_variables = reader.text("yara_variables");
  e.yara = read_findings(reader.array("yara"), reader);
  if (!reader.ok()) return std::nullopt;
  return listed;
}

}  // namespace

std::string cacheable_facts(const FileReport& report) {
  json facts = file_report_json(report);
  facts.erase("findings");
  facts.erase("sha1");
  facts.erase("md5");
  // Facts came from files: a name that is not UTF-8 is replaced, as the report replaces it.
  return facts.dump(-1, ' ', false, json::error_handler_t::replace);
}

json cached_file_json(std::string_view facts, const FileReport& report) {
  auto parsed = parse_strict_json(facts);
  json out;
  if (parsed && parsed->is_object()) {
    out = std::move(*parsed);
  } else {
    out = {{"path", text(report.path)},
           {"error",
            "scan cache: the cached facts of this file do not parse; scan with "
            "--no-cache"}};
  }
  if (report.hashes.sha1) out["sha1"] = *report.hashes.sha1;
  if (report.hashes.md5) out["md5"] = *report.hashes.md5;
  json findings = json::array();
  for (const auto& f : report.findings) findings.push_back(finding_json(f));
  out["findings"] = std::move(findings);
  out["cached"] = true;
  return out;
}

EncodedEntries encode_entries(const std::vector<CachedEntry>& entries) {
  json list = json::array();
  EncodedEntries out;
  for (const auto& entry : entries) {
    list.push_back(entry_json(entry));
    out.facts += entry.facts;
  }
  const json head = {
      {"entries", std::move(list)},
      {"facts_sha256", to_hex(digest(DigestAlgorithm::kSha256, text_bytes(out.facts)))}};
  out.list = head.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

Result<std::vector<CachedEntry>> decode_entries(std::string_view list_text,
                                                std::optional<std::string_view> facts) {
  auto parsed = parse_strict_json(list_text);
  if (!parsed) return parsed.error();
  const json* list = parsed->is_object() ? json_access::field(*parsed, "entries") : nullptr;
  const std::string* sum =
      parsed->is_object() ? json_access::string_field(*parsed, "facts_sha256") : nullptr;
  if (list == nullptr || !list->is_array() || list->empty() || sum == nullptr) {
    return make_error(ErrorCode::kMalformed, "an entry list is not a non-empty array");
  }
  if (facts && *sum != to_hex(digest(DigestAlgorithm::kSha256, text_bytes(*facts)))) {
    return make_error(ErrorCode::kMalformed, "the facts do not match their digest");
  }
  std::vector<CachedEntry> entries;
  entries.reserve(list->size());
  std::size_t offset = 0;
  for (const auto& item : *list) {
    auto listed = read_entry(item);
    if (!listed || (facts && listed->facts_size > facts->size() - offset)) {
      return make_error(ErrorCode::kMalformed,
                        "entry " + std::to_string(entries.size()) + " is not a cached file");
    }
    CachedEntry& entry = listed->entry;
    if (facts) {
      entry.facts.assign(facts->substr(offset, static_cast<std::size_t>(listed->facts_size)));
      offset += entry.facts.size();
      // A JSON object's text, as cacheable_facts writes it; its content is parsed when printed.
      if (entry.facts.size() < 2 || entry.facts.front() != '{' || entry.facts.back() != '}') {
        return make_error(ErrorCode::kMalformed,
                          "entry " + std::to_string(entries.size()) + " has no facts object");
      }
    } else {
      entry.facts.clear();
    }
    entries.push_back(std::move(entry));
  }
  if (facts && offset != facts->size()) {
    return make_error(ErrorCode::kMalformed, "the facts are longer than their entries say");
  }
  // The file on disk comes last, after everything inside it, at depth 0.
  if (entries.back().depth != 0) {
    return make_error(ErrorCode::kMalformed, "the last entry is not the file on disk");
  }
  return entries;
}

}  // namespace cascade::scan
