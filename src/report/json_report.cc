#include "report/json_report.h"

namespace cascade {

nlohmann::json inspect_document(const std::vector<FileReport>& reports) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& r : reports) files.push_back(file_report_json(r));
  return {{"schema", kInspectSchema}, {"files", std::move(files)}};
}

}  // namespace cascade
