// SBOMs as graph facts: a CycloneDX 1.4-1.6 or SPDX 2.3 JSON document says that a release
// (product@version) contains every component, package and file it lists with a SHA-256. Entries
// without a usable SHA-256 are skipped silently: SBOMs commonly list components by name only.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "graph/readers.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// A list member of the document: absent is an empty list, another type refuses the document.
Result<const json*> optional_list(const json& object, std::string_view key) {
  const json* value = field(object, key);
  if (value == nullptr || value->is_null()) return static_cast<const json*>(nullptr);
  if (!value->is_array()) {
    return make_error(ErrorCode::kMalformed, std::string(key) + " is not a list");
  }
  return value;
}

// Every SHA-256 digest in a list of {alg_key, value_key} objects, as artifacts.
std::vector<NodeRef> sha256_artifacts(const json* digests, std::string_view alg_key,
                                      std::string_view value_key, std::string_view sha256_name) {
  std::vector<NodeRef> artifacts;
  if (digests == nullptr || !digests->is_array()) return artifacts;
  for (const json& entry : *digests) {
    const std::string* algorithm = string_field(entry, alg_key);
    const std::string* value = string_field(entry, value_key);
    if (algorithm == nullptr || value == nullptr) continue;
    if (!equals_ignoring_case(*algorithm, sha256_name)) continue;
    if (auto artifact = make_node(NodeKind::kArtifact, *value)) {
      artifacts.push_back(std::move(artifact).value());
    }
  }
  return artifacts;
}

// release contains each artifact, named `name`; false once the fact cap is reached.
bool add_contents(const std::vector<NodeRef>& releases, const std::vector<NodeRef>& artifacts,
                  const std::string* name, std::optional<std::int64_t> time, FactCollector& out) {
  for (const NodeRef& artifact : artifacts) {
    for (const NodeRef& release : releases) {
      if (!out.add_edge(
              {.kind = EdgeKind::kContains, .src = release, .dst = artifact, .time = time})) {
        return false;
      }
    }
    if (name != nullptr && !out.add_name(artifact, *name)) return false;
  }
  return true;
}

Result<Document> finish_sbom(FactCollector& out, const std::vector<NodeRef>& releases) {
  if (out.document().edges.empty()) {
    for (const NodeRef& release : releases) (void)out.add_node(release);
  }
  return std::move(out).finish();
}

}  // namespace

Result<Document> read_cyclonedx(const json& parsed, const ReadLimits& limits) {
  FactCollector out(DocumentFormat::kCycloneDx, limits);
  const json* metadata = field(parsed, "metadata");
  const json* product = metadata != nullptr ? field(*metadata, "component") : nullptr;
  const std::string* name = product != nullptr ? string_field(*product, "name") : nullptr;
  const std::string* version = product != nullptr ? string_field(*product, "version") : nullptr;
  if (name == nullptr || version == nullptr) {
    return make_error(ErrorCode::kMalformed,
                      "CycloneDX document without metadata.component name and version: they name "
                      "the release");
  }
  auto release = make_node(NodeKind::kRelease, *name + "@" + *version);
  if (!release) return make_error(release.error().code, "release: " + release.error().message);
  const std::vector<NodeRef> releases = {*release};
  bool bad_time = false;
  const auto time = time_field(*metadata, "timestamp", &bad_time);
  if (bad_time) out.problem(0, "metadata.timestamp is not an RFC 3339 time: contains has no time");
  auto components = optional_list(parsed, "components");
  if (!components) return components.error();

  // Depth-first with an explicit stack: components nest without limit in hostile documents.
  // metadata.component is depth 0 (contained too when it has a digest), the top-level list 1.
  struct Pending {
    const json* component;
    std::size_t depth;
  };
  std::vector<Pending> stack = {{product, 0}};
  if (*components != nullptr) {
    for (const json& component : **components) stack.push_back({&component, 1});
  }
  std::size_t too_deep = 0;
  while (!stack.empty()) {
    const Pending next = stack.back();
    stack.pop_back();
    const json& component = *next.component;
    const json* children = field(component, "components");
    if (children != nullptr && children->is_array()) {
      for (const json& child : *children) stack.push_back({&child, next.depth + 1});
    }
    if (next.depth > limits.max_component_depth) {
      ++too_deep;  // counted, children included, but not read
      continue;
    }
    if (!component.is_object()) {
      out.problem(0, "a component is not an object");
      continue;
    }
    if (children != nullptr && !children->is_array() && !children->is_null()) {
      out.problem(0, "a component's components is not a list");
    }
    const auto artifacts =
        sha256_artifacts(field(component, "hashes"), "alg", "content", "SHA-256");
    if (!add_contents(releases, artifacts, string_field(component, "name"), time, out)) break;
  }
  if (too_deep > 0) {
    out.problem(0, std::to_string(too_deep) + " components nested deeper than " +
                       std::to_string(limits.max_component_depth) + " levels were skipped");
  }
  return finish_sbom(out, releases);
}

Result<Document> read_spdx(const json& parsed, const ReadLimits& limits) {
  FactCollector out(DocumentFormat::kSpdx, limits);
  auto packages = optional_list(parsed, "packages");
  if (!packages) return packages.error();
  auto files = optional_list(parsed, "files");
  if (!files) return files.error();
  auto relationships = optional_list(parsed, "relationships");
  if (!relationships) return relationships.error();
  auto describes = optional_list(parsed, "documentDescribes");
  if (!describes) return describes.error();
  const std::string* document_id = string_field(parsed, "SPDXID");
  const std::string_view document_spdxid =
      document_id != nullptr ? std::string_view(*document_id) : "SPDXRef-DOCUMENT";

  // The described elements: documentDescribes, DOCUMENT DESCRIBES X and X DESCRIBED_BY DOCUMENT.
  std::vector<std::string_view> described;
  if (*describes != nullptr) {
    for (const json& id : **describes) {
      if (id.is_string()) {
        described.push_back(id.get_ref<const std::string&>());
      } else {
        out.problem(0, "a documentDescribes entry is not a string");
      }
    }
  }
  if (*relationships != nullptr) {
    for (const json& relationship : **relationships) {
      const std::string* from = string_field(relationship, "spdxElementId");
      const std::string* type = string_field(relationship, "relationshipType");
      const std::string* to = string_field(relationship, "relatedSpdxElement");
      if (from == nullptr || type == nullptr || to == nullptr) {
        out.problem(0,
                    "a relationship without spdxElementId, relationshipType and "
                    "relatedSpdxElement strings");
        continue;
      }
      if (*type == "DESCRIBES" && *from == document_spdxid) described.push_back(*to);
      if (*type == "DESCRIBED_BY" && *to == document_spdxid) described.push_back(*from);
    }
  }

  std::unordered_map<std::string_view, const json*> packages_by_id;
  if (*packages != nullptr) {
    for (const json& package : **packages) {
      if (const std::string* id = string_field(package, "SPDXID")) packages_by_id[*id] = &package;
    }
  }
  std::vector<NodeRef> releases;
  std::unordered_set<std::string_view> seen;
  for (const std::string_view id : described) {
    if (!seen.insert(id).second) continue;
    const auto package = packages_by_id.find(id);
    if (package == packages_by_id.end()) {
      out.problem(0, "the document describes " + std::string(id.substr(0, 200)) +
                         ", which is no package in it: not a release");
      continue;
    }
    const std::string* name = string_field(*package->second, "name");
    const std::string* version = string_field(*package->second, "versionInfo");
    if (name == nullptr || version == nullptr) {
      out.problem(0, "described package " + std::string(id.substr(0, 200)) +
                         " has no name and versionInfo: not a release");
      continue;
    }
    auto release = make_node(NodeKind::kRelease, *name + "@" + *version);
    if (!release) {
      out.problem(0, "described package " + std::string(id.substr(0, 200)) + ": " +
                         release.error().message);
      continue;
    }
    releases.push_back(std::move(release).value());
  }
  if (releases.empty()) {
    return make_error(ErrorCode::kMalformed,
                      "the SPDX document describes no package with a name and versionInfo: no "
                      "release");
  }
  bool bad_time = false;
  const json* creation = field(parsed, "creationInfo");
  const auto time = creation != nullptr ? time_field(*creation, "created", &bad_time)
                                        : std::optional<std::int64_t>();
  if (bad_time)
    out.problem(0, "creationInfo.created is not an RFC 3339 time: contains has no time");

  const auto read_elements = [&](const json* list, std::string_view name_key, const char* what) {
    if (list == nullptr) return true;
    for (const json& element : *list) {
      if (!element.is_object()) {
        out.problem(0, std::string("a ") + what + " entry is not an object");
        continue;
      }
      const auto artifacts =
          sha256_artifacts(field(element, "checksums"), "algorithm", "checksumValue", "SHA256");
      if (!add_contents(releases, artifacts, string_field(element, name_key), time, out)) {
        return false;
      }
    }
    return true;
  };
  if (read_elements(*packages, "name", "packages")) read_elements(*files, "fileName", "files");
  return finish_sbom(out, releases);
}

}  // namespace cascade::graph
