// cascade: the command line. Thin by design: parsing options, calling libcascade, printing.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/generated_docs.h"
#include "cli/output.h"

namespace {

bool is_command(const CLI::App& app, std::string_view name) {
  for (const CLI::App* command : app.get_subcommands({})) {
    if (command->check_name(std::string(name))) return true;
  }
  return false;
}

int run(int argc, char** argv) {
  cascade::cli::guard_stderr();
  CLI::App app{"cascade: catch tampered software and trace a compromise", "cascade"};
  app.require_subcommand(1);
  app.set_version_flag("--version", cascade::cli::version_text,
                       "Print the version, the commit and the linked libraries, and exit");
  cascade::cli::InspectArgs inspect_args;
  cascade::cli::add_inspect_command(app, inspect_args);
  cascade::cli::ScanArgs scan_args;
  cascade::cli::add_scan_command(app, scan_args);
  cascade::cli::DiffArgs diff_args;
  cascade::cli::add_diff_command(app, diff_args);
  cascade::cli::KeyArgs key_args;
  cascade::cli::add_key_command(app, key_args);
  cascade::cli::AttestArgs attest_args;
  cascade::cli::add_attest_command(app, attest_args);
  cascade::cli::VerifyArgs verify_args;
  cascade::cli::add_verify_command(app, verify_args);
  cascade::cli::RebuildCompareArgs rebuild_args;
  cascade::cli::add_rebuild_compare_command(app, rebuild_args);
  cascade::cli::GraphArgs graph_args;
  cascade::cli::add_graph_command(app, graph_args);
  cascade::cli::TraceArgs trace_args;
  cascade::cli::add_trace_command(app, trace_args);
  cascade::cli::HuntArgs hunt_args;
  cascade::cli::add_hunt_command(app, hunt_args);
  cascade::cli::ServeArgs serve_args;
  cascade::cli::add_serve_command(app, serve_args);
  cascade::cli::TrustCommandArgs trust_args;
  cascade::cli::add_trust_command(app, trust_args);
  cascade::cli::VersionArgs version_args;
  cascade::cli::add_version_command(app, version_args);
  cascade::cli::GenerateDocsArgs generate_docs_args;
  cascade::cli::add_generate_docs_command(app, generate_docs_args);
  // Set after the commands are added: each would inherit it as its own.
  app.footer(
      "\nRun `cascade COMMAND --help` for a command's options, two examples and its exit "
      "codes.");
  // Bare `cascade` is a request for help, not a mistake.
  if (argc <= 1) {
    std::cout << app.help();
    return cascade::cli::kExitClean;
  }
  // CLI11 would call a mistyped command an unexpected argument; say what it is.
  if (const std::string_view first = argv[1];
      !first.empty() && first[0] != '-' && !is_command(app, first)) {
    std::cerr << "cascade: unknown command '" << first << "'\n"
              << "Run 'cascade --help' for the list of commands.\n";
    return cascade::cli::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 writes its message as one string of several lines; each goes through the stderr
    // guard as a line of its own.
    std::ostringstream out, err;
    const int rc = app.exit(e, out, err);
    std::cout << out.str();
    std::istringstream lines(err.str());
    for (std::string line; std::getline(lines, line);) std::cerr << line << '\n';
    return rc == 0 ? 0 : cascade::cli::kExitUsage;
  }
  if (app.got_subcommand("inspect")) return cascade::cli::run_inspect(inspect_args);
  if (app.got_subcommand("scan")) return cascade::cli::run_scan(scan_args);
  if (app.got_subcommand("diff")) return cascade::cli::run_diff(diff_args);
  if (app.got_subcommand("key")) return cascade::cli::run_key(*app.get_subcommand("key"), key_args);
  if (app.got_subcommand("attest")) return cascade::cli::run_attest(attest_args);
  if (app.got_subcommand("verify")) return cascade::cli::run_verify(verify_args);
  if (app.got_subcommand("rebuild-compare")) return cascade::cli::run_rebuild_compare(rebuild_args);
  if (app.got_subcommand("graph")) {
    return cascade::cli::run_graph(*app.get_subcommand("graph"), graph_args);
  }
  if (app.got_subcommand("trace")) return cascade::cli::run_trace(trace_args);
  if (app.got_subcommand("hunt")) return cascade::cli::run_hunt(hunt_args);
  if (app.got_subcommand("serve")) {
    return cascade::cli::run_serve(*app.get_subcommand("serve"), serve_args);
  }
  if (app.got_subcommand("trust")) {
    return cascade::cli::run_trust(*app.get_subcommand("trust"), trust_args);
  }
  if (app.got_subcommand("version")) return cascade::cli::run_version(version_args);
  if (app.got_subcommand(cascade::cli::kGenerateDocsCommand)) {
    return cascade::cli::run_generate_docs(app, generate_docs_args);
  }
  return cascade::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // The library reports errors as values; what can still escape (allocation failure, say) is
  // fatal, and fatal is exit 2 with a message, never an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "cascade: fatal: " << e.what() << '\n';
    return cascade::cli::kExitUsage;
  }
}
