#include "cli/server_options.h"

#include <chrono>

namespace cascade::cli {

CLI::Option* add_server_options(CLI::App* cmd, ServerArgs& args, std::string_view flag,
                                std::string_view what) {
  CLI::Option* url = cmd->add_option(std::string(flag), args.url,
                                     std::string(what) +
                                         " (cascade serve at http[s]://HOST[:PORT]; plain http "
                                         "only to a loopback address unless --insecure-http)")
                         ->type_name("URL");
  cmd->add_option("--token-file", args.token_file,
                  "File whose first line is the server's bearer token (mode 600: a file others "
                  "may read is refused)")
      ->type_name("FILE")
      ->needs(url);
  cmd->add_option("--server-ca", args.server_ca,
                  "Trust this CA (PEM) for the server's certificate instead of the system's store")
      ->type_name("FILE")
      ->needs(url);
  cmd->add_flag("--insecure-http", args.insecure_http,
                "Allow plain http:// to a host other than loopback (token and documents travel "
                "unencrypted)")
      ->needs(url);
  cmd->add_option("--server-timeout", args.timeout,
                  "Seconds to wait for each read or write of the server (default 300)")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 86400))
      ->needs(url);
  return url;
}

void add_spool_option(CLI::App* cmd, ServerArgs& args, CLI::Option* url) {
  cmd->add_option("--spool", args.spool,
                  "Keep reports the server cannot take now in this private directory, sent first "
                  "by the next run (default ~/.cache/cascade/spool)")
      ->type_name("DIR")
      ->needs(url);
}

Result<serve::Client> open_server(const ServerArgs& args) {
  serve::ClientOptions options;
  options.url = args.url;
  options.token_file = args.token_file;
  options.server_ca = args.server_ca;
  options.insecure_http = args.insecure_http;
  options.timeout = std::chrono::seconds(args.timeout);
  return serve::Client::open(options);
}

}  // namespace cascade::cli
