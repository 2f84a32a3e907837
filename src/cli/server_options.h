// The options of the commands that speak to cascade serve (scan --report-to, graph ingest --to,
// attest --report-to, trace --server), registered one way: the same token, CA, plain-HTTP and
// timeout options wherever a server is named.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "serve/client.h"

namespace cascade::cli {

struct ServerArgs {
  std::string url;
  std::string token_file;
  std::string server_ca;
  bool insecure_http = false;
  int timeout = 300;  // seconds, each read or write
  std::string spool;  // scan --report-to only; empty: the default
};

// `flag` ("--report-to", "--to", "--server") names the URL; the others need it. Returns it.
CLI::Option* add_server_options(CLI::App* cmd, ServerArgs& args, std::string_view flag,
                                std::string_view what);
// The --spool option, for the commands whose reports wait when the server cannot be reached.
void add_spool_option(CLI::App* cmd, ServerArgs& args, CLI::Option* url);

Result<serve::Client> open_server(const ServerArgs& args);

}  // namespace cascade::cli
