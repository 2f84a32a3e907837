#include "serve/tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>

#include "core/digest.h"
#include "graph/model.h"

namespace cascade::serve {
namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kDigestHexLength = 64;

}  // namespace

Status check_token_name(std::string_view name) {
  const bool allowed_length = !name.empty() && name.size() <= kMaxNameLength;
  bool allowed_characters = true;
  for (const char c : name) {
    const bool letter_or_digit =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    allowed_characters =
        allowed_characters && (letter_or_digit || c == '.' || c == '_' || c == '-');
  }
  if (!allowed_length || !allowed_characters) {
    return make_error(ErrorCode::kUsage,
                      "a token name is 1 to 64 characters of letters, digits, '.', '_' and '-'");
  }
  return ok_status();
}

std::string token_digest(std::string_view text) {
  const Bytes bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  return to_hex(digest(DigestAlgorithm::kSha256, bytes));
}

Result<NewToken> create_token(graph::GraphStore& store, std::string_view name,
                              graph::TokenScope scope, std::int64_t now) {
  if (auto checked = check_token_name(name); !checked) return checked.error();
  std::array<unsigned char, kTokenBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return make_error(ErrorCode::kCrypto, "the random generator gave no token");
  }
  NewToken made;
  made.text = to_hex(Bytes(random.data(), random.size()));
  made.row.sha256 = token_digest(made.text);
  made.row.id = graph::document_id(made.row.sha256);
  made.row.name = std::string(name);
  made.row.scope = scope;
  made.row.created = now;
  auto stored = store.put_token(made.row);
  if (!stored) return stored.error();
  if (!*stored) {
    return make_error(ErrorCode::kUsage, "a token named '" + std::string(name) +
                                             "' already exists in " + store.describe());
  }
  return made;
}

std::optional<graph::TokenRow> match_token(std::span<const graph::TokenRow> tokens,
                                           std::string_view presented) {
  const std::string digest_hex = token_digest(presented);
  std::optional<graph::TokenRow> found;
  for (const graph::TokenRow& token : tokens) {
    if (token.sha256.size() != kDigestHexLength) continue;
    const bool same = CRYPTO_memcmp(token.sha256.data(), digest_hex.data(), kDigestHexLength) == 0;
    if (same && !token.revoked && !found) found = token;
  }
  return found;
}

}  // namespace cascade::serve
