// What every command does the same way with its outputs: colour decisions and the SARIF file.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace cascade::cli {

// From here on, everything written to std::cerr (messages that quote paths, names and library
// errors from hostile inputs) is made printable line by line (cascade::printable): no ESC
// sequence or stray line break from an input reaches the terminal. Call once, first in main.
void guard_stderr();

// The unguarded standard error, only for the progress line cascade draws itself ("\r\033[K").
std::ostream& progress_stream();

// --color auto|always|never; auto colours when stdout is a terminal and NO_COLOR is unset or
// empty.
bool use_color(const std::string& when);

// Opens the --sarif file before any work, so a bad path fails at once (an empty path: nothing
// to open, true). Says why on stderr when it cannot.
bool open_sarif(const std::string& path, std::ofstream& out);

// Writes the SARIF log to the file open_sarif opened (nothing when `path` is empty); false, with
// a message, when writing failed.
bool write_sarif(const std::string& path, std::ofstream& out, const nlohmann::json& log);

}  // namespace cascade::cli
