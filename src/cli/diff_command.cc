#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/input_paths.h"
#include "cli/output.h"
#include "core/parallel.h"
#include "diff/differ.h"
#include "report/diff_report.h"

namespace cascade::cli {

void add_diff_command(CLI::App& app, DiffArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare two releases (trees, installers, archives or saved scan reports)");
  cmd->add_option("old", args.old_path, "The earlier release")->required();
  cmd->add_option("new", args.new_path, "The release to vet")->required();
  add_json_flag(cmd, args.json, "cascade.diff/1");
  cmd->add_option("--sarif", args.sarif, "Also write SARIF 2.1.0 to this file");
  add_trust_options(cmd, args.trust);
  cmd->add_option("--baseline", args.baseline, "Baseline policy (cascade.baseline/1 JSON)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--capabilities", args.capabilities,
                  "Capability table replacing the built-in one (cascade.capabilities/1)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--details", args.details,
                  "Print the full delta of this install path, with line diffs of text files and "
                  "install scripts (repeatable; '*' for all)")
      ->allow_extra_args(false);
  cmd->add_option("--strip-prefix", args.strip_prefix,
                  "Drop N leading path components on a side that is one archive (as patch -p), "
                  "to pair a .deb or npm tarball with its unpacked tree")
      ->check(CLI::Range(0, 1000));
  cmd->add_flag("--all", args.all, "Also list unchanged files");
  add_fail_on_option(cmd, args.fail_on);
  cmd->add_option("--top", args.top, "Rows of the ranked table (default 50)")
      ->check(CLI::Range(0, 1000000));
  add_threads_option(cmd, args.threads);
  add_color_option(cmd, args.color);
  set_help_footer(
      cmd, {"Vet a new release against the previous one", "cascade diff old-release/ new-release/"},
      {"Compare a saved scan report with today's tree, every change of one file shown",
       "cascade diff --details app.exe scan.json new-release/"},
      {"0  no unexpected finding at or above --fail-on\n"
       "1  an unexpected finding at or above --fail-on (default high)\n"
       "2  usage error, or a release that does not exist or could not be read"});
}

int run_diff(const DiffArgs& args) {
  // Both are checked, so one run names every release that is not there.
  const bool old_exists = named_path_exists(args.old_path);
  if (!named_path_exists(args.new_path) || !old_exists) return kExitUsage;
  // Policy, capability table and trust load before any file is read: a typo stops at once.
  std::optional<diff::Baseline> baseline;
  if (!args.baseline.empty()) {
    auto loaded = diff::Baseline::load(args.baseline);
    if (!loaded) {
      std::cerr << "cascade: " << loaded.error().message << '\n';
      return kExitUsage;
    }
    baseline.emplace(std::move(loaded).value());
  }
  std::optional<diff::CapabilitySet> capabilities;
  if (!args.capabilities.empty()) {
    auto loaded = diff::CapabilitySet::load(args.capabilities);
    if (!loaded) {
      std::cerr << "cascade: " << loaded.error().message << '\n';
      return kExitUsage;
    }
    capabilities.emplace(std::move(loaded).value());
  }
  auto trust = make_trust_store(args.trust);
  if (!trust) {
    std::cerr << "cascade: " << trust.error().message << '\n';
    return kExitUsage;
  }
  std::ofstream sarif_file;
  if (!open_sarif(args.sarif, sarif_file)) return kExitUsage;

  DiffRun run;
  run.version = kVersion;
  run.started = utc_now_rfc3339();
  run.capabilities = args.capabilities.empty() ? "built-in" : args.capabilities;
  run.baseline = args.baseline;
  diff::ReleaseOptions options;
  options.trust = &trust.value();
  options.now = std::time(nullptr);
  options.threads = args.threads > 0 ? static_cast<unsigned>(args.threads) : default_thread_count();
  options.catalogs = args.trust.catalogs;
  options.keep_text = !args.details.empty();
  options.strip_prefix = static_cast<std::size_t>(args.strip_prefix);
  auto old_release = diff::load_release(args.old_path, options);
  if (!old_release) {
    std::cerr << "cascade: " << old_release.error().message << '\n';
    return kExitUsage;
  }
  auto new_release = diff::load_release(args.new_path, options);
  if (!new_release) {
    std::cerr << "cascade: " << new_release.error().message << '\n';
    return kExitUsage;
  }
  for (const auto* release : {&old_release.value(), &new_release.value()}) {
    for (const auto& note : release->notes) std::cerr << "cascade: " << note << '\n';
  }
  if (args.strip_prefix > 0 && old_release->kind != diff::ReleaseKind::kFile &&
      new_release->kind != diff::ReleaseKind::kFile) {
    std::cerr << "cascade: --strip-prefix applies to a release that is one archive file; "
                 "neither is, so no path was stripped\n";
  }
  run.old_release = &old_release.value();
  run.new_release = &new_release.value();
  const diff::DiffOptions diff_options{
      .capabilities = capabilities ? &*capabilities : nullptr,
      .baseline = baseline ? &*baseline : nullptr,
      .list_unchanged = args.all,
      .text_diffs = !args.details.empty(),
  };
  const diff::DiffResult result = diff::diff_releases(*old_release, *new_release, diff_options);
  run.finished = utc_now_rfc3339();

  std::ios::sync_with_stdio(false);
  if (args.json) {
    std::cout
        << diff_document(run, result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
  } else {
    DiffTextOptions text;
    text.top = static_cast<std::size_t>(args.top);
    text.details = args.details;
    text.color = use_color(args.color);
    write_diff_text(std::cout, run, result, text);
  }
  if (!args.sarif.empty() && !write_sarif(args.sarif, sarif_file, diff_sarif(run, result))) {
    return kExitUsage;
  }
  const auto threshold = severity_from_name(args.fail_on);
  if (!threshold) return kExitClean;
  for (const auto& f : result.files) {
    for (const auto& df : f.findings) {
      if (!df.expected && df.finding.severity >= *threshold) return kExitFindings;
    }
  }
  return kExitClean;
}

}  // namespace cascade::cli
