#include "graph/sbom_identity.h"

#include <algorithm>

namespace cascade::graph {

using nlohmann::json;

EntryIdentities entry_identities(const std::string* purl, const json* digests,
                                 std::string_view alg_key, std::string_view value_key,
                                 std::string_view what, FactCollector& out) {
  EntryIdentities entry;
  if (purl != nullptr) {
    auto package = make_node(NodeKind::kPackage, *purl);
    if (package) {
      entry.nodes.push_back(std::move(package).value());
    } else {
      out.problem(0, std::string(what.substr(0, 200)) + ": " + package.error().message);
    }
  }
  std::vector<NodeRef> weak;
  if (digests != nullptr && digests->is_array()) {
    for (const json& digest : *digests) {
      const std::string* algorithm = string_field(digest, alg_key);
      const std::string* value = string_field(digest, value_key);
      if (algorithm == nullptr || value == nullptr) continue;
      auto artifact = make_artifact(*algorithm, *value);
      if (!artifact) continue;
      std::vector<NodeRef>& list = is_weak_digest(*artifact) ? weak : entry.nodes;
      if (std::find(list.begin(), list.end(), *artifact) == list.end()) {
        list.push_back(std::move(artifact).value());
      }
    }
  }
  // SHA-256 first among the digests: the key scan reports and provenance know files by.
  const bool has_package = !entry.nodes.empty() && entry.nodes.front().kind == NodeKind::kPackage;
  std::stable_partition(entry.nodes.begin() + (has_package ? 1 : 0), entry.nodes.end(),
                        [](const NodeRef& node) { return is_sha256_hex(node.key); });
  if (entry.nodes.empty() && !weak.empty()) {
    entry.nodes = std::move(weak);
    entry.weak_only = true;
  }
  return entry;
}

bool add_entry(const std::vector<NodeRef>& releases, const EntryIdentities& entry,
               const std::string* name, FactCollector& out) {
  for (std::size_t i = 0; i < entry.nodes.size(); ++i) {
    const NodeRef& identity = entry.nodes[i];
    if (i == 0 || entry.weak_only) {
      for (const NodeRef& release : releases) {
        if (!out.add_edge({.kind = EdgeKind::kContains, .src = release, .dst = identity})) {
          return false;
        }
      }
    }
    if (name != nullptr && !out.add_name(identity, *name)) return false;
  }
  if (entry.weak_only) return true;
  for (std::size_t i = 1; i < entry.nodes.size(); ++i) {
    const NodeRef& first = entry.nodes.front();
    const NodeRef& other = entry.nodes[i];
    if (!out.add_edge({.kind = EdgeKind::kSameAs, .src = first, .dst = other}) ||
        !out.add_edge({.kind = EdgeKind::kSameAs, .src = other, .dst = first})) {
      return false;
    }
  }
  return true;
}

bool add_dependency(const NodeRef& dependent, const NodeRef& dependency, FactCollector& out) {
  if (dependent.kind != NodeKind::kPackage || dependency.kind != NodeKind::kPackage ||
      dependent == dependency) {
    return true;
  }
  return out.add_edge({.kind = EdgeKind::kDependsOn, .src = dependent, .dst = dependency});
}

Result<const json*> optional_list(const json& object, std::string_view key) {
  const json* value = field(object, key);
  if (value == nullptr || value->is_null()) return static_cast<const json*>(nullptr);
  if (!value->is_array()) {
    return make_error(ErrorCode::kMalformed, std::string(key) + " is not a list");
  }
  return value;
}

Result<Document> finish_sbom(FactCollector& out, const std::vector<NodeRef>& releases,
                             bool any_identity, std::string_view what) {
  if (!any_identity && !out.over_cap()) {
    out.problem(0, "nothing could be read: no " + std::string(what) +
                       " has a purl or a digest, so the release contains nothing");
  }
  if (out.document().edges.empty()) {
    for (const NodeRef& release : releases) (void)out.add_node(release);
  }
  return std::move(out).finish();
}

}  // namespace cascade::graph
