// The paths a user names on the command line. One that does not exist is a mistake on the
// command line (exit 2, as ripgrep and YARA do), not a file of the run that failed to read:
// files inside a scanned tree that vanish or cannot be read stay findings of the run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace cascade::cli {

// The name standard input is given as, where a command reads a file from it, and the path its
// report carries (as ripgrep shows it).
inline constexpr const char* kStdinPath = "-";
inline constexpr const char* kStdinName = "<stdin>";

// True when `path` exists (a dangling symbolic link does not). When it does not, says so on
// standard error, "cascade: PATH: No such file or directory", and returns false. Only a path
// that is not there counts: one that exists but cannot be read is left to the command.
bool named_path_exists(const std::string& path);

// The paths of `paths` that exist, in order; `any_missing` is set when one did not (each said
// on standard error). kStdinPath is kept as it is.
std::vector<std::string> existing_named_paths(const std::vector<std::string>& paths,
                                              bool& any_missing);

// Reads standard input to its end, at most `cap` bytes: more is an error, as is a terminal (a
// forgotten pipe would wait for typing).
Result<std::vector<std::uint8_t>> read_standard_input(std::uint64_t cap);

// Reads standard input when `paths` names it (once; twice is a usage error, said on standard
// error). `stdin_bytes` is left empty when `paths` does not name it. False: exit 2.
bool read_named_stdin(const std::vector<std::string>& paths, std::uint64_t cap,
                      std::vector<std::uint8_t>& stdin_bytes);

}  // namespace cascade::cli
