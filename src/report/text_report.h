// The human-readable inspect report: a compact block per file, findings first.
#pragma once

#include <ostream>

#include "inspect/inspect.h"

namespace cascade {

struct TextOptions {
  bool color = false;
  bool verbose = false;  // list every import, export and section flag
};

void write_text_report(std::ostream& out, const FileReport& report, const TextOptions& options);

}  // namespace cascade
