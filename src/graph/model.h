// The inventory graph's vocabulary: five node kinds, eight edge kinds, and the NODE syntax the
// CLI and every output use (sha256:<hex>, host:H, release:N@V, build:ID, org:O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cascade::graph {

enum class NodeKind : std::uint8_t { kArtifact = 0, kHost = 1, kBuild = 2, kRelease = 3, kOrg = 4 };
inline constexpr int kNodeKindCount = 5;

// Stored direction (src -> dst), as the issue states each fact:
//   ran-on      artifact -> host      (t: installed or executed there)
//   access      host -> host          (from t, until u optional)
//   built-on    build -> host         (t: started, u: finished)
//   consumed    build -> artifact     (materials)
//   produced    build -> artifact     (subjects; t: when the build finished)
//   contains    release -> artifact
//   deployed-on release -> host       (t)
//   owned-by    host -> org
enum class EdgeKind : std::uint8_t {
  kRanOn = 0,
  kAccess = 1,
  kBuiltOn = 2,
  kConsumed = 3,
  kProduced = 4,
  kContains = 5,
  kDeployedOn = 6,
  kOwnedBy = 7,
};
inline constexpr int kEdgeKindCount = 8;

std::string_view node_kind_name(NodeKind kind);  // "artifact", "host", ...
std::string_view edge_kind_name(EdgeKind kind);  // "ran-on", "access", ...
std::optional<NodeKind> node_kind_from_name(std::string_view name);
std::optional<EdgeKind> edge_kind_from_name(std::string_view name);
NodeKind edge_source_kind(EdgeKind kind);
NodeKind edge_target_kind(EdgeKind kind);

// A node as facts name it. key: artifact = 64 lower-case hex digits (SHA-256); host, build and
// org = the name as given; release = "NAME@VERSION".
struct NodeRef {
  NodeKind kind = NodeKind::kArtifact;
  std::string key;

  friend bool operator==(const NodeRef&, const NodeRef&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const NodeRef&, const NodeRef&) = default;
};

// "sha256:<hex>", "host:H", "build:ID", "release:N@V", "org:O".
std::string format_node(const NodeRef& node);
// The inverse of format_node. Artifact hex is lower-cased; keys must be non-empty, at most
// kMaxKeyLength bytes, without control characters; a release needs '@' with text on both sides.
Result<NodeRef> parse_node(std::string_view text);
// The same checks for a key taken from a document (hosts, builds, orgs, releases, digests).
Result<NodeRef> make_node(NodeKind kind, std::string_view key);

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
