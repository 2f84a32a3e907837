#include "graph/model.h"

#include <openssl/evp.h>
#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/digest.h"
#include "core/openssl_handles.h"
#include "core/purl.h"

namespace cascade::graph {
namespace {

constexpr std::array<std::string_view, kNodeKindCount> kNodeKindNames = {
    "artifact", "host", "build", "release", "org", "package"};
// The NODE syntax's prefix for each kind; artifacts are named by their digest algorithm (a
// SHA-256's key is bare hex, the others' keys carry their own prefix) and packages by their purl,
// whose key includes "pkg:".
constexpr std::array<std::string_view, kNodeKindCount> kNodePrefixes = {
    "sha256:", "host:", "build:", "release:", "org:", ""};
constexpr std::array<std::string_view, kEdgeKindCount> kEdgeKindNames = {
    "ran-on",      "access",   "built-on",   "consumed",     "produced", "contains",
    "deployed-on", "owned-by", "depends-on", "installed-on", "same-as"};

// Node kinds as bits, so that one fact may join several kinds at an end.
constexpr unsigned bit(NodeKind kind) {
  return 1U << static_cast<unsigned>(kind);
}
constexpr unsigned kArtifactBit = bit(NodeKind::kArtifact);
constexpr unsigned kIdentityBits = bit(NodeKind::kArtifact) | bit(NodeKind::kPackage);

struct EdgeEnds {
  unsigned src;
  unsigned dst;
};
constexpr std::array<EdgeEnds, kEdgeKindCount> kEdgeEnds = {{
    {kArtifactBit, bit(NodeKind::kHost)},                // ran-on
    {bit(NodeKind::kHost), bit(NodeKind::kHost)},        // access
    {bit(NodeKind::kBuild), bit(NodeKind::kHost)},       // built-on
    {bit(NodeKind::kBuild), kArtifactBit},               // consumed
    {bit(NodeKind::kBuild), kArtifactBit},               // produced
    {bit(NodeKind::kRelease), kIdentityBits},            // contains
    {bit(NodeKind::kRelease), bit(NodeKind::kHost)},     // deployed-on
    {bit(NodeKind::kHost), bit(NodeKind::kOrg)},         // owned-by
    {bit(NodeKind::kPackage), bit(NodeKind::kPackage)},  // depends-on
    {bit(NodeKind::kPackage), bit(NodeKind::kHost)},     // installed-on
    {kIdentityBits, kIdentityBits},                      // same-as
}};

// The digests an artifact key may name. SHA-256 keys stay bare hex, as every store before
// packages wrote them.
struct DigestSpelling {
  std::string_view prefix;   // in keys and NODE syntax
  std::string_view compact;  // the algorithm name lower-cased without '-' and '_'
  std::size_t hex_length;
  bool weak;
};
constexpr std::array<DigestSpelling, 8> kDigests = {{
    {"sha256:", "sha256", 64, false},
    {"sha512:", "sha512", 128, false},
    {"sha384:", "sha384", 96, false},
    {"sha3-256:", "sha3256", 64, false},
    {"sha3-384:", "sha3384", 96, false},
    {"sha3-512:", "sha3512", 128, false},
    {"sha1:", "sha1", 40, true},
    {"md5:", "md5", 32, true},
}};

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

const DigestSpelling* digest_of_key(std::string_view key) {
  if (is_sha256_hex(key)) return kDigests.data();
  for (const DigestSpelling& digest : kDigests) {
    if (key.starts_with(digest.prefix)) return &digest;
  }
  return nullptr;
}

// "ALG:hex" (bare hex for SHA-256) with the hex lower-cased; an error for a wrong length or digit.
Result<NodeRef> artifact_from(const DigestSpelling& digest, std::string_view hex) {
  const std::string what = "an artifact's " + std::string(digest.compact) + " digest is " +
                           std::to_string(digest.hex_length) + " hex digits";
  if (hex.size() != digest.hex_length) return make_error(ErrorCode::kMalformed, what);
  std::string key = digest.weak || digest.compact != "sha256" ? std::string(digest.prefix) : "";
  for (const char c : hex) {
    if (!is_hex_digit(lower(c))) return make_error(ErrorCode::kMalformed, what);
    key += lower(c);
  }
  return NodeRef{NodeKind::kArtifact, std::move(key)};
}

std::string kinds_text(unsigned bits) {
  std::string text;
  for (std::size_t i = 0; i < kNodeKindNames.size(); ++i) {
    if ((bits & (1U << i)) == 0) continue;
    if (!text.empty()) text += " or ";
    text += kNodeKindNames[i];
  }
  return text;
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

bool edge_joins(EdgeKind kind, NodeKind src, NodeKind dst) {
  const EdgeEnds& ends = kEdgeEnds[static_cast<std::size_t>(kind)];
  return (ends.src & bit(src)) != 0 && (ends.dst & bit(dst)) != 0;
}

std::string edge_ends_text(EdgeKind kind) {
  const EdgeEnds& ends = kEdgeEnds[static_cast<std::size_t>(kind)];
  return kinds_text(ends.src) + " to " + kinds_text(ends.dst);
}

std::string format_node(const NodeRef& node) {
  // Only other digests' keys carry their algorithm (and a colon); a SHA-256's is bare hex.
  if (node.kind == NodeKind::kArtifact && node.key.find(':') != std::string::npos) {
    return node.key;
  }
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
    if (key.size() == 64) return artifact_from(kDigests[0], key);
    for (const DigestSpelling& digest : kDigests) {
      if (key.size() > digest.prefix.size() &&
          std::equal(digest.prefix.begin(), digest.prefix.end(), key.begin(),
                     [](char a, char b) { return a == lower(b); })) {
        return artifact_from(digest, key.substr(digest.prefix.size()));
      }
    }
    return make_error(ErrorCode::kMalformed,
                      "an artifact is a digest: 64 hex digits (SHA-256) or sha512:, sha384:, "
                      "sha3-256:, sha3-384:, sha3-512:, sha1: or md5: and its hex digits");
  }
  if (kind == NodeKind::kPackage) {
    auto purl = normalise_purl(key);
    if (!purl) return make_error(purl.error().code, "package: " + purl.error().message);
    if (purl->size() > kMaxKeyLength) {
      return make_error(ErrorCode::kLimit,
                        "package purl is longer than " + std::to_string(kMaxKeyLength) + " bytes");
    }
    node.key = std::move(*purl);
    return node;
  }
  if (kind == NodeKind::kRelease) {
    const auto at = key.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == key.size()) {
      return make_error(ErrorCode::kMalformed, "a release is NAME@VERSION");
    }
  }
  return node;
}

Result<NodeRef> make_artifact(std::string_view algorithm, std::string_view hex) {
  std::string compact;
  for (const char c : algorithm.substr(0, 16)) {
    if (c != '-' && c != '_') compact += lower(c);
  }
  for (const DigestSpelling& digest : kDigests) {
    if (digest.compact == compact) return artifact_from(digest, hex);
  }
  return make_error(ErrorCode::kUnsupported,
                    "digest algorithm " + std::string(algorithm.substr(0, 40)) + " is not kept");
}

bool is_weak_digest(const NodeRef& node) {
  if (node.kind != NodeKind::kArtifact) return false;
  const DigestSpelling* digest = digest_of_key(node.key);
  return digest != nullptr && digest->weak;
}

Result<NodeRef> parse_node(std::string_view text) {
  if (text.starts_with("pkg:")) return make_node(NodeKind::kPackage, text);
  for (const DigestSpelling& digest : kDigests) {
    if (digest.compact != "sha256" && text.starts_with(digest.prefix)) {
      return make_node(NodeKind::kArtifact, text);
    }
  }
  for (std::size_t i = 0; i < kNodePrefixes.size(); ++i) {
    if (!kNodePrefixes[i].empty() && text.starts_with(kNodePrefixes[i])) {
      return make_node(static_cast<NodeKind>(i), text.substr(kNodePrefixes[i].size()));
    }
  }
  return make_error(ErrorCode::kUsage,
                    "a node is sha256:<hex> (or sha512:, sha384:, sha1:, ...), host:H, "
                    "build:ID, release:N@V, org:O or a purl pkg:TYPE/NAME@VERSION, not '" +
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
