// cascade graph check output: the text summary and the cascade.graph-check/1 JSON document
// (docs/schema/cascade.graph-check-1.schema.json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "graph/store_check.h"

namespace cascade::report {

std::string store_check_text(const graph::StoreCheckReport& report);
nlohmann::json store_check_json(const graph::StoreCheckReport& report);

}  // namespace cascade::report
