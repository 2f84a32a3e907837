// The documented JSON object of one inspected file (docs/json-schema.md): what inspect, scan
// reports and diff all read and write. It serialises inspect's own FileReport, so it lives here
// and every layer above (scan reports, diff, report, cli) uses this one form.
#pragma once

#include <nlohmann/json.hpp>

#include "inspect/inspect.h"

namespace cascade {

inline constexpr const char* kInspectSchema = "cascade.inspect/1";

nlohmann::json file_report_json(const FileReport& report);
// One finding as every report writes it: {"id", "severity", "message"}.
nlohmann::json finding_json(const Finding& finding);

}  // namespace cascade
