// SPDX 2.3 JSON as graph facts: the described package (documentDescribes, DESCRIBES,
// DESCRIBED_BY) is the release, which contains every package and file by each identity it states
// (a purl external reference, checksums); dependency relationships between packages give
// package depends-on package.
#include <algorithm>
#include <array>
#include <unordered_map>
#include <unordered_set>

#include "graph/sbom_identity.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

// Relationships that say the related element depends on the element (A X_OF B: B depends on
// A). Development, build and test dependencies count: their code runs where the dependent is
// built or installed.
constexpr std::array<std::string_view, 7> kDependencyOf = {
    "DEPENDENCY_OF",       "DEV_DEPENDENCY_OF",  "OPTIONAL_DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF",
    "BUILD_DEPENDENCY_OF", "TEST_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF"};

struct Relationship {
  const std::string* from;
  const std::string* type;
  const std::string* to;
};

// A package's first purl external reference.
const std::string* package_purl(const json& package) {
  const json* references = field(package, "externalRefs");
  if (references == nullptr || !references->is_array()) return nullptr;
  for (const json& reference : *references) {
    const std::string* type = string_field(reference, "referenceType");
    if (type != nullptr && *type == "purl") return string_field(reference, "referenceLocator");
  }
  return nullptr;
}

std::optional<NodeRef> described_release(
    std::string_view id, const std::unordered_map<std::string_view, const json*>& packages,
    FactCollector& out) {
  const auto package = packages.find(id);
  if (package == packages.end()) {
    out.problem(0, "the document describes " + std::string(id.substr(0, 200)) +
                       ", which is no package in it: not a release");
    return std::nullopt;
  }
  const std::string* name = string_field(*package->second, "name");
  const std::string* version = string_field(*package->second, "versionInfo");
  if (name == nullptr || version == nullptr) {
    out.problem(0, "described package " + std::string(id.substr(0, 200)) +
                       " has no name and versionInfo: not a release");
    return std::nullopt;
  }
  auto release = make_node(NodeKind::kRelease, *name + "@" + *version);
  if (!release) {
    out.problem(
        0, "described package " + std::string(id.substr(0, 200)) + ": " + release.error().message);
    return std::nullopt;
  }
  return std::move(release).value();
}

}  // namespace

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
  std::vector<Relationship> related;
  if (*relationships != nullptr) {
    for (const json& relationship : **relationships) {
      const Relationship r{string_field(relationship, "spdxElementId"),
                           string_field(relationship, "relationshipType"),
                           string_field(relationship, "relatedSpdxElement")};
      if (r.from == nullptr || r.type == nullptr || r.to == nullptr) {
        out.problem(0,
                    "a relationship without spdxElementId, relationshipType and "
                    "relatedSpdxElement strings");
        continue;
      }
      if (*r.type == "DESCRIBES" && *r.from == document_spdxid) described.push_back(*r.to);
      if (*r.type == "DESCRIBED_BY" && *r.to == document_spdxid) described.push_back(*r.from);
      related.push_back(r);
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
    if (auto release = described_release(id, packages_by_id, out)) {
      releases.push_back(std::move(*release));
    }
  }
  if (releases.empty()) {
    return make_error(ErrorCode::kMalformed,
                      "the SPDX document describes no package with a name and versionInfo: no "
                      "release");
  }

  // Elements by SPDXID: the identity relationships use (nullopt: an element without one).
  std::unordered_map<std::string_view, std::optional<NodeRef>> elements;
  bool any_identity = false;
  const auto read_elements = [&](const json* list, bool are_packages) {
    if (list == nullptr) return true;
    const char* what = are_packages ? "package" : "file";
    for (const json& element : *list) {
      if (!element.is_object()) {
        out.problem(0, std::string("a ") + what + "s entry is not an object");
        continue;
      }
      const std::string* name = string_field(element, are_packages ? "name" : "fileName");
      const EntryIdentities entry = entry_identities(
          are_packages ? package_purl(element) : nullptr, field(element, "checksums"), "algorithm",
          "checksumValue",
          std::string(what) + " " + (name != nullptr ? *name : std::string("(no name)")), out);
      any_identity = any_identity || !entry.nodes.empty();
      if (const std::string* id = string_field(element, "SPDXID")) {
        elements[*id] =
            entry.primary() != nullptr ? std::optional<NodeRef>(*entry.primary()) : std::nullopt;
      }
      if (!add_entry(releases, entry, name, out)) return false;
    }
    return true;
  };
  if (!read_elements(*packages, true) || !read_elements(*files, false)) {
    return finish_sbom(out, releases, any_identity, "package or file");
  }

  // Dependencies between packages. Containment needs no relationship: every element of the
  // document is contained by its release already, and CONTAINS between two other elements says
  // nothing the release's own containment does not.
  const auto identity = [&](const std::string& id) -> const std::optional<NodeRef>* {
    const auto found = elements.find(id);
    if (found != elements.end()) return &found->second;
    if (id != document_spdxid && !id.starts_with("DocumentRef-") && id != "NOASSERTION" &&
        id != "NONE") {
      out.problem(0, "a relationship names " + id.substr(0, 200) + ", which is no element in it");
    }
    return nullptr;
  };
  for (const Relationship& r : related) {
    const bool depends_on = *r.type == "DEPENDS_ON";
    const bool dependency_of =
        std::find(kDependencyOf.begin(), kDependencyOf.end(), *r.type) != kDependencyOf.end();
    if (!depends_on && !dependency_of) continue;
    const std::optional<NodeRef>* from = identity(*r.from);
    const std::optional<NodeRef>* to = identity(*r.to);
    if (from == nullptr || to == nullptr || !*from || !*to) continue;
    const NodeRef& dependent = depends_on ? **from : **to;
    const NodeRef& dependency = depends_on ? **to : **from;
    if (!add_dependency(dependent, dependency, out)) break;
  }
  return finish_sbom(out, releases, any_identity, "package or file");
}

}  // namespace cascade::graph
