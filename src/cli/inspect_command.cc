#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/commands.h"
#include "cli/output.h"
#include "core/parallel.h"
#include "inspect/inspect.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "scan/catalogs.h"

namespace cascade::cli {

void add_inspect_command(CLI::App& app, InspectArgs& args) {
  CLI::App* cmd = app.add_subcommand("inspect", "Inspect binaries: headers, imports, signatures");
  cmd->add_option("files", args.files, "Files to inspect")->required();
  cmd->add_flag("--json", args.json, "Write one JSON document (schema cascade.inspect/1)");
  cmd->add_flag("--hashes", args.hashes, "Also compute MD5 and SHA-1 of each file");
  cmd->add_flag("-v,--verbose", args.verbose, "List every import and export");
  add_trust_options(cmd, args.trust);
  cmd->add_option("--fail-on", args.fail_on, "Exit 1 when a finding is at least this severe")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical", "none"}));
  cmd->add_option("-j,--threads", args.threads, "Files inspected in parallel (default: all cores)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--color", args.color, "Color text output")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

int run_inspect(const InspectArgs& args) {
  auto trust = make_trust_store(args.trust);
  if (!trust) {
    std::cerr << "cascade: " << trust.error().message << '\n';
    return kExitUsage;
  }
  std::ios::sync_with_stdio(false);
  InspectOptions options;
  options.legacy_hashes = args.hashes;
  options.trust = &trust.value();
  options.now = std::time(nullptr);
  const scan::CatalogSet catalogs =
      scan::load_scan_catalogs({}, args.trust.catalogs, false, trust.value(), options.now);
  for (const auto& note : catalogs.notes) std::cerr << "cascade: " << note << '\n';
  if (!catalogs.index.empty()) options.catalogs = &catalogs.index;

  const auto threshold = severity_from_name(args.fail_on);
  const bool color = use_color(args.color);
  bool any_read = false;
  bool over_threshold = false;
  // Progress goes to a terminal only, and only when there is enough work to wait for.
  const bool progress = ::isatty(STDERR_FILENO) && args.files.size() > 20;
  const unsigned threads =
      args.threads > 0 ? static_cast<unsigned>(args.threads) : default_thread_count();
  // The JSON document is streamed, one file object a line, so memory stays flat on big trees.
  if (args.json) std::cout << "{\"schema\": \"" << kInspectSchema << "\", \"files\": [\n";
  struct Inspected {
    FileReport report;
    std::string json;  // serialised on the worker thread, off the printer's path
  };
  parallel_ordered(
      args.files.size(), threads,
      [&](std::size_t i) {
        Inspected out{inspect_file(args.files[i], options), {}};
        // Hostile files can carry names that are not UTF-8: replace, never fail the document.
        if (args.json) {
          out.json = file_report_json(out.report)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        return out;
      },
      [&](std::size_t i, const Inspected& inspected) {
        const FileReport& report = inspected.report;
        if (progress) {
          progress_stream() << "\r\033[K[" << i + 1 << '/' << args.files.size() << "] "
                            << std::flush;
        }
        if (!report.error.empty()) {
          if (progress) progress_stream() << "\r\033[K" << std::flush;
          std::cerr << "cascade: " << report.path << ": " << report.error << '\n';
        }
        any_read = any_read || report.error.empty();
        if (auto worst = worst_severity(report); worst && threshold && *worst >= *threshold) {
          over_threshold = true;
        }
        if (args.json) {
          std::cout << (i == 0 ? "" : ",\n") << inspected.json;
        } else {
          write_text_report(std::cout, report, TextOptions{color, args.verbose});
        }
      });
  if (progress) progress_stream() << "\r\033[K" << std::flush;
  if (args.json) std::cout << "\n]}\n";
  if (!any_read) return kExitUsage;
  return over_threshold ? kExitFindings : kExitClean;
}

}  // namespace cascade::cli
