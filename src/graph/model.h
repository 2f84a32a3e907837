// The inventory graph's vocabulary: six node kinds, eleven edge kinds, and the NODE syntax the
// CLI and every output use (sha256:<hex>, sha512:<hex>, ..., host:H, release:N@V, build:ID,
// org:O, and a package's purl, pkg:TYPE/NAME@VERSION).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cascade::graph {

enum class NodeKind : std::uint8_t {
  kArtifact = 0,
  kHost = 1,
  kBuild = 2,
  kRelease = 3,
  kOrg = 4,
  kPackage = 5,
};
inline constexpr int kNodeKindCount = 6;

// Stored direction (src -> dst), as the issue states each fact:
//   ran-on      artifact -> host      (t: installed or executed there)
//   access      host -> host          (from t, until u optional)
//   built-on    build -> host         (t: started, u: finished)
//   consumed    build -> artifact     (materials)
//   produced    build -> artifact     (subjects; t: when the build finished)
//   contains    release -> artifact or package (no time: a release holds its content from its
//               creation)
//   deployed-on release -> host       (t)
//   owned-by    host -> org
//   depends-on  package -> package    (the dependent -> its dependency)
//   installed-on package -> host      (t: when a scan saw it installed)
//   same-as     artifact or package -> artifact or package: two identities of one thing, as one
//               document states them (stored in both directions)
enum class EdgeKind : std::uint8_t {
  kRanOn = 0,
  kAccess = 1,
  kBuiltOn = 2,
  kConsumed = 3,
  kProduced = 4,
  kContains = 5,
  kDeployedOn = 6,
  kOwnedBy = 7,
  kDependsOn = 8,
  kInstalledOn = 9,
  kSameAs = 10,
};
inline constexpr int kEdgeKindCount = 11;

std::string_view node_kind_name(NodeKind kind);  // "artifact", "host", ...
std::string_view edge_kind_name(EdgeKind kind);  // "ran-on", "access", ...
std::optional<NodeKind> node_kind_from_name(std::string_view name);
std::optional<EdgeKind> edge_kind_from_name(std::string_view name);
// Whether a `kind` fact may join a `src` node to a `dst` node (in the stored direction).
bool edge_joins(EdgeKind kind, NodeKind src, NodeKind dst);
// The ends a fact joins, for messages: "artifact to host", "release to artifact or package".
std::string edge_ends_text(EdgeKind kind);

// A node as facts name it. key: artifact = 64 lower-case hex digits for a SHA-256, else
// "ALG:<lower-case hex>" (sha512, sha384, sha1, md5, sha3-256, sha3-384, sha3-512); package = its
// canonical purl (format_purl, "pkg:..."); host, build and org = the name as given; release =
// "NAME@VERSION".
struct NodeRef {
  NodeKind kind = NodeKind::kArtifact;
  std::string key;

  friend bool operator==(const NodeRef&, const NodeRef&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const NodeRef&, const NodeRef&) = default;
};

// "sha256:<hex>" (or "sha512:<hex>", ...), "host:H", "build:ID", "release:N@V", "org:O", and a
// package's purl as it is.
std::string format_node(const NodeRef& node);
// The inverse of format_node. Artifact hex is lower-cased; keys must be non-empty, at most
// kMaxKeyLength bytes, without control characters; a release needs '@' with text on both sides.
Result<NodeRef> parse_node(std::string_view text);
// The same checks for a key taken from a document (hosts, builds, orgs, releases, digests as
// "ALG:hex" or bare SHA-256 hex, purls, which are normalised).
Result<NodeRef> make_node(NodeKind kind, std::string_view key);

// An artifact from a digest as documents name its algorithm ("SHA-512", "SHA512", "sha3-256",
// ...; case, '-' and '_' ignored). An error for an algorithm the graph does not know or a value
// that is not that many hex digits.
Result<NodeRef> make_artifact(std::string_view algorithm, std::string_view hex);
// A digest that is not collision resistant (SHA-1, MD5): recorded, never used to join two
// identities of one thing.
bool is_weak_digest(const NodeRef& node);
// A digest two documents could use to agree on one file (any digest kept but SHA-1 and MD5).
inline bool is_strong_digest(const NodeRef& node) {
  return node.kind == NodeKind::kArtifact && !is_weak_digest(node);
}

inline constexpr std::size_t kMaxKeyLength = 1024;

// Stored node id: the first 63 bits of SHA-256(kind byte || key), so every writer (one SQLite
// file or many machines feeding one PostgreSQL) derives the same id with no coordination.
// Collision odds are about n^2 / 2^64 (2e-6 at six million nodes); docs/graph.md says so.
std::int64_t node_id(const NodeRef& node);
std::int64_t node_id(NodeKind kind, std::string_view key);  // the same, without a NodeRef

// Stored document id: the first 63 bits of the document's SHA-256, given as lower-case hex.
std::int64_t document_id(std::string_view sha256_hex);
// Whether `text` is a SHA-256 as the store spells it: 64 lower-case hex digits.
bool is_sha256_hex(std::string_view text);

}  // namespace cascade::graph
