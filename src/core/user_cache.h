// Where cascade keeps what it caches for the user running it (the scan cache, the report spool).
#pragma once

#include <string>

namespace cascade {

// $XDG_CACHE_HOME/cascade when XDG_CACHE_HOME is an absolute path, else $HOME/.cache/cascade;
// empty when neither names one. Nothing is created.
std::string user_cache_directory();

}  // namespace cascade
