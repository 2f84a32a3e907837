#include "report/severity_color.h"

namespace cascade {

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "\033[1;31m";
    case Severity::kHigh:
      return "\033[31m";
    case Severity::kMedium:
      return "\033[33m";
    case Severity::kLow:
      return "\033[36m";
    case Severity::kInfo:
      return "\033[2m";
  }
  return "";
}

}  // namespace cascade
