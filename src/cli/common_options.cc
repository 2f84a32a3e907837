#include "cli/common_options.h"

#include <sstream>

namespace cascade::cli {

CLI::Option* add_json_flag(CLI::App* cmd, bool& json, std::string_view schema) {
  return cmd->add_flag(
      "--json", json,
      "Write one JSON document (schema " + std::string(schema) + ") instead of the text report");
}

CLI::Option* add_fail_on_option(CLI::App* cmd, std::string& fail_on) {
  return cmd
      ->add_option("--fail-on", fail_on,
                   "Exit 1 when a finding is at least this severe: info, low, medium, high, "
                   "critical or none (default high)")
      ->type_name("LEVEL")
      ->transform(
          CLI::IsMember({"info", "low", "medium", "high", "critical", "none"}, CLI::ignore_case));
}

CLI::Option* add_color_option(CLI::App* cmd, std::string& color) {
  return cmd
      ->add_option("--color", color,
                   "Colour the text report: auto (a terminal, and NO_COLOR unset), always or never")
      ->type_name("WHEN")
      ->transform(CLI::IsMember({"auto", "always", "never"}, CLI::ignore_case));
}

CLI::Option* add_threads_option(CLI::App* cmd, int& threads) {
  return cmd
      ->add_option("-j,--threads", threads,
                   "Worker threads, 1 to 256 (default: one per core); output does not depend on it")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
}

void set_help_footer(CLI::App* cmd, const HelpExample& first, const HelpExample& second,
                     ExitCodes exit_codes) {
  std::ostringstream footer;
  footer << '\n' << kExamplesHeading << '\n';
  for (const HelpExample* example : {&first, &second}) {
    footer << "  # " << example->what << "\n  " << example->command << '\n';
  }
  footer << '\n' << kExitCodesHeading;
  std::istringstream lines{std::string(exit_codes.lines)};
  for (std::string line; std::getline(lines, line);) footer << "\n  " << line;
  // A command's own commands (`graph ingest`) show the examples of the family.
  cmd->footer(footer.str());
  for (CLI::App* sub : cmd->get_subcommands([](CLI::App*) { return true; })) {
    sub->footer(footer.str());
  }
}

}  // namespace cascade::cli
