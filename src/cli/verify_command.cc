// `cascade verify`: a release against signed provenance and a release policy.
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/input_paths.h"
#include "cli/output.h"
#include "core/input_file.h"
#include "core/parallel.h"
#include "core/time.h"
#include "report/scan_report.h"
#include "report/verify_report.h"

namespace cascade::cli {

void add_verify_command(CLI::App& app, VerifyArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check every file of a release against signed provenance and a policy");
  cmd->add_option("release", args.release, "Directory, installer or archive")->required();
  cmd->add_option("--attestations", args.attestations,
                  "DSSE envelopes / .intoto.jsonl bundles / in-toto links (repeatable)")
      ->required()
      ->check(CLI::ExistingFile)
      ->allow_extra_args(true);
  cmd->add_option("--policy", args.policy, "Release policy (cascade.policy/1, JSON or YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  add_json_flag(cmd, args.json, "cascade.verify/1");
  cmd->add_option("--sarif", args.sarif, "Also write SARIF 2.1.0 to this file");
  cmd->add_option("--at", args.at, "Judge statement ages at this RFC 3339 time (default: now)");
  add_fail_on_option(cmd, args.fail_on);
  add_threads_option(cmd, args.threads);
  add_color_option(cmd, args.color);
  set_help_footer(cmd,
                  {"Verify a release folder against its provenance bundle and policy",
                   "cascade verify dist/ --attestations dist.intoto.jsonl --policy release.yaml"},
                  {"Print each file's verdict and path as JSON lines",
                   "cascade verify --json dist/ --attestations dist.intoto.jsonl --policy "
                   "release.yaml | jq -c '.files[] | [.verdict, .path]'"},
                  kFindingExitCodes);
}

int run_verify(const VerifyArgs& args) {
  // The policy and its keys load before anything is read: a typo stops at once.
  auto policy = provenance::Policy::load(args.policy);
  if (!policy) {
    std::cerr << "cascade: " << policy.error().message << '\n';
    return kExitUsage;
  }
  std::time_t at = std::time(nullptr);
  if (!args.at.empty()) {
    const auto parsed = parse_rfc3339(args.at);
    if (!parsed) {
      std::cerr << "cascade: --at is not an RFC 3339 time: " << args.at << '\n';
      return kExitUsage;
    }
    at = *parsed;
  }
  if (!named_path_exists(args.release)) return kExitUsage;
  if (::access(args.release.c_str(), R_OK) != 0) {
    std::cerr << "cascade: cannot read " << args.release << '\n';
    return kExitUsage;
  }
  if (struct stat st{};
      ::stat(args.release.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
    std::cerr << "cascade: " << args.release << ": " << file_type_name(st.st_mode)
              << ", not a release (a directory, installer or archive); refused\n";
    return kExitUsage;
  }
  // An attestation file that cannot be read is a finding of the run; one that is not a file at
  // all (a FIFO, a device) is a mistake on the command line.
  for (const auto& path : args.attestations) {
    if (auto file = InputFile::open(path); !file) {
      std::cerr << "cascade: " << path << ": " << file.error().message << '\n';
      return kExitUsage;
    }
  }
  std::ofstream sarif_file;
  if (!open_sarif(args.sarif, sarif_file)) return kExitUsage;
  VerifyRun run;
  run.version = kVersion;
  run.release = args.release;
  run.at = format_rfc3339(at);
  run.started = utc_now_rfc3339();
  const unsigned threads =
      args.threads > 0 ? static_cast<unsigned>(args.threads) : default_thread_count();
  const auto loaded = provenance::load_attestations(args.attestations, policy->keys, threads);
  if (!loaded) {
    std::cerr << "cascade: " << loaded.error().message << '\n';
    return kExitUsage;
  }
  const auto& attestations = *loaded;
  provenance::ReleaseReadOptions read_options;
  read_options.threads = threads;
  const auto contents = provenance::read_release(args.release, read_options);
  const auto result = provenance::verify_release(contents, attestations, *policy, at);
  run.finished = utc_now_rfc3339();

  std::ios::sync_with_stdio(false);
  if (args.json) {
    std::cout << verify_json(run, *policy, attestations, result)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    const bool color = use_color(args.color);
    write_verify_text(std::cout, run, *policy, attestations, result, color);
  }
  if (!args.sarif.empty() &&
      !write_sarif(args.sarif, sarif_file, verify_sarif(run, attestations, result))) {
    return kExitUsage;
  }
  const auto threshold = severity_from_name(args.fail_on);
  if (!threshold) return kExitClean;
  for (const auto& [severity, count] : verify_counts(attestations, result)) {
    if (severity >= *threshold && count > 0) return kExitFindings;
  }
  return kExitClean;
}

}  // namespace cascade::cli
