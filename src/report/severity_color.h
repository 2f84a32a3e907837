// Terminal colours for severities: a text report's concern, kept out of the finding model.
#pragma once

#include "core/finding.h"

namespace cascade {

// The ANSI colour text reports print a finding of this severity in (reset with "\033[0m").
const char* severity_color(Severity severity);

}  // namespace cascade
