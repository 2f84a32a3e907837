// The trust options inspect, scan and diff share, and the store they build.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "authenticode/trust_store.h"
#include "core/result.h"

namespace cascade::cli {

struct TrustArgs {
  std::vector<std::string> files;     // --trust: PEM or DER, roots or intermediates
  bool system = false;                // --system-trust: the OS TLS bundle as well
  bool no_builtin = false;            // --no-default-trust: only --trust (and --system-trust)
  bool legacy_no_system = false;      // --no-system-trust: accepted; the bundle is off by default
  std::string store;                  // --trust-store DIR: where `trust update` wrote
  std::vector<std::string> catalogs;  // --catalog FILE|DIR
};

void add_trust_options(CLI::App* cmd, TrustArgs& args);

// The updated Microsoft store's folder: --trust-store, else $CASCADE_TRUST_STORE, else
// $XDG_DATA_HOME/cascade/trust (or ~/.local/share/cascade/trust).
std::string trust_store_dir(const std::string& flag);

// The store the options name; the updated Microsoft store is used when its folder holds one.
Result<authenticode::TrustStore> make_trust_store(const TrustArgs& args);

}  // namespace cascade::cli
