// Internal to the SBOM readers: what one CycloneDX component or SPDX package/file is known by
// (its purl and its digests), and the facts that make it part of a release. A document that
// states several identities of one entry says they are one thing (same-as); weak digests
// (SHA-1, MD5) are kept only when nothing stronger names the entry, and never join anything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/readers.h"

namespace cascade::graph {

struct EntryIdentities {
  // The package first when there is one, then the strong digests (SHA-256 first); or, when
  // there is neither, the weak digests.
  std::vector<NodeRef> nodes;
  bool weak_only = false;

  // The identity facts between entries use (dependencies): the package, else the first digest.
  const NodeRef* primary() const { return nodes.empty() ? nullptr : &nodes.front(); }
};

// The identities one entry states. `purl` may be null; `digests` is a list of objects with
// `alg_key` and `value_key` strings (others are skipped). A purl that does not parse is a problem
// naming `what`; a digest of an algorithm the graph does not keep, or of the wrong length, is
// skipped silently, as SBOMs often carry such entries.
EntryIdentities entry_identities(const std::string* purl, const nlohmann::json* digests,
                                 std::string_view alg_key, std::string_view value_key,
                                 std::string_view what, FactCollector& out);

// Each release contains the entry by its first identity, which is the same as each other one (in
// both directions), so a trace lists the others with it rather than as more contents; weak
// digests, which join nothing, are each contained. Every identity is named `name`. Containment
// has no time: a release holds its content from its creation, whenever the document was
// written. False once the fact cap is reached.
bool add_entry(const std::vector<NodeRef>& releases, const EntryIdentities& entry,
               const std::string* name, FactCollector& out);

// package depends-on package, when both are packages and differ; false once the cap is reached.
bool add_dependency(const NodeRef& dependent, const NodeRef& dependency, FactCollector& out);

// A list member of the document: absent is an empty list, another type refuses the document.
Result<const nlohmann::json*> optional_list(const nlohmann::json& object, std::string_view key);

// The release nodes stay in the inventory even when nothing else does; a document from which
// no entry with an identity could be read is a problem (ingest says so and exits 1), never a
// silent success.
Result<Document> finish_sbom(FactCollector& out, const std::vector<NodeRef>& releases,
                             bool any_identity, std::string_view what);

}  // namespace cascade::graph
