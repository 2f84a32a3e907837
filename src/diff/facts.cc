#include "diff/facts.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "formats/macho/macho_image.h"

namespace cascade::diff {

namespace {

using nlohmann::json;

const json& empty_array() {
  static const json kEmpty = json::array();
  return kEmpty;
}

const json* field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string str(const json& j, const char* key) {
  const json* v = field(j, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<std::uint64_t> u64(const json& j, const char* key) {
  const json* v = field(j, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned()) return v->get<std::uint64_t>();
  if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(v->get<std::int64_t>());
  }
  return std::nullopt;
}

double number(const json& j, const char* key) {
  const json* v = field(j, key);
  return v != nullptr && v->is_number() ? v->get<double>() : 0.0;
}

bool boolean(const json& j, const char* key) {
  const json* v = field(j, key);
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

const json& arr(const json& j, const char* key) {
  const json* v = field(j, key);
  return v != nullptr && v->is_array() ? *v : empty_array();
}

const json& obj(const json& j, const char* key) {
  static const json kNull;
  const json* v = field(j, key);
  return v != nullptr && v->is_object() ? *v : kNull;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A scalar as text, for header fields whose type varies by format.
std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) {
      if (!out.empty()) out += ',';
      out += scalar_text(item);
    }
    return out;
  }
  return "";
}

void add_header(FileFacts& facts, const json& from, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (const json* v = field(from, key); v != nullptr && !v->is_null()) {
      facts.header[key] = scalar_text(*v);
    }
  }
}

void add_import(FileFacts& facts, const std::string& library, const std::string& function) {
  if (function.empty()) return;
  const std::string lib = lower(library);
  facts.imports.insert(lib + '!' + function);
  facts.import_functions.insert(function);
  if (!lib.empty()) facts.import_libraries.insert(lib);
}

void add_section(FileFacts& facts, std::string name, const json& s, const char* size_key) {
  facts.sections.push_back({std::move(name), u64(s, size_key).value_or(0), number(s, "entropy")});
}

void read_pe(FileFacts& facts, const json& file) {
  const json& pe = obj(file, "pe");
  add_header(
      facts, pe,
      {"machine", "pe32_plus", "is_dll", "subsystem", "dll_characteristics", "characteristics"});
  facts.entry_point = u64(pe, "entry_point");
  for (const char* kind : {"imports", "delay_imports"}) {
    for (const auto& dll : arr(pe, kind)) {
      const std::string name = str(dll, "dll");
      if (!name.empty()) facts.import_libraries.insert(lower(name));
      for (const auto& f : arr(dll, "functions")) {
        const std::string function = str(f, "name");
        if (!function.empty()) {
          add_import(facts, name, function);
        } else if (auto ordinal = u64(f, "ordinal")) {
          add_import(facts, name, '#' + std::to_string(*ordinal));
        }
      }
    }
  }
  for (const auto& e : arr(pe, "exports")) {
    const std::string name = str(e, "name");
    if (!name.empty()) {
      facts.exports.insert(name);
    } else if (auto ordinal = u64(e, "ordinal")) {
      facts.exports.insert('#' + std::to_string(*ordinal));
    }
  }
  for (const auto& s : arr(pe, "sections")) add_section(facts, str(s, "name"), s, "raw_size");
  const json& version = obj(pe, "version");
  if (version.is_object()) {
    for (const auto& [key, value] : obj(version, "strings").items()) {
      if (value.is_string()) facts.version[key] = value.get<std::string>();
    }
    for (const char* key : {"file_version", "product_version"}) {
      if (const std::string v = str(version, key); !v.empty()) facts.version[key] = v;
    }
  }
  const json& table = obj(file, "certificate_table");
  for (const auto& entry : arr(table, "entries")) {
    facts.unsigned_bytes += u64(obj(entry, "padding"), "size").value_or(0);
  }
  facts.unsigned_bytes += u64(obj(table, "trailing"), "size").value_or(0);
}

void read_authenticode(FileFacts& facts, const json& file) {
  const json& signatures = arr(file, "signatures");
  facts.signature_count = signatures.size();
  for (const auto& s : signatures) {
    if (u64(s, "nested_depth").value_or(0) != 0) continue;
    SignatureFacts sig;
    sig.verifies = boolean(s, "digest_ok") && boolean(s, "signature_ok");
    sig.trusted = boolean(obj(s, "chain"), "trusted");
    sig.signer = str(s, "signer");
    const json& cert = obj(s, "signer_certificate");
    sig.issuer = str(cert, "issuer");
    sig.thumbprint = str(cert, "sha256");
    sig.anchor = str(obj(s, "chain"), "anchor_sha256");
    sig.catalog = str(s, "kind") == "catalog";
    sig.digest_algorithm = str(s, "digest_algorithm");
    sig.signed_digest = str(s, "signed_digest");
    if (!facts.signature) facts.signature = sig;
    facts.signatures.push_back(std::move(sig));
  }
}

void read_elf(FileFacts& facts, const json& file) {
  const json& elf = obj(file, "elf");
  add_header(facts, elf, {"class", "machine", "type", "osabi", "exec_stack", "rpath", "runpath"});
  add_header(facts, file, {"interpreter", "soname"});
  facts.entry_point = u64(elf, "entry");
  for (const auto& lib : arr(file, "needed")) {
    if (lib.is_string()) facts.import_libraries.insert(lower(lib.get<std::string>()));
  }
  for (const auto& s : arr(elf, "imports")) add_import(facts, "", str(s, "name"));
  for (const auto& s : arr(elf, "exports")) {
    if (std::string name = str(s, "name"); !name.empty()) facts.exports.insert(std::move(name));
  }
  for (const auto& s : arr(elf, "sections")) add_section(facts, str(s, "name"), s, "size");
}

// One Mach-O image (a thin file, or one slice of a fat file: `prefix` names the slice).
void read_macho_image(FileFacts& facts, const json& image, const std::string& prefix) {
  const json& macho = obj(image, "macho");
  for (const char* key : {"cpu", "filetype", "flags"}) {
    if (const json* v = field(macho, key); v != nullptr)
      facts.header[prefix + key] = scalar_text(*v);
  }
  if (auto entry = u64(macho, "entry_offset")) facts.entry_point = *entry;
  for (const auto& s : arr(macho, "imports")) add_import(facts, str(s, "library"), str(s, "name"));
  for (const auto& s : arr(macho, "exports")) {
    if (std::string name = str(s, "name"); !name.empty()) facts.exports.insert(std::move(name));
  }
  for (const auto& seg : arr(macho, "segments")) {
    for (const auto& s : arr(seg, "sections")) {
      add_section(facts, prefix + str(seg, "name") + ',' + str(s, "name"), s, "size");
    }
  }
  for (const auto& d : arr(image, "dylibs")) {
    const json* version = field(d, "current_version");
    if (str(d, "kind") == "id" && version != nullptr) {
      facts.version[prefix + "current_version"] = scalar_text(*version);
    }
  }
  const json& cs = obj(image, "codesign");
  const std::string status_text = str(cs, "status");
  facts.header[prefix + "codesign"] = status_text;
  const auto status = macho::code_signature_status_from_name(status_text);
  if (facts.signature || status_text.empty() || status == macho::CodeSignatureStatus::kUnsigned)
    return;
  SignatureFacts sig;
  sig.adhoc = boolean(cs, "adhoc");
  sig.verifies = status == macho::CodeSignatureStatus::kValid ||
                 status == macho::CodeSignatureStatus::kUntrusted ||
                 status == macho::CodeSignatureStatus::kAdhoc;
  sig.trusted = status == macho::CodeSignatureStatus::kValid;
  const json& cms = obj(cs, "cms");
  sig.signer = str(cms, "signer");
  const json& cert = obj(cms, "signer_certificate");
  sig.issuer = str(cert, "issuer");
  sig.thumbprint = str(cert, "sha256");
  sig.anchor = str(obj(cms, "chain"), "anchor_sha256");
  const json& hashes = arr(cs, "cd_hashes");
  if (!hashes.empty() && hashes[0].is_string()) sig.signed_digest = hashes[0].get<std::string>();
  const json& directories = arr(cs, "directories");
  if (!directories.empty()) sig.digest_algorithm = str(directories[0], "hash_type");
  if (const std::string team = str(cs, "team_id"); !team.empty())
    facts.header[prefix + "team_id"] = team;
  facts.signatures.push_back(sig);
  facts.signature = std::move(sig);
  facts.signature_count = 1;
}

void read_msi(FileFacts& facts, const json& file) {
  const json& msi = obj(file, "msi");
  for (const char* key : {"product_name", "product_version", "manufacturer"}) {
    if (const std::string v = str(msi, key); !v.empty()) facts.version[key] = v;
  }
}

}  // namespace

FileFacts facts_from_json(const json& file) {
  FileFacts facts;
  facts.path = str(file, "path");
  facts.format = str(file, "format");
  facts.size = u64(file, "size").value_or(0);
  facts.sha256 = str(file, "sha256");
  facts.error = str(file, "error");
  if (facts.format == "pe") {
    facts.binary = facts.signable = true;
    read_pe(facts, file);
    read_authenticode(facts, file);
  } else if (facts.format == "elf") {
    facts.binary = true;
    read_elf(facts, file);
  } else if (facts.format == "macho") {
    facts.binary = facts.signable = true;
    read_macho_image(facts, file, "");
  } else if (facts.format == "macho-fat") {
    facts.binary = facts.signable = true;
    for (const auto& slice : arr(file, "slices")) {
      read_macho_image(facts, slice, str(slice, "cpu") + ':');
    }
  } else if (facts.format == "msi") {
    facts.signable = true;
    read_msi(facts, file);
    read_authenticode(facts, file);
  }
  if (const json& overlay = obj(file, "overlay"); overlay.is_object()) {
    facts.overlay_size = u64(overlay, "size");
    facts.overlay_entropy = number(overlay, "entropy");
  }
  for (const auto& f : arr(file, "findings")) {
    const std::string id = str(f, "id");
    if (id.empty()) continue;
    const auto severity = severity_from_name(str(f, "severity"));
    facts.findings.push_back({id, severity.value_or(Severity::kInfo), str(f, "message")});
  }
  return facts;
}

}  // namespace cascade::diff
