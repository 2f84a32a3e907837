// `cascade version` and `cascade --version`.
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cli/build_commit.h"  // generated at build time: the commit the binary was built from
#include "cli/commands.h"
#include "cli/common_options.h"
#include "core/library_version.h"
#include "graph/library_versions.h"
#include "scan/library_versions.h"

namespace cascade::cli {
namespace {

constexpr const char* kVersionSchema = "cascade.version/1";

std::vector<LibraryVersion> linked_libraries() {
  return {openssl_version(), scan::yara_version(), scan::libarchive_version(),
          graph::sqlite_version(), graph::libpq_version()};
}

}  // namespace

void add_version_command(CLI::App& app, VersionArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "version", "Print the version, the commit it was built from and the libraries it runs with");
  add_json_flag(cmd, args.json, kVersionSchema);
  set_help_footer(
      cmd, {"Print the version and the linked libraries", "cascade version"},
      {"Print only the OpenSSL version", "cascade version --json | jq -r .libraries.OpenSSL"},
      {"0  always"});
}

std::string version_text() {
  std::ostringstream text;
  text << "cascade " << kVersion << " (commit " << CASCADE_COMMIT << ")\n";
  for (const auto& library : linked_libraries()) {
    text << library.library << ' ' << library.version << '\n';
  }
  std::string out = text.str();
  out.pop_back();  // CLI11 adds the final line break after --version's text
  return out;
}

int run_version(const VersionArgs& args) {
  if (!args.json) {
    std::cout << version_text() << '\n';
    return kExitClean;
  }
  nlohmann::json libraries = nlohmann::json::object();
  for (const auto& library : linked_libraries()) libraries[library.library] = library.version;
  std::cout << nlohmann::json{{"schema", kVersionSchema},
                              {"version", kVersion},
                              {"commit", CASCADE_COMMIT},
                              {"libraries", std::move(libraries)}}
                   .dump(2)
            << '\n';
  return kExitClean;
}

}  // namespace cascade::cli
