// cascade serve's bearer tokens: 32 random bytes shown once as hex, stored only as the SHA-256 of
// that text, and matched in constant time against every unrevoked token's digest.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "graph/store.h"

namespace cascade::serve {

struct NewToken {
  std::string text;  // the bearer token: shown once, never stored
  graph::TokenRow row;
};

// 1 to 64 characters of [A-Za-z0-9._-]: names go into audit rows, metrics and messages.
Status check_token_name(std::string_view name);

// Makes a token from the system's random generator and stores its digest. A name already taken
// (revoked or not) is refused, so audit rows keep meaning one token.
Result<NewToken> create_token(graph::GraphStore& store, std::string_view name,
                              graph::TokenScope scope, std::int64_t now);

std::string token_digest(std::string_view text);  // SHA-256 of the text, lower-case hex

// The unrevoked token `presented` is, if any. Every token's digest is compared, each in constant
// time, so neither which token matched nor how much of a digest did shows in the timing.
std::optional<graph::TokenRow> match_token(std::span<const graph::TokenRow> tokens,
                                           std::string_view presented);

}  // namespace cascade::serve
