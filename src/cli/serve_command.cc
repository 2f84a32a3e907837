// cascade serve: the inventory as an HTTP API (src/serve), and its tokens.
#include <csignal>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "core/time.h"
#include "report/text_out.h"
#include "serve/server.h"
#include "serve/tokens.h"

namespace cascade::cli {
namespace {

// "64M", "512K", "1G" or a plain number of bytes.
std::optional<std::size_t> parse_size(const std::string& text) {
  std::size_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (std::size_t{1} << 40)) return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(text[i] - '0');
  }
  if (i == 0) return std::nullopt;
  const std::string suffix = text.substr(i);
  if (suffix.empty()) return value;
  if (suffix == "K" || suffix == "k") return value << 10;
  if (suffix == "M" || suffix == "m") return value << 20;
  if (suffix == "G" || suffix == "g") return value << 30;
  return std::nullopt;
}

// "HOST:PORT" or "[IPv6]:PORT".
std::optional<std::pair<std::string, int>> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5) return std::nullopt;
  int port = 0;
  for (const char c : port_text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return std::nullopt;
  return std::pair{host, port};
}

int create_token(const ServeArgs& args) {
  const auto scope = graph::token_scope_from_name(args.scope);
  if (!scope) {
    std::cerr << "cascade: --scope is ingest, read or admin\n";
    return kExitUsage;
  }
  auto store = open_inventory(args.db);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  auto made = serve::create_token(**store, args.name, *scope,
                                  static_cast<std::int64_t>(std::time(nullptr)));
  if (!made) {
    std::cerr << "cascade: " << made.error().message << '\n';
    return kExitUsage;
  }
  std::cerr << "cascade: token '" << args.name << "' (" << args.scope
            << ") created; it is shown only now and cannot be shown again\n";
  std::cout << made->text << '\n';
  return kExitClean;
}

int list_tokens(const ServeArgs& args) {
  auto store = open_inventory(args.db, graph::OpenMode::kExisting);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  auto tokens = (*store)->tokens();
  if (!tokens) {
    std::cerr << "cascade: " << tokens.error().message << '\n';
    return kExitUsage;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const graph::TokenRow& token : *tokens) {
    const std::string created = format_rfc3339(static_cast<std::time_t>(token.created));
    const std::string revoked =
        token.revoked ? format_rfc3339(static_cast<std::time_t>(*token.revoked)) : "";
    if (args.json) {
      list.push_back({{"name", token.name},
                      {"scope", graph::token_scope_name(token.scope)},
                      {"created", created},
                      {"revoked", token.revoked ? nlohmann::json(revoked) : nlohmann::json()}});
    } else {
      TextOut(std::cout) << token.name << "  " << graph::token_scope_name(token.scope)
                         << "  created " << created
                         << (token.revoked ? "  revoked " + revoked : std::string()) << '\n';
    }
  }
  if (args.json) std::cout << list.dump(2) << '\n';
  return kExitClean;
}

int revoke_token(const ServeArgs& args) {
  auto store = open_inventory(args.db, graph::OpenMode::kExisting);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  auto revoked = (*store)->revoke_token(args.name, static_cast<std::int64_t>(std::time(nullptr)));
  if (!revoked) {
    std::cerr << "cascade: " << revoked.error().message << '\n';
    return kExitUsage;
  }
  if (!*revoked) {
    std::cerr << "cascade: no unrevoked token is named '" << args.name << "'\n";
    return kExitUsage;
  }
  std::cerr << "cascade: token '" << args.name << "' revoked\n";
  return kExitClean;
}

int serve(const ServeArgs& args) {
  const auto listen = parse_listen(args.listen);
  if (!listen) {
    std::cerr << "cascade: --listen is HOST:PORT\n";
    return kExitUsage;
  }
  const auto max_body = parse_size(args.max_body);
  if (!max_body || *max_body == 0) {
    std::cerr << "cascade: --max-body is a size such as 64M\n";
    return kExitUsage;
  }
  serve::ServeOptions options;
  options.db = database_spec(args.db);
  options.host = listen->first;
  options.port = listen->second;
  options.tls_cert = args.tls_cert;
  options.tls_key = args.tls_key;
  options.insecure_http = args.insecure_http;
  options.max_body = *max_body;
  options.threads = static_cast<std::size_t>(args.threads);
  options.rate_per_second = args.rate_limit;
  options.rate_burst = args.rate_limit * 2;
  // The server's threads inherit this mask, so the signals reach only sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto server = serve::Server::start(options);
  if (!server) {
    std::cerr << "cascade: " << server.error().message << '\n';
    return kExitUsage;
  }
  std::cout << "cascade serve: listening on " << ((*server)->tls() ? "https" : "http") << "://"
            << (options.host.find(':') != std::string::npos ? "[" + options.host + "]"
                                                            : options.host)
            << ':' << (*server)->port() << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cerr << "cascade serve: stopping\n";
  (*server)->stop();
  return kExitClean;
}

}  // namespace

void add_serve_command(CLI::App& app, ServeArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the inventory over HTTP: hosts post documents, analysts trace and hunt");
  cmd->require_subcommand(0, 1);
  add_db_option(cmd, args.db);
  cmd->add_option("--listen", args.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  cmd->add_option("--tls-cert", args.tls_cert, "PEM certificate (chain) to serve HTTPS with");
  cmd->add_option("--tls-key", args.tls_key, "PEM private key of --tls-cert");
  cmd->add_option("--max-body", args.max_body,
                  "Largest document or feed accepted, e.g. 64M (default); larger: 413");
  cmd->add_flag("--insecure-http", args.insecure_http,
                "Serve plain HTTP on an address other than loopback (tokens travel unencrypted)");
  cmd->add_option("--threads", args.threads, "Requests answered at once (default 8)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--rate-limit", args.rate_limit,
                  "Requests a second per token, bursts of twice that (default 50; 0: no limit)")
      ->check(CLI::Range(0.0, 1e6));

  CLI::App* token = cmd->add_subcommand("token", "Create, list and revoke the server's tokens");
  token->require_subcommand(1);
  CLI::App* create = token->add_subcommand(
      "create", "Make a token and print it, once; the store keeps only its SHA-256");
  add_db_option(create, args.db);
  create->add_option("--scope", args.scope, "ingest (post documents), read (trace, hunt), admin")
      ->required();
  create->add_option("--name", args.name, "A name for the token, unique in the store")->required();
  CLI::App* list = token->add_subcommand("list", "List the tokens (never their text)");
  add_db_option(list, args.db);
  add_json_flag(list, args.json, "a JSON array");
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by name");
  add_db_option(revoke, args.db);
  revoke->add_option("name", args.name, "The token's name")->required();
  set_help_footer(cmd,
                  {"Make a token for the build hosts' reports",
                   "cascade serve token create --db inventory.db --scope ingest --name builders"},
                  {"Serve the inventory over HTTPS on every address",
                   "cascade serve --db inventory.db --listen 0.0.0.0:8443 --tls-cert server.pem "
                   "--tls-key server.key"},
                  {"0  stopped by SIGINT or SIGTERM; for `token`, done\n"
                   "2  usage error, a store that cannot be opened, an address that cannot be "
                   "bound, or an unknown token name"});
}

int run_serve(const CLI::App& app, const ServeArgs& args) {
  if (app.got_subcommand("token")) {
    const CLI::App& token = *app.get_subcommand("token");
    if (token.got_subcommand("create")) return create_token(args);
    if (token.got_subcommand("list")) return list_tokens(args);
    if (token.got_subcommand("revoke")) return revoke_token(args);
    return kExitUsage;
  }
  return serve(args);
}

}  // namespace cascade::cli
