#include "diff/facts.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/json_access.h"
#include "formats/macho/macho_image.h"

namespace cascade::diff {

namespace {

using nlohmann::json;

using json_access::array_or_empty;
using json_access::field;
using json_access::object_or_empty;
using json_access::string_or_empty;
using json_access::unsigned_field;

double number_or_zero(const json& j, const char* key) {
  return json_access::number_field(j, key).value_or(0.0);
}

bool is_true(const json& j, const char* key) {
  return json_access::bool_field(j, key).value_or(false);
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
  facts.sections.push_back(
      {std::move(name), unsigned_field(s, size_key).value_or(0), number_or_zero(s, "entropy")});
}

void read_pe(FileFacts& facts, const json& file) {
  const json& pe = object_or_empty(file, "pe");
  add_header(
      facts, pe,
      {"machine", "pe32_plus", "is_dll", "subsystem", "dll_characteristics", "characteristics"});
  facts.entry_point = unsigned_field(pe, "entry_point");
  for (const char* kind : {"imports", "delay_imports"}) {
    for (const auto& dll : array_or_empty(pe, kind)) {
      const std::string name = string_or_empty(dll, "dll");
      if (!name.empty()) facts.import_libraries.insert(lower(name));
      for (const auto& f : array_or_empty(dll, "functions")) {
        const std::string function = string_or_empty(f, "name");
        if (!function.empty()) {
          add_import(facts, name, function);
        } else if (auto ordinal = unsigned_field(f, "ordinal")) {
          add_import(facts, name, '#' + std::to_string(*ordinal));
        }
      }
    }
  }
  for (const auto& e : array_or_empty(pe, "exports")) {
    const std::string name = string_or_empty(e, "name");
    if (!name.empty()) {
      facts.exports.insert(name);
    } else if (auto ordinal = unsigned_field(e, "ordinal")) {
      facts.exports.insert('#' + std::to_string(*ordinal));
    }
  }
  for (const auto& s : array_or_empty(pe, "sections"))
    add_section(facts, string_or_empty(s, "name"), s, "raw_size");
  if (const json* version_field = json_access::object_field(pe, "version")) {
    const json& version = *version_field;
    for (const auto& [key, value] : object_or_empty(version, "strings").items()) {
      if (value.is_string()) facts.version[key] = value.get<std::string>();
    }
    for (const char* key : {"file_version", "product_version"}) {
      if (const std::string v = string_or_empty(version, key); !v.empty()) facts.version[key] = v;
    }
  }
  const json& table = object_or_empty(file, "certificate_table");
  for (const auto& entry : array_or_empty(table, "entries")) {
    facts.unsigned_bytes += unsigned_field(object_or_empty(entry, "padding"), "size").value_or(0);
  }
  facts.unsigned_bytes += unsigned_field(object_or_empty(table, "trailing"), "size").value_or(0);
}

void read_authenticode(FileFacts& facts, const json& file) {
  const json& signatures = array_or_empty(file, "signatures");
  facts.signature_count = signatures.size();
  for (const auto& s : signatures) {
    if (unsigned_field(s, "nested_depth").value_or(0) != 0) continue;
    SignatureFacts sig;
    sig.verifies = is_true(s, "digest_ok") && is_true(s, "signature_ok");
    sig.trusted = is_true(object_or_empty(s, "chain"), "trusted");
    sig.signer = string_or_empty(s, "signer");
    const json& cert = object_or_empty(s, "signer_certificate");
    sig.issuer = string_or_empty(cert, "issuer");
    sig.thumbprint = string_or_empty(cert, "sha256");
    sig.anchor = string_or_empty(object_or_empty(s, "chain"), "anchor_sha256");
    sig.catalog = string_or_empty(s, "kind") == "catalog";
    sig.digest_algorithm = string_or_empty(s, "digest_algorithm");
    sig.signed_digest = string_or_empty(s, "signed_digest");
    if (!facts.signature) facts.signature = sig;
    facts.signatures.push_back(std::move(sig));
  }
}

void read_elf(FileFacts& facts, const json& file) {
  const json& elf = object_or_empty(file, "elf");
  add_header(facts, elf, {"class", "machine", "type", "osabi", "exec_stack", "rpath", "runpath"});
  add_header(facts, file, {"interpreter", "soname"});
  facts.entry_point = unsigned_field(elf, "entry");
  for (const auto& lib : array_or_empty(file, "needed")) {
    if (lib.is_string()) facts.import_libraries.insert(lower(lib.get<std::string>()));
  }
  for (const auto& s : array_or_empty(elf, "imports"))
    add_import(facts, "", string_or_empty(s, "name"));
  for (const auto& s : array_or_empty(elf, "exports")) {
    if (std::string name = string_or_empty(s, "name"); !name.empty())
      facts.exports.insert(std::move(name));
  }
  for (const auto& s : array_or_empty(elf, "sections"))
    add_section(facts, string_or_empty(s, "name"), s, "size");
}

// One Mach-O image (a thin file, or one slice of a fat file: `prefix` names the slice).
void read_macho_image(FileFacts& facts, const json& image, const std::string& prefix) {
  const json& macho = object_or_empty(image, "macho");
  for (const char* key : {"cpu", "filetype", "flags"}) {
    if (const json* v = field(macho, key); v != nullptr)
      facts.header[prefix + key] = scalar_text(*v);
  }
  if (auto entry = unsigned_field(macho, "entry_offset")) facts.entry_point = *entry;
  for (const auto& s : array_or_empty(macho, "imports"))
    add_import(facts, string_or_empty(s, "library"), string_or_empty(s, "name"));
  for (const auto& s : array_or_empty(macho, "exports")) {
    if (std::string name = string_or_empty(s, "name"); !name.empty())
      facts.exports.insert(std::move(name));
  }
  for (const auto& seg : array_or_empty(macho, "segments")) {
    for (const auto& s : array_or_empty(seg, "sections")) {
      add_section(facts, prefix + string_or_empty(seg, "name") + ',' + string_or_empty(s, "name"),
                  s, "size");
    }
  }
  for (const auto& d : array_or_empty(image, "dylibs")) {
    const json* version = field(d, "current_version");
    if (string_or_empty(d, "kind") == "id" && version != nullptr) {
      facts.version[prefix + "current_version"] = scalar_text(*version);
    }
  }
  const json& cs = object_or_empty(image, "codesign");
  const std::string status_text = string_or_empty(cs, "status");
  facts.header[prefix + "codesign"] = status_text;
  const auto status = macho::code_signature_status_from_name(status_text);
  if (facts.signature || status_text.empty() || status == macho::CodeSignatureStatus::kUnsigned)
    return;
  SignatureFacts sig;
  sig.adhoc = is_true(cs, "adhoc");
  sig.verifies = status == macho::CodeSignatureStatus::kValid ||
                 status == macho::CodeSignatureStatus::kUntrusted ||
                 status == macho::CodeSignatureStatus::kAdhoc;
  sig.trusted = status == macho::CodeSignatureStatus::kValid;
  const json& cms = object_or_empty(cs, "cms");
  sig.signer = string_or_empty(cms, "signer");
  const json& cert = object_or_empty(cms, "signer_certificate");
  sig.issuer = string_or_empty(cert, "issuer");
  sig.thumbprint = string_or_empty(cert, "sha256");
  sig.anchor = string_or_empty(object_or_empty(cms, "chain"), "anchor_sha256");
  const json& hashes = array_or_empty(cs, "cd_hashes");
  if (!hashes.empty() && hashes[0].is_string()) sig.signed_digest = hashes[0].get<std::string>();
  const json& directories = array_or_empty(cs, "directories");
  if (!directories.empty()) sig.digest_algorithm = string_or_empty(directories[0], "hash_type");
  if (const std::string team = string_or_empty(cs, "team_id"); !team.empty())
    facts.header[prefix + "team_id"] = team;
  facts.signatures.push_back(sig);
  facts.signature = std::move(sig);
  facts.signature_count = 1;
}

// The base type (source and target kind, the low six bits) of msidbCustomActionType.
std::string custom_action_kind(std::int64_t type) {
  switch (type & 0x3f) {
    case 1:
      return "DLL from the Binary table";
    case 2:
      return "EXE from the Binary table";
    case 5:
      return "JScript from the Binary table";
    case 6:
      return "VBScript from the Binary table";
    case 17:
      return "DLL installed with the product";
    case 18:
      return "EXE installed with the product";
    case 19:
      return "error message (ends the install)";
    case 21:
      return "JScript installed with the product";
    case 22:
      return "VBScript installed with the product";
    case 34:
      return "EXE in a directory";
    case 35:
      return "sets a directory";
    case 37:
      return "JScript text";
    case 38:
      return "VBScript text";
    case 50:
      return "EXE named by a property";
    case 51:
      return "sets a property";
    case 53:
      return "JScript from a property";
    case 54:
      return "VBScript from a property";
    default:
      return "type " + std::to_string(type & 0x3f);
  }
}

void read_msi(FileFacts& facts, const json& file) {
  const json& msi = object_or_empty(file, "msi");
  for (const char* key : {"product_name", "product_version", "manufacturer"}) {
    if (const std::string v = string_or_empty(msi, key); !v.empty()) facts.version[key] = v;
  }
  for (const json& row : array_or_empty(msi, "custom_actions")) {
    if (!row.is_object()) continue;
    const std::string action = string_or_empty(row, "action");
    if (action.empty()) continue;
    const auto type = static_cast<std::int64_t>(json_access::number_field(row, "type").value_or(0));
    std::string text = "Type: " + std::to_string(type) + " (" + custom_action_kind(type);
    if ((type & 0x400) != 0) text += ", deferred";
    if ((type & 0x800) != 0) text += ", no impersonation";
    text += ")\nSource: " + string_or_empty(row, "source") +
            "\nTarget: " + string_or_empty(row, "target") + "\n";
    for (const json& step : array_or_empty(row, "scheduled")) {
      if (!step.is_object()) continue;
      const auto sequence = json_access::number_field(step, "sequence");
      const std::string condition = string_or_empty(step, "condition");
      text += string_or_empty(step, "table") + " " +
              (sequence ? std::to_string(static_cast<std::int64_t>(*sequence)) : "-") +
              (condition.empty() ? "" : " if " + condition) + "\n";
    }
    facts.custom_actions.push_back({action, std::move(text)});
  }
}

}  // namespace

FileFacts facts_from_json(const json& file) {
  FileFacts facts;
  facts.path = string_or_empty(file, "path");
  facts.format =
      file_format_from_name(string_or_empty(file, "format")).value_or(FileFormat::kUnknown);
  facts.size = unsigned_field(file, "size").value_or(0);
  facts.sha256 = string_or_empty(file, "sha256");
  facts.error = string_or_empty(file, "error");
  if (facts.format == FileFormat::kPe) {
    facts.binary = facts.signable = true;
    read_pe(facts, file);
    read_authenticode(facts, file);
  } else if (facts.format == FileFormat::kElf) {
    facts.binary = true;
    read_elf(facts, file);
  } else if (facts.format == FileFormat::kMacho) {
    facts.binary = facts.signable = true;
    read_macho_image(facts, file, "");
  } else if (facts.format == FileFormat::kMachoFat) {
    facts.binary = facts.signable = true;
    for (const auto& slice : array_or_empty(file, "slices")) {
      read_macho_image(facts, slice, string_or_empty(slice, "cpu") + ':');
    }
  } else if (facts.format == FileFormat::kMsi) {
    facts.signable = true;
    read_msi(facts, file);
    read_authenticode(facts, file);
  }
  if (const json* overlay_field = json_access::object_field(file, "overlay")) {
    const json& overlay = *overlay_field;
    facts.overlay_size = unsigned_field(overlay, "size");
    facts.overlay_entropy = number_or_zero(overlay, "entropy");
  }
  for (const auto& f : array_or_empty(file, "findings")) {
    const std::string id = string_or_empty(f, "id");
    if (id.empty()) continue;
    const auto severity = severity_from_name(string_or_empty(f, "severity"));
    facts.findings.push_back(
        {id, severity.value_or(Severity::kInfo), string_or_empty(f, "message")});
  }
  return facts;
}

}  // namespace cascade::diff
