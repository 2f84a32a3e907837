// Walking the CLI11 App tree the way a reader of --help sees it: visible commands and options
// only, each command named by its words from `cascade` down.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cascade::cli {

// Subcommands shown in help (a hidden one has an empty group).
std::vector<const CLI::App*> visible_commands(const CLI::App& command);

// Options shown in help, the positional arguments last.
std::vector<const CLI::Option*> visible_options(const CLI::App& command);

// {"cascade", "graph", "ingest"} for `cascade graph ingest`.
std::vector<std::string> command_words(const CLI::App& command);

// Every visible command under `app`, `app` first, parents before their children.
std::vector<const CLI::App*> all_commands(const CLI::App& app);

// The placeholder an option's value is shown as: its type name before any ':' ("LEVEL" from
// "LEVEL:{info,...}"), with CLI11's generic names made readable.
std::string value_placeholder(const CLI::Option& option);

// A flag takes no value.
bool is_flag(const CLI::Option& option);

// The "Examples:" and "Exit codes:" parts of a footer set_help_footer wrote.
struct FooterExample {
  std::string what;
  std::string command;
};
struct FooterExitCode {
  std::string code;
  std::string meaning;
};
struct ParsedFooter {
  std::vector<FooterExample> examples;
  std::vector<FooterExitCode> exit_codes;
};
ParsedFooter parse_footer(std::string_view footer);

}  // namespace cascade::cli
