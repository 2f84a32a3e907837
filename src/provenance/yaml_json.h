// YAML policies, read with libyaml's event parser into the same JSON value the JSON reader
// gives, so one policy reader serves both. Aliases are refused (they are how "billion laughs"
// documents blow up), so is a mapping that repeats a key (as JSON's reader refuses an object
// that does), and nesting is capped.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.h"

namespace cascade::provenance {

// One YAML document. Plain scalars become null, booleans and integers as YAML 1.2's core
// schema reads them (null/~, true/false, decimal integers); everything else is a string.
Result<nlohmann::json> yaml_to_json(std::string_view text);

}  // namespace cascade::provenance
