// Capability tags: what an imported function or library says a binary can do (load code at run
// time, make memory executable, talk to the network, ...). The table is data
// (data/capabilities.json, docs/capabilities.md); a release update that makes a binary gain one
// is a diff finding.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "core/result.h"
#include "diff/facts.h"

namespace cascade::diff {

inline constexpr const char* kCapabilitiesSchema = "cascade.capabilities/1";

struct Capability {
  std::string id;
  Severity severity = Severity::kMedium;
  std::string description;
};

class CapabilitySet {
 public:
  // Parses a cascade.capabilities/1 document; `origin` names it in errors.
  static Result<CapabilitySet> parse(std::string_view text, const std::string& origin);
  static Result<CapabilitySet> load(const std::string& path);
  // The table compiled in from data/capabilities.json.
  static const CapabilitySet& builtin();

  // The ids of the capabilities `facts` shows through its imports.
  std::set<std::string> of(const FileFacts& facts) const;
  const Capability* find(const std::string& id) const;
  const std::vector<Capability>& all() const { return capabilities_; }

 private:
  struct Pattern {
    std::string prefix;  // the pattern without its trailing '*'
    std::size_t capability;
  };
  void add_pattern(const std::string& pattern, std::size_t capability, bool library);
  void match(const std::string& name, bool library, std::set<std::string>& out) const;

  std::vector<Capability> capabilities_;
  std::unordered_multimap<std::string, std::size_t> exact_functions_, exact_libraries_;
  std::vector<Pattern> prefix_functions_, prefix_libraries_;
};

}  // namespace cascade::diff
