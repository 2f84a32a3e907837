#include "cli/output.h"

#include <unistd.h>

#include <iostream>

namespace cascade::cli {

bool use_color(const std::string& when) {
  return when == "always" || (when == "auto" && ::isatty(STDOUT_FILENO));
}

bool open_sarif(const std::string& path, std::ofstream& out) {
  if (path.empty()) return true;
  out.open(path, std::ios::trunc);
  if (!out) std::cerr << "cascade: cannot write " << path << '\n';
  return static_cast<bool>(out);
}

bool write_sarif(const std::string& path, std::ofstream& out, const nlohmann::json& log) {
  if (path.empty()) return true;
  // Hostile files can carry names that are not UTF-8: replace, never fail the document.
  out << log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
  if (!out) std::cerr << "cascade: writing " << path << " failed\n";
  return static_cast<bool>(out);
}

}  // namespace cascade::cli
