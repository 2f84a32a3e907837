// cascade: the command line. Thin by design: parsing options, calling libcascade, printing.
#include <CLI/CLI.hpp>
#include <iostream>
#include <unistd.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"cascade: catch tampered software and trace a compromise"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(cascade::cli::kVersion));
  cascade::cli::InspectArgs inspect_args;
  cascade::cli::add_inspect_command(app, inspect_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : cascade::cli::kExitUsage;
  }
  if (app.got_subcommand("inspect")) return cascade::cli::run_inspect(inspect_args);
  return cascade::cli::kExitUsage;
}
