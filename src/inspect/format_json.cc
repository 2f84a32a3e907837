#include "inspect/format_json.h"

#include <algorithm>

namespace cascade::json_detail {

namespace {

using nlohmann::json;

json optional_string(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

json symbols_json(const std::vector<elf::Symbol>& symbols) {
  json out = json::array();
  for (const auto& s : symbols) {
    json item = {{"name", s.name},
                 {"binding", elf::symbol_binding_name(s.binding)},
                 {"type", elf::symbol_type_name(s.type)}};
    if (!s.version.empty()) item["version"] = s.version;
    out.push_back(std::move(item));
  }
  return out;
}

// The verdict a reader wants first: is this code signed, by whom, and does it still match.
json codesign_json(const std::optional<macho::CodeSignature>& signature) {
  const std::string_view status =
      macho::code_signature_status_name(macho::code_signature_status(signature));
  if (!signature) {
    return {{"status", status},
            {"cd_hashes", json::array()},
            {"directories", json::array()},
            {"errors", json::array()}};
  }
  const macho::CodeSignature& cs = *signature;
  json directories = json::array();
  json cd_hashes = json::array();
  for (const auto& cd : cs.directories) {
    cd_hashes.push_back(cd.cdhash);
    json item = {{"version", cd.version},
                 {"flags", macho::code_directory_flag_names(cd.flags)},
                 {"hash_type", macho::code_directory_hash_name(cd.hash_type)},
                 {"identifier", cd.identifier},
                 {"team_id", cd.team_id},
                 {"code_limit", cd.code_limit},
                 {"page_size", cd.page_size},
                 {"code_slots", cd.code_slots},
                 {"special_slots", cd.special_slots},
                 {"cdhash", cd.cdhash},
                 {"alternate", cd.alternate},
                 {"bad_pages", cd.bad_pages},
                 {"bad_special_slots", cd.bad_special_slots},
                 {"checked", cd.checked}};
    item["first_bad_page"] = cd.first_bad_page ? json(*cd.first_bad_page) : json(nullptr);
    directories.push_back(std::move(item));
  }
  const macho::CodeDirectory* primary = cs.directories.empty() ? nullptr : &cs.directories[0];
  json out = {
      {"status", status},
      {"identifier", primary ? json(primary->identifier) : json(nullptr)},
      {"team_id", primary && !primary->team_id.empty() ? json(primary->team_id) : json(nullptr)},
      {"cd_hashes", std::move(cd_hashes)},
      {"adhoc", cs.adhoc},
      {"hardened_runtime", cs.hardened_runtime},
      {"library_validation", cs.library_validation},
      {"offset", cs.offset},
      {"size", cs.size},
      {"directories", std::move(directories)},
      {"entitlements", optional_string(cs.entitlements_xml)},
      {"entitlements_der", cs.entitlements_der},
      {"requirements_size", cs.requirements_size},
      {"errors", cs.errors}};
  json cms = {{"present", cs.cms_present}, {"signature_ok", cs.cms_signature_ok}};
  if (!cs.cms_error.empty()) cms["error"] = cs.cms_error;
  cms["signer"] = cs.signer ? json(cs.signer->subject) : json(nullptr);
  cms["signer_certificate"] = cs.signer ? certificate_json(*cs.signer) : json(nullptr);
  cms["chain"] = chain_json(cs.chain);
  cms["signing_time"] = optional_string(cs.signing_time);
  cms["apple_identity"] = cs.apple_identity == macho::AppleIdentity::kNone
                              ? json(nullptr)
                              : json(macho::apple_identity_name(cs.apple_identity));
  cms["developer_id"] = cs.developer_id;
  cms["signer_team_id"] = cs.team_id.empty() ? json(nullptr) : json(cs.team_id);
  out["cms"] = std::move(cms);
  return out;
}

json macho_detail_json(const macho::MachoImage& image) {
  json commands = json::array();
  for (const auto& lc : image.load_commands) {
    commands.push_back(
        {{"cmd", lc.cmd}, {"name", lc.name}, {"size", lc.size}, {"offset", lc.offset}});
  }
  json segments = json::array();
  for (const auto& seg : image.segments) {
    json sections = json::array();
    for (const auto& sec : seg.sections) {
      sections.push_back({{"name", sec.name},
                          {"addr", sec.addr},
                          {"size", sec.size},
                          {"offset", sec.offset},
                          {"flags", sec.flags},
                          {"entropy", sec.entropy}});
    }
    segments.push_back({{"name", seg.name},
                        {"vmaddr", seg.vmaddr},
                        {"vmsize", seg.vmsize},
                        {"fileoff", seg.fileoff},
                        {"filesize", seg.filesize},
                        {"maxprot", seg.maxprot},
                        {"initprot", seg.initprot},
                        {"sections", std::move(sections)}});
  }
  json imports = json::array();
  for (const auto& s : image.imports) {
    json item = {{"name", s.name}};
    if (!s.library.empty()) item["library"] = s.library;
    imports.push_back(std::move(item));
  }
  json exports = json::array();
  for (const auto& s : image.exports) exports.push_back({{"name", s.name}, {"value", s.value}});
  json out = {{"is_64", image.is_64},
              {"cpu", macho::cpu_name(image.cputype, image.cpusubtype)},
              {"filetype", macho::filetype_name(image.filetype)},
              {"flags", macho::header_flag_names(image.flags)},
              {"load_commands", std::move(commands)},
              {"segments", std::move(segments)},
              {"rpaths", image.rpaths},
              {"imports", std::move(imports)},
              {"exports", std::move(exports)},
              {"anomalies", image.anomalies}};
  out["entry_offset"] = image.entry_offset ? json(*image.entry_offset) : json(nullptr);
  out["encryption_cryptid"] =
      image.encryption_cryptid ? json(*image.encryption_cryptid) : json(nullptr);
  if (image.build_version) {
    out["build_version"] = {{"platform", image.build_version->platform},
                            {"minos", image.build_version->minos},
                            {"sdk", image.build_version->sdk},
                            {"source", image.build_version->source}};
  } else {
    out["build_version"] = nullptr;
  }
  return out;
}

json dylibs_json(const macho::MachoImage& image) {
  json out = json::array();
  for (const auto& d : image.dylibs) {
    out.push_back({{"kind", macho::dylib_kind_name(d.kind)},
                   {"name", d.name},
                   {"current_version", d.current_version},
                   {"compatibility_version", d.compatibility_version}});
  }
  return out;
}

void add_slice_keys(json& target, const MachoSliceReport& s) {
  if (!s.image) {
    target["error"] = s.error;
    return;
  }
  target["macho"] = macho_detail_json(*s.image);
  target["dylibs"] = dylibs_json(*s.image);
  target["uuid"] = optional_string(s.image->uuid);
  target["codesign"] = codesign_json(s.image->code_signature);
}

}  // namespace

json certificate_json(const authenticode::CertificateInfo& c) {
  return {{"subject", c.subject},    {"issuer", c.issuer}, {"serial", c.serial},
          {"sha1", c.sha1},          {"sha256", c.sha256}, {"not_before", c.not_before},
          {"not_after", c.not_after}};
}

std::string_view chain_problem_name(authenticode::ChainProblem problem) {
  switch (problem) {
    case authenticode::ChainProblem::kNone:
      return "none";
    case authenticode::ChainProblem::kNoAnchor:
      return "no-anchor";
    case authenticode::ChainProblem::kAnchorRestricted:
      return "anchor-restricted";
    case authenticode::ChainProblem::kLeafUsage:
      return "leaf-usage";
    case authenticode::ChainProblem::kSpoofedAnchor:
      return "spoofed-anchor";
  }
  return "no-anchor";
}

json chain_json(const authenticode::ChainResult& chain) {
  json certs = json::array();
  json details = json::array();
  for (const auto& c : chain.chain) {
    certs.push_back(c.subject);
    details.push_back(certificate_json(c));
  }
  // The subjects alone name no key; the details are what a signer indicator (a thumbprint, an
  // issuer and serial) is matched against, by scan and, from saved reports, by hunt.
  json out = {{"trusted", chain.trusted},
              {"time_valid", chain.time_valid},
              {"trust_set", authenticode::anchor_set_name(chain.trust_set)},
              {"certificates", certs},
              {"certificate_details", std::move(details)}};
  if (!chain.trusted) {
    out["error"] = chain.error;
    out["problem"] = chain_problem_name(chain.problem);
  } else if (!chain.chain.empty()) {
    out["anchor_sha256"] = chain.chain.back().sha256;
  }
  return out;
}

void add_elf(json& file, const elf::ElfImage& image) {
  json segments = json::array();
  for (const auto& seg : image.segments) {
    std::string flags;
    flags += (seg.flags & elf::kPfR) ? 'r' : '-';
    flags += seg.writable() ? 'w' : '-';
    flags += seg.executable() ? 'x' : '-';
    segments.push_back({{"type", elf::segment_type_name(seg.type)},
                        {"flags", flags},
                        {"offset", seg.offset},
                        {"vaddr", seg.vaddr},
                        {"filesz", seg.filesz},
                        {"memsz", seg.memsz},
                        {"align", seg.align}});
  }
  json sections = json::array();
  for (const auto& s : image.sections) {
    sections.push_back({{"name", s.name},
                        {"type", elf::section_type_name(s.type)},
                        {"flags", s.flags},
                        {"addr", s.addr},
                        {"offset", s.offset},
                        {"size", s.size},
                        {"entropy", s.entropy}});
  }
  file["needed"] = image.needed;
  file["soname"] = optional_string(image.soname);
  file["build_id"] = optional_string(image.build_id);
  file["interpreter"] = optional_string(image.interpreter);
  file["elf"] = {{"class", image.is_64 ? "elf64" : "elf32"},
                 {"endianness", image.little_endian ? "little" : "big"},
                 {"osabi", image.osabi},
                 {"type", elf::type_name(image.type)},
                 {"machine", elf::machine_name(image.machine)},
                 {"entry", image.entry},
                 {"segments", std::move(segments)},
                 {"sections", std::move(sections)},
                 {"rpath", image.rpath},
                 {"runpath", image.runpath},
                 {"imports", symbols_json(image.imports)},
                 {"exports", symbols_json(image.exports)},
                 {"stripped", image.stripped},
                 {"gnu_stack", image.has_gnu_stack},
                 {"exec_stack", image.exec_stack}};
}

void add_macho(json& file, const FileReport& report) {
  if (report.format == FileFormat::kMacho) {
    if (!report.macho_slices.empty()) add_slice_keys(file, report.macho_slices.front());
    return;
  }
  json slices = json::array();
  for (const auto& s : report.macho_slices) {
    json item = {{"cpu", macho::cpu_name(s.slice.cputype, s.slice.cpusubtype)},
                 {"offset", s.slice.offset},
                 {"size", s.slice.size},
                 {"align", s.slice.align}};
    add_slice_keys(item, s);
    slices.push_back(std::move(item));
  }
  file["slices"] = std::move(slices);
}

void add_msi(json& file, const msi::MsiPackage& package) {
  json streams = json::array();
  for (const auto& s : package.streams) streams.push_back({{"name", s.name}, {"size", s.size}});
  json files = json::array();
  for (const auto& [key, path] : package.install_names) {
    files.push_back({{"key", key}, {"path", path}});
  }
  json custom_actions = json::array();
  for (const auto& a : package.custom_actions) {
    json scheduled = json::array();
    for (const auto& step : a.scheduled) {
      scheduled.push_back({{"table", step.table},
                           {"sequence", step.sequence ? json(*step.sequence) : json(nullptr)},
                           {"condition", step.condition}});
    }
    custom_actions.push_back({{"action", a.action},
                              {"type", a.type},
                              {"source", a.source},
                              {"target", a.target},
                              {"scheduled", std::move(scheduled)}});
  }
  file["msi"] = {{"product_name", package.product_name},
                 {"product_version", package.product_version},
                 {"manufacturer", package.manufacturer},
                 {"streams", std::move(streams)},
                 {"cabinets", package.cabinets},
                 {"files", std::move(files)},
                 {"custom_actions", std::move(custom_actions)},
                 {"has_signature", package.has_signature},
                 {"has_signature_ex", package.has_signature_ex},
                 {"signature_padding", package.signature_padding}};
}

}  // namespace cascade::json_detail
