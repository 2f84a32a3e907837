#include "core/user_cache.h"

#include <cstdlib>

namespace cascade {

std::string user_cache_directory() {
  // A relative value is ignored, as the XDG base directory specification says.
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/cascade";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    return std::string(home) + "/.cache/cascade";
  }
  return "";
}

}  // namespace cascade
