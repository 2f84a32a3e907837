#include "diff/capabilities.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/mapped_file.h"
#include "core/strict_json.h"

namespace cascade::diff {

extern const std::string_view kBuiltinCapabilities;

namespace {

using nlohmann::json;

constexpr std::size_t kMaxTableBytes = 16u << 20;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Error table_error(const std::string& origin, const std::string& what) {
  return make_error(ErrorCode::kMalformed, origin + ": " + what);
}

}  // namespace

void CapabilitySet::add_pattern(const std::string& pattern, std::size_t capability, bool library) {
  const std::string p = library ? lower(pattern) : pattern;
  if (!p.empty() && p.back() == '*') {
    (library ? prefix_libraries_ : prefix_functions_)
        .push_back({p.substr(0, p.size() - 1), capability});
  } else {
    (library ? exact_libraries_ : exact_functions_).emplace(p, capability);
  }
}

Result<CapabilitySet> CapabilitySet::parse(std::string_view text, const std::string& origin) {
  auto document = parse_strict_json(text);
  if (!document) {
    return make_error(document.error().code, origin + ": " + document.error().message);
  }
  const json& doc = *document;
  if (!doc.is_object()) return table_error(origin, "not a JSON object");
  const auto schema = doc.find("schema");
  if (schema == doc.end() || !schema->is_string() || *schema != kCapabilitiesSchema) {
    return table_error(origin, std::string("schema is not ") + kCapabilitiesSchema);
  }
  const auto list = doc.find("capabilities");
  if (list == doc.end() || !list->is_array()) return table_error(origin, "no capabilities array");
  CapabilitySet set;
  for (const auto& item : *list) {
    if (!item.is_object()) return table_error(origin, "a capability is not an object");
    const auto id = item.find("id");
    if (id == item.end() || !id->is_string() || id->get<std::string>().empty()) {
      return table_error(origin, "a capability has no id");
    }
    Capability capability;
    capability.id = id->get<std::string>();
    if (set.find(capability.id) != nullptr) {
      return table_error(origin, "capability " + capability.id + " is listed twice");
    }
    const auto severity = item.find("severity");
    if (severity != item.end()) {
      const auto parsed =
          severity->is_string() ? severity_from_name(severity->get<std::string>()) : std::nullopt;
      if (!parsed) return table_error(origin, capability.id + ": unknown severity");
      capability.severity = *parsed;
    }
    if (const auto d = item.find("description"); d != item.end() && d->is_string()) {
      capability.description = d->get<std::string>();
    }
    const std::size_t index = set.capabilities_.size();
    for (const auto& [key, library] : {std::pair{"functions", false}, {"libraries", true}}) {
      const auto names = item.find(key);
      if (names == item.end()) continue;
      if (!names->is_array())
        return table_error(origin, capability.id + ": " + key + " is not a list");
      for (const auto& name : *names) {
        if (!name.is_string() || name.get<std::string>().empty() ||
            name.get<std::string>() == "*") {
          return table_error(origin, capability.id + ": an empty or non-string name in " + key);
        }
        set.add_pattern(name.get<std::string>(), index, library);
      }
    }
    set.capabilities_.push_back(std::move(capability));
  }
  return set;
}

Result<CapabilitySet> CapabilitySet::load(const std::string& path) {
  auto text = read_whole_file(path, kMaxTableBytes);
  if (!text) return text.error();
  return parse(*text, path);
}

const CapabilitySet& CapabilitySet::builtin() {
  // The compiled-in table is checked by the tests; were it ever broken, no tags beat a crash.
  static const CapabilitySet kBuiltin = [] {
    auto parsed = parse(kBuiltinCapabilities, "data/capabilities.json");
    return parsed ? std::move(parsed).value() : CapabilitySet{};
  }();
  return kBuiltin;
}

const Capability* CapabilitySet::find(const std::string& id) const {
  for (const auto& c : capabilities_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

void CapabilitySet::match(const std::string& name, bool library, std::set<std::string>& out) const {
  const auto& exact = library ? exact_libraries_ : exact_functions_;
  const auto [first, last] = exact.equal_range(name);
  for (auto it = first; it != last; ++it) out.insert(capabilities_[it->second].id);
  for (const auto& p : library ? prefix_libraries_ : prefix_functions_) {
    if (name.starts_with(p.prefix)) out.insert(capabilities_[p.capability].id);
  }
}

std::set<std::string> CapabilitySet::of(const FileFacts& facts) const {
  std::set<std::string> out;
  const bool macho = facts.format == FileFormat::kMacho || facts.format == FileFormat::kMachoFat;
  for (const auto& function : facts.import_functions) {
    match(function, false, out);
    // Mach-O symbols carry the C compiler's leading underscore.
    if (macho && function.size() > 1 && function[0] == '_') match(function.substr(1), false, out);
  }
  for (const auto& library : facts.import_libraries) {
    match(library, true, out);
    // Mach-O and ELF libraries are paths or versioned names; match on the file name too.
    const auto slash = library.rfind('/');
    if (slash != std::string::npos) match(library.substr(slash + 1), true, out);
  }
  return out;
}

}  // namespace cascade::diff
