#pragma once

#include "inspect/inspect.h"

namespace cascade {

// Derives the pe.* and signature.* findings from a filled PE report.
void add_pe_findings(FileReport& report);

}  // namespace cascade
