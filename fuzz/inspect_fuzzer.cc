// The whole inspect path on one buffer: format detection, PE, certificate table, signatures,
// overlay and findings.
#include <cstddef>
#include <cstdint>

#include "inspect/inspect.h"
#include "report/json_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto trust = cascade::authenticode::TrustStore::create({});
  cascade::InspectOptions options;
  options.trust = &trust.value();
  options.now = 1700000000;
  const auto report = cascade::inspect_bytes("fuzz", cascade::Bytes(data, size), options);
  (void)cascade::file_report_json(report).dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace);
  return 0;
}
