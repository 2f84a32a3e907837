#include <unistd.h>

#include <ctime>
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/input_paths.h"
#include "cli/output.h"
#include "core/parallel.h"
#include "inspect/inspect.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "scan/catalogs.h"
#include "scan/container/container.h"

namespace cascade::cli {

void add_inspect_command(CLI::App& app, InspectArgs& args) {
  CLI::App* cmd = app.add_subcommand("inspect", "Inspect binaries: headers, imports, signatures");
  cmd->add_option("files", args.files, "Files to inspect; - reads one from standard input")
      ->required();
  add_json_flag(cmd, args.json, "cascade.inspect/1");
  cmd->add_flag("--hashes", args.hashes, "Also compute MD5 and SHA-1 of each file");
  cmd->add_flag("-v,--verbose", args.verbose, "List every import and export");
  add_trust_options(cmd, args.trust);
  add_fail_on_option(cmd, args.fail_on);
  add_threads_option(cmd, args.threads);
  add_color_option(cmd, args.color);
  set_help_footer(cmd,
                  {"Inspect an installer, trusting a vendor's root as well as the built-in stores",
                   "cascade inspect --trust vendor-root.pem setup.exe"},
                  {"Print who signed each signature",
                   "cascade inspect --json setup.exe | jq '.files[].signatures[].signer'"},
                  kFindingExitCodes);
}

int run_inspect(const InspectArgs& args) {
  bool any_missing = false;
  const std::vector<std::string> files = existing_named_paths(args.files, any_missing);
  if (files.empty()) return kExitUsage;
  // Standard input is buffered whole, as the scanner buffers a container's entry, and under the
  // same cap.
  std::vector<std::uint8_t> stdin_bytes;
  if (!read_named_stdin(files, scan::ContainerLimits{}.max_entry_size, stdin_bytes)) {
    return kExitUsage;
  }
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
  const bool progress = ::isatty(STDERR_FILENO) && files.size() > 20;
  const unsigned threads =
      args.threads > 0 ? static_cast<unsigned>(args.threads) : default_thread_count();
  // The JSON document is streamed, one file object a line, so memory stays flat on big trees.
  if (args.json) std::cout << "{\"schema\": \"" << kInspectSchema << "\", \"files\": [\n";
  struct Inspected {
    FileReport report;
    std::string json;  // serialised on the worker thread, off the printer's path
  };
  parallel_ordered(
      files.size(), threads,
      [&](std::size_t i) {
        Inspected out{files[i] == kStdinPath ? inspect_bytes(kStdinName, stdin_bytes, options)
                                             : inspect_file(files[i], options),
                      {}};
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
          progress_stream() << "\r\033[K[" << i + 1 << '/' << files.size() << "] " << std::flush;
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
  if (any_missing || !any_read) return kExitUsage;
  return over_threshold ? kExitFindings : kExitClean;
}

}  // namespace cascade::cli
