#include "graph/model.h"

#include <openssl/evp.h>
#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/digest.h"
#include "core/openssl_handles.h"

namespace cascade::graph {
namespace {

constexpr std::array<std::string_view, kNodeKindCount> kNodeKindNames = {"artifact", "host",
                                                                         "build", "release", "org"};
// The NODE syntax's prefix for each kind; artifacts are named by their digest algorithm.
constexpr std::array<std::string_view, kNodeKindCount> kNodePrefixes = {
    "sha256:", "host:", "build:", "release:", "org:"};
constexpr std::array<std::string_view, kEdgeKindCount> kEdgeKindNames = {
    "ran-on", "access", "built-on", "consumed", "produced", "contains", "deployed-on", "owned-by"};

struct EdgeEnds {
  NodeKind src;
  NodeKind dst;
};
constexpr std::array<EdgeEnds, kEdgeKindCount> kEdgeEnds = {{
    {NodeKind::kArtifact, NodeKind::kHost},     // ran-on
    {NodeKind::kHost, NodeKind::kHost},         // access
    {NodeKind::kBuild, NodeKind::kHost},        // built-on
    {NodeKind::kBuild, NodeKind::kArtifact},    // consumed
    {NodeKind::kBuild, NodeKind::kArtifact},    // produced
    {NodeKind::kRelease, NodeKind::kArtifact},  // contains
    {NodeKind::kRelease, NodeKind::kHost},      // deployed-on
    {NodeKind::kHost, NodeKind::kOrg},          // owned-by
}};

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace

std::string_view node_kind_name(NodeKind kind) {
  return kNodeKindNames[static_cast<std::size_t>(kind)];
}
std::string_view edge_kind_name(EdgeKind kind) {
  return kEdgeKindNames[static_cast<std::size_t>(kind)];
}

std::optional<NodeKind> node_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNodeKindNames.size(); ++i) {
    if (kNodeKindNames[i] == name) return static_cast<NodeKind>(i);
  }
  return std::nullopt;
}

std::optional<EdgeKind> edge_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kEdgeKindNames.size(); ++i) {
    if (kEdgeKindNames[i] == name) return static_cast<EdgeKind>(i);
  }
  return std::nullopt;
}

NodeKind edge_source_kind(EdgeKind kind) {
  return kEdgeEnds[static_cast<std::size_t>(kind)].src;
}
NodeKind edge_target_kind(EdgeKind kind) {
  return kEdgeEnds[static_cast<std::size_t>(kind)].dst;
}

std::string format_node(const NodeRef& node) {
  std::string text(kNodePrefixes[static_cast<std::size_t>(node.kind)]);
  text += node.key;
  return text;
}

Result<NodeRef> make_node(NodeKind kind, std::string_view key) {
  const std::string_view kind_name = node_kind_name(kind);
  if (key.empty())
    return make_error(ErrorCode::kMalformed, std::string(kind_name) + " name is empty");
  if (key.size() > kMaxKeyLength) {
    return make_error(ErrorCode::kLimit, std::string(kind_name) + " name is longer than " +
                                             std::to_string(kMaxKeyLength) + " bytes");
  }
  for (const char c : key) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return make_error(ErrorCode::kMalformed,
                        std::string(kind_name) + " name contains a control character");
    }
  }
  NodeRef node{kind, std::string(key)};
  if (kind == NodeKind::kArtifact) {
    if (key.size() != 64) {
      return make_error(ErrorCode::kMalformed, "an artifact is a SHA-256: 64 hex digits");
    }
    for (char& c : node.key) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      if (!is_hex_digit(c)) {
        return make_error(ErrorCode::kMalformed, "an artifact is a SHA-256: 64 hex digits");
      }
    }
  }
  if (kind == NodeKind::kRelease) {
    const auto at = key.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == key.size()) {
      return make_error(ErrorCode::kMalformed, "a release is NAME@VERSION");
    }
  }
  return node;
}

Result<NodeRef> parse_node(std::string_view text) {
  for (std::size_t i = 0; i < kNodePrefixes.size(); ++i) {
    if (text.starts_with(kNodePrefixes[i])) {
      return make_node(static_cast<NodeKind>(i), text.substr(kNodePrefixes[i].size()));
    }
  }
  return make_error(ErrorCode::kUsage,
                    "a node is sha256:<hex>, host:H, build:ID, release:N@V or "
                    "org:O, not '" +
                        std::string(text.substr(0, 80)) + "'");
}

std::int64_t node_id(const NodeRef& node) {
  return node_id(node.kind, node.key);
}

std::int64_t node_id(NodeKind kind_value, std::string_view key) {
  // Ingest calls this millions of times: each thread keeps one context, and the algorithm is
  // the one fetched once (SHA256() looked it up again on every call, under a global lock).
  thread_local const ossl::MdCtxPtr context(EVP_MD_CTX_new());
  const EVP_MD* algorithm = evp_md(DigestAlgorithm::kSha256);
  const std::size_t length = std::min(key.size(), kMaxKeyLength);
  const auto kind = static_cast<unsigned char>(kind_value);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  // Without a context or the algorithm nothing could be stored consistently: fatal, as in Hasher.
  if (!context || algorithm == nullptr ||
      EVP_DigestInit_ex2(context.get(), algorithm, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), &kind, 1) != 1 ||
      EVP_DigestUpdate(context.get(), key.data(), length) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest.data(), &digest_length) != 1 || digest_length < 8) {
    std::abort();
  }
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < 8; ++i) id = (id << 8) | digest[i];
  return static_cast<std::int64_t>(id >> 1);
}

std::int64_t document_id(std::string_view sha256_hex) {
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < 16 && i < sha256_hex.size(); ++i) {
    const char c = sha256_hex[i];
    const int digit = c >= 'a' ? c - 'a' + 10 : c - '0';
    id = (id << 4) | static_cast<std::uint64_t>(digit & 0xf);
  }
  return static_cast<std::int64_t>(id >> 1);
}

bool is_sha256_hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), is_hex_digit);
}

}  // namespace cascade::graph
