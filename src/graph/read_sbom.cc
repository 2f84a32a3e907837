// CycloneDX 1.4-1.6 JSON as graph facts: metadata.component (name@version) is the release, which
// contains every component, nested ones included, by each identity it states (purl, digests);
// the `dependencies` graph by bom-ref gives package depends-on package. Components without an
// identity are skipped silently: SBOMs commonly list components by name only.
#include <unordered_map>

#include "graph/sbom_identity.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

// Components by bom-ref: the identity dependencies use (nullopt: a component without a package
// or digest, which dependencies may name but the graph cannot join).
using ComponentRefs = std::unordered_map<std::string_view, std::optional<NodeRef>>;

// The `dependencies` list: each {ref, dependsOn: [ref...]} between two packages is a fact. Refs
// no component declares are problems; any shape (cycles, self-references, repeats) is read in
// one pass over the list, so it cannot loop.
void read_dependencies(const json* dependencies, const ComponentRefs& refs, FactCollector& out) {
  if (dependencies == nullptr) return;
  const auto lookup = [&](const std::string& ref) -> const std::optional<NodeRef>* {
    const auto found = refs.find(ref);
    if (found != refs.end()) return &found->second;
    out.problem(0, "dependencies name " + ref.substr(0, 200) + ", which no component declares");
    return nullptr;
  };
  for (const json& dependency : *dependencies) {
    const std::string* ref = string_field(dependency, "ref");
    const json* depends_on = field(dependency, "dependsOn");
    if (ref == nullptr) {
      out.problem(0, "a dependencies entry without a ref string");
      continue;
    }
    if (depends_on == nullptr || depends_on->is_null()) continue;
    if (!depends_on->is_array()) {
      out.problem(0, "dependencies of " + ref->substr(0, 200) + ": dependsOn is not a list");
      continue;
    }
    const std::optional<NodeRef>* dependent = lookup(*ref);
    for (const json& target : *depends_on) {
      if (!target.is_string()) {
        out.problem(0, "dependencies of " + ref->substr(0, 200) +
                           ": a dependsOn entry is not "
                           "a string");
        continue;
      }
      const std::optional<NodeRef>* dependency = lookup(target.get_ref<const std::string&>());
      if (dependent == nullptr || dependency == nullptr || !*dependent || !*dependency) continue;
      if (!add_dependency(**dependent, **dependency, out)) return;
    }
  }
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
  auto components = optional_list(parsed, "components");
  if (!components) return components.error();
  auto dependencies = optional_list(parsed, "dependencies");
  if (!dependencies) return dependencies.error();

  // Depth-first with an explicit stack: components nest without limit in hostile documents.
  // metadata.component is depth 0 (contained too when it has an identity), the top-level list 1.
  struct Pending {
    const json* component;
    std::size_t depth;
  };
  std::vector<Pending> stack = {{product, 0}};
  if (*components != nullptr) {
    for (const json& component : **components) stack.push_back({&component, 1});
  }
  ComponentRefs refs;
  bool any_identity = false;
  bool reading = true;
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
    const std::string* component_name = string_field(component, "name");
    const EntryIdentities entry = entry_identities(
        string_field(component, "purl"), field(component, "hashes"), "alg", "content",
        "component " + (component_name != nullptr ? *component_name : std::string("(no name)")),
        out);
    any_identity = any_identity || !entry.nodes.empty();
    if (const std::string* ref = string_field(component, "bom-ref")) {
      refs[*ref] =
          entry.primary() != nullptr ? std::optional<NodeRef>(*entry.primary()) : std::nullopt;
    }
    if (!add_entry(releases, entry, component_name, out)) {
      reading = false;
      break;
    }
  }
  if (too_deep > 0) {
    out.problem(0, std::to_string(too_deep) + " components nested deeper than " +
                       std::to_string(limits.max_component_depth) + " levels were skipped");
  }
  if (reading) read_dependencies(*dependencies, refs, out);
  return finish_sbom(out, releases, any_identity, "component");
}

}  // namespace cascade::graph
