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

struct ScanArgs {
  std::vector<std::string> paths;
  std::vector<std::string> iocs;
  std::vector<std::string> rules;
  std::vector<std::string> trust;
  bool no_system_trust = false;
  std::string host;  // default: gethostname()
  int threads = 0;   // 0: one per core
  std::vector<std::string> excludes;
  bool one_file_system = false;
  int max_depth = 8;
  bool json = false;
  bool jsonl = false;
  std::string sarif;
  std::string fail_on = "high";
  int top = 25;
  std::string color = "auto";
};

void add_scan_command(CLI::App& app, ScanArgs& args);
int run_scan(const ScanArgs& args);

struct DiffArgs {
  std::string old_path;
  std::string new_path;
  bool json = false;
  std::string sarif;
  std::vector<std::string> trust;
  bool no_system_trust = false;
  std::string baseline;
  std::string capabilities;
  std::vector<std::string> details;
  bool all = false;
  std::string fail_on = "high";
  int top = 50;
  int threads = 0;  // 0: one per core
  std::string color = "auto";
};

void add_diff_command(CLI::App& app, DiffArgs& args);
int run_diff(const DiffArgs& args);

}  // namespace cascade::cli
