// The options several commands share, registered one way: the same flag, the same help text and
// the same accepted values wherever they appear.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace cascade::cli {

// --json: one JSON document of `schema` on standard output instead of the text report.
CLI::Option* add_json_flag(CLI::App* cmd, bool& json, std::string_view schema);

// --fail-on LEVEL: info, low, medium, high, critical or none, in any letter case; the value is
// stored in lower case, as severity_from_name reads it.
CLI::Option* add_fail_on_option(CLI::App* cmd, std::string& fail_on);

// --color WHEN: auto, always or never (any case), decided by use_color().
CLI::Option* add_color_option(CLI::App* cmd, std::string& color);

// -j/--threads N: 1 to 256 worker threads; 0 (the default) means one per core.
CLI::Option* add_threads_option(CLI::App* cmd, int& threads);

struct HelpExample {
  std::string_view what;     // one line: what the example does
  std::string_view command;  // a whole command line, runnable as shown
};

// One line per exit code: the code, two spaces, what it means.
struct ExitCodes {
  std::string_view lines;
};

// The epilogue of a command's --help (and of its own subcommands', added before): two examples
// and what its exit codes mean. The man pages
// are generated from the same text (see man_pages.h), so it has a fixed shape: "Examples:",
// "  # WHAT" and "  COMMAND" pairs, a blank line, "Exit codes:", "  N  MEANING" lines.
void set_help_footer(CLI::App* cmd, const HelpExample& first, const HelpExample& second,
                     ExitCodes exit_codes);

inline constexpr std::string_view kExamplesHeading = "Examples:";
inline constexpr std::string_view kExitCodesHeading = "Exit codes:";

// The exit codes of the commands that judge findings against --fail-on.
inline constexpr ExitCodes kFindingExitCodes{
    "0  nothing at or above --fail-on\n"
    "1  a finding at or above --fail-on (default high)\n"
    "2  usage error, or an input that does not exist or could not be read"};

}  // namespace cascade::cli
