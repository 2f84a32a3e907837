// JSON for the documents a security decision rests on (policies, baselines, capability tables,
// attestations and the statements inside them, key files, indicator feeds): one reading only.
// An object that repeats a key is refused at any depth, because readers disagree on which copy
// counts (nlohmann and Go keep the last, others the first or both), so the signer or author of
// such a document and cascade could read two different documents in the same bytes.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.h"

namespace cascade {

// Nesting a strict document may have unless the caller asks for less: far beyond any policy,
// statement or feed, and short of what would make walking the value expensive.
inline constexpr std::size_t kMaxStrictJsonDepth = 256;

// One JSON document (RFC 8259, nothing but whitespace after it). Errors, for the caller to
// prefix with the document's name: kAmbiguous for a repeated key (naming the key and the object
// as a JSON pointer), kLimit when nesting exceeds `max_depth`, kMalformed for a syntax error
// (with its line and column, also stored in `syntax_error_line` when given, for readers whose
// messages lead with "file:line").
Result<nlohmann::json> parse_strict_json(std::string_view text,
                                         std::size_t max_depth = kMaxStrictJsonDepth,
                                         std::size_t* syntax_error_line = nullptr);

// The error for `key` repeated in the object `where` names ("the object at \"/a/0\"", "the
// mapping at YAML line 4": text already safe to print), shared by every strict reader so that
// the message reads the same.
Error duplicate_key_error(std::string_view key, std::string_view where);

}  // namespace cascade
