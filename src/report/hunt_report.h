// cascade hunt output: the text summary (each match with its hosts and releases, then the notes
// on what was not compared) and the cascade.hunt/1 JSON document
// (docs/schema/cascade.hunt-1.schema.json).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "hunt/hunt.h"
#include "report/trace_report.h"

namespace cascade::report {

std::string hunt_text(const hunt::HuntResult& result, const TraceTextOptions& options);
nlohmann::json hunt_json(const hunt::HuntResult& result);

}  // namespace cascade::report
