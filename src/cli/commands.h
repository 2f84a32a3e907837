#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace cascade::cli {

inline constexpr const char* kVersion = "0.1.0";
inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

struct InspectArgs {
  std::vector<std::string> files;
  bool json = false;
  bool hashes = false;
  bool verbose = false;
  std::vector<std::string> trust;
  bool no_system_trust = false;
  std::string fail_on = "high";
  std::string color = "auto";
  int threads = 0;  // 0: one per core
};

void add_inspect_command(CLI::App& app, InspectArgs& args);
int run_inspect(const InspectArgs& args);

}  // namespace cascade::cli
