#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/input_paths.h"
#include "cli/output.h"
#include "core/digest.h"
#include "core/file_loader.h"
#include "rebuild/compare.h"
#include "report/rebuild_report.h"

namespace cascade::cli {

void add_rebuild_compare_command(CLI::App& app, RebuildCompareArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "rebuild-compare",
      "Compare two builds of one binary, ignoring what reproducible builds may vary");
  cmd->add_option("a", args.first, "The first build (PE, ELF or Mach-O)")->required();
  cmd->add_option("b", args.second, "The second build of the same source")->required();
  add_json_flag(cmd, args.json, "cascade.rebuild/1");
  cmd->add_flag("--include-build-id", args.include_build_id,
                "ELF: compare the build-id note too (normalised by default)");
  add_fail_on_option(cmd, args.fail_on);
  add_color_option(cmd, args.color);
  set_help_footer(cmd,
                  {"Check two builds of one source are the same binary",
                   "cascade rebuild-compare build-1/app.exe build-2/app.exe"},
                  {"Compare ELF builds including their build-id notes, as JSON",
                   "cascade rebuild-compare --json --include-build-id build-1/libapp.so "
                   "build-2/libapp.so"},
                  kFindingExitCodes);
}

int run_rebuild_compare(const RebuildCompareArgs& args) {
  const bool first_exists = named_path_exists(args.first);
  if (!named_path_exists(args.second) || !first_exists) return kExitUsage;
  // One loader per file: a loader's bytes stay valid only until its next load.
  FileLoader loader_a;
  FileLoader loader_b;
  auto a = loader_a.load(args.first);
  if (!a) {
    std::cerr << "cascade: " << args.first << ": " << a.error().message << '\n';
    return kExitUsage;
  }
  auto b = loader_b.load(args.second);
  if (!b) {
    std::cerr << "cascade: " << args.second << ": " << b.error().message << '\n';
    return kExitUsage;
  }
  rebuild::CompareOptions options;
  options.include_build_id = args.include_build_id;
  auto result = rebuild::compare_builds(*a, *b, options);
  if (!result) {
    // The library prefixes "a: " or "b: "; name the file instead.
    const std::string& message = result.error().message;
    const bool second = message.starts_with("b: ");
    std::cerr << "cascade: " << (second ? args.second : args.first) << ": "
              << (message.size() > 3 ? message.substr(3) : message) << '\n';
    return kExitUsage;
  }

  rebuild::RebuildRun run;
  run.version = kVersion;
  run.a = {args.first, hash_file(*a, false).sha256, a->size()};
  run.b = {args.second, hash_file(*b, false).sha256, b->size()};
  run.include_build_id = args.include_build_id;
  std::ios::sync_with_stdio(false);
  if (args.json) {
    std::cout << rebuild::rebuild_document(run, *result)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    const bool color = use_color(args.color);
    rebuild::write_rebuild_text(std::cout, run, *result, color);
  }
  const auto threshold = severity_from_name(args.fail_on);
  if (!threshold) return kExitClean;
  for (const auto& f : result->findings) {
    if (f.severity >= *threshold) return kExitFindings;
  }
  return kExitClean;
}

}  // namespace cascade::cli
