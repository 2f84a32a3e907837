// The canonical JSON in-toto links are signed over (securesystemslib's encode_canonical):
// object keys sorted, no whitespace, strings with only '"' and '\' escaped and every other
// byte written raw, integers only. It is not RFC 8785, so nlohmann's dump() cannot stand in.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"

namespace cascade::provenance {

// Fails on floating-point numbers (securesystemslib refuses them) and on nesting deeper than
// a signed document ever needs.
Result<std::string> canonical_json(const nlohmann::json& value);

}  // namespace cascade::provenance
