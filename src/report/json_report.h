// The versioned JSON form of inspect results (schema documented in docs/json-schema.md).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "inspect/inspect.h"

namespace cascade {

inline constexpr const char* kInspectSchema = "cascade.inspect/1";

nlohmann::json file_report_json(const FileReport& report);
// The whole document at once (the CLI streams the same shape file by file).
nlohmann::json inspect_document(const std::vector<FileReport>& reports);

}  // namespace cascade
