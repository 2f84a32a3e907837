#include "cli/trust_args.h"

#include <cstdlib>
#include <filesystem>

#include "core/input_file.h"

namespace cascade::cli {

void add_trust_options(CLI::App* cmd, TrustArgs& args) {
  cmd->add_option("--trust", args.files,
                  "Also trust this certificate (PEM or DER; a root or an intermediate)")
      ->check(CLI::ExistingFile)
      ->allow_extra_args(false);  // one file per --trust, so FILE arguments are not swallowed
  cmd->add_flag("--system-trust", args.system,
                "Also trust the system's TLS CA bundle for code signing (not recommended)");
  cmd->add_flag("--no-default-trust", args.no_builtin,
                "Do not trust the built-in stores (Microsoft root program, Secure Boot, Apple)");
  cmd->add_flag("--no-system-trust", args.legacy_no_system,
                "Accepted for compatibility: the system bundle is off unless --system-trust")
      ->group("");
  cmd->add_option("--trust-store", args.store,
                  "Folder of an updated Microsoft store (see `cascade trust update`)");
  cmd->add_option("--catalog", args.catalogs,
                  "Signed catalog (.cat) or folder of catalogs whose members count as signed")
      ->check(CLI::ExistingPath)
      ->allow_extra_args(false);
}

std::string trust_store_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("CASCADE_TRUST_STORE"); env != nullptr && *env != '\0') {
    return env;
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/cascade/trust";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.local/share/cascade/trust";
  }
  return {};
}

Result<authenticode::TrustStore> make_trust_store(const TrustArgs& args) {
  // A catalog folder is listed, a catalog file read; anything else (a FIFO would block its
  // reader) is a mistake on the command line, not a catalog that failed to parse.
  for (const auto& catalog : args.catalogs) {
    std::error_code ec;
    if (std::filesystem::is_directory(catalog, ec)) continue;
    if (auto file = InputFile::open(catalog); !file) {
      return make_error(ErrorCode::kUsage, "--catalog " + catalog + ": " + file.error().message);
    }
  }
  authenticode::TrustOptions options;
  options.builtin = !args.no_builtin;
  options.system = args.system;
  options.extra_files = args.files;
  const std::string dir = trust_store_dir(args.store);
  std::error_code ec;
  if (!dir.empty() && std::filesystem::exists(dir + "/authroot.stl", ec)) {
    options.microsoft_store_dir = dir;
  } else if (!args.store.empty()) {
    return make_error(ErrorCode::kUsage, "no authroot.stl in --trust-store " + args.store);
  }
  return authenticode::TrustStore::create(options);
}

}  // namespace cascade::cli
