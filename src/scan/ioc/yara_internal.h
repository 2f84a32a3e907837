// Internals of the YARA wrapper, visible to the tests (a timeout is impractical to provoke).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cascade::scan::yara {

// Every scan stops after this long: one pathological rule must not stall a whole tree.
inline constexpr int kScanTimeoutSeconds = 60;

// The Error for a libyara scan result code other than ERROR_SUCCESS; `detail` adds context
// (which string had too many matches).
Error scan_error(int code, std::string_view detail);

// The rule files named by `paths`: files as given, directories searched recursively for
// *.yar/*.yara (sorted), duplicates dropped.
Result<std::vector<std::string>> rule_files(const std::vector<std::string>& paths);

}  // namespace cascade::scan::yara
