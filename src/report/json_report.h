// The versioned JSON form of inspect results (schema documented in docs/json-schema.md).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "inspect/file_report_json.h"

namespace cascade {

// The whole document at once (the CLI streams the same shape file by file).
nlohmann::json inspect_document(const std::vector<FileReport>& reports);

}  // namespace cascade
