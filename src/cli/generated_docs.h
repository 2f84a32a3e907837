// Man pages and shell completions, generated from the CLI definition itself (the CLI11 App
// tree): an option added to a command appears in its page and its completions at the next
// build, with the help text `--help` shows.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cascade::cli {

// The hidden command the build runs: `cascade __generate-docs --man DIR --completions DIR`.
inline constexpr const char* kGenerateDocsCommand = "__generate-docs";

struct GenerateDocsArgs {
  std::string man_dir;          // cascade.1, cascade-scan.1, cascade-graph-ingest.1, ...
  std::string completions_dir;  // cascade.bash, _cascade (zsh), cascade.fish
};

void add_generate_docs_command(CLI::App& app, GenerateDocsArgs& args);

// Writes the files; exit code 0, or 2 with a message when a file cannot be written.
int run_generate_docs(const CLI::App& app, const GenerateDocsArgs& args);

// The roff man page of `command` (the top-level app or any subcommand), and the three
// completion scripts of the whole tree under `app`.
std::string man_page(const CLI::App& command);
std::string bash_completion(const CLI::App& app);
std::string zsh_completion(const CLI::App& app);
std::string fish_completion(const CLI::App& app);

}  // namespace cascade::cli
