// The names of the scan layer's report formats (docs/json-schema.md). Writers (report/) and
// readers of saved reports (diff, graph) take them from here, so the two cannot drift apart.
#pragma once

namespace cascade::scan {

inline constexpr const char* kScanSchema = "cascade.scan/1";
inline constexpr const char* kScanLinesSchema = "cascade.scan-jsonl/1";

}  // namespace cascade::scan
