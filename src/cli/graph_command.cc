// cascade graph ingest / graph stats / graph check / trace: feeding the inventory graph, checking
// it has not been altered, and asking it where a compromise went (forward) or came from (root
// cause).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/output.h"
#include "core/time.h"
#include "graph/csr.h"
#include "graph/ingest.h"
#include "graph/store.h"
#include "graph/store_check.h"
#include "graph/trace.h"
#include "report/store_check_report.h"
#include "report/text_out.h"
#include "report/trace_graphviz.h"
#include "report/trace_report.h"

namespace cascade::cli {

void add_db_option(CLI::App* cmd, std::string& db) {
  cmd->add_option("--db", db,
                  "The inventory: a SQLite file (default $CASCADE_DB, else ./cascade.db) or a "
                  "postgresql:// URI");
}

std::string database_spec(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("CASCADE_DB"); env != nullptr && *env != '\0') return env;
  return "cascade.db";
}

Result<std::unique_ptr<graph::GraphStore>> open_inventory(const std::string& given,
                                                          graph::OpenMode mode) {
  return graph::open_store(database_spec(given), mode);
}

Result<LoadedInventory> load_inventory(const std::string& given, graph::Direction direction) {
  // Tracing or hunting through a mistyped path must not leave an empty inventory behind.
  auto store = open_inventory(given, graph::OpenMode::kExisting);
  if (!store) return store.error();
  LoadedInventory inventory{.store = std::move(store).value(), .snapshot = {}, .graph = {}};
  auto snapshot = graph::StoreSnapshot::take(*inventory.store);
  if (!snapshot) return snapshot.error();
  inventory.snapshot.emplace(std::move(snapshot).value());
  auto loaded = graph::load_graph(*inventory.store, direction);
  if (!loaded) return loaded.error();
  inventory.graph = std::move(loaded).value();
  return inventory;
}

namespace {

int ingest(const GraphArgs& args) {
  auto store = open_inventory(args.db);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  bool any_problem = false;
  bool any_failure = false;
  nlohmann::json documents = nlohmann::json::array();
  std::size_t next_file = 0;
  graph::ingest_files(**store, args.files, [&](Result<graph::IngestOutcome> outcome) {
    const std::string& path = args.files[next_file++];
    if (!outcome) {
      std::cerr << "cascade: " << outcome.error().message << '\n';
      documents.push_back({{"path", path}, {"error", outcome.error().message}});
      any_failure = true;
      return;
    }
    for (const auto& problem : outcome->problems) {
      std::cerr << path;
      if (problem.line != 0) std::cerr << ':' << problem.line;
      std::cerr << ": " << problem.message << '\n';
    }
    any_problem = any_problem || !outcome->problems.empty();
    if (args.json) {
      nlohmann::json problems = nlohmann::json::array();
      for (const auto& problem : outcome->problems) {
        problems.push_back({{"line", problem.line}, {"message", problem.message}});
      }
      documents.push_back({{"path", path},
                           {"format", graph::document_format_name(outcome->format)},
                           {"sha256", outcome->sha256},
                           {"already_ingested", outcome->already_ingested},
                           {"nodes", outcome->nodes},
                           {"edges", outcome->edges},
                           {"names", outcome->names},
                           {"signals", outcome->signals},
                           {"signers", outcome->signers},
                           {"problems", std::move(problems)}});
    } else if (outcome->already_ingested) {
      TextOut(std::cout) << "skipped " << path << ": already ingested\n";
    } else {
      TextOut(std::cout) << "ingested " << path << " ("
                         << graph::document_format_name(outcome->format) << "): " << outcome->nodes
                         << " nodes, " << outcome->edges << " edges, " << outcome->signals
                         << " signals, " << outcome->signers << " signer certificates\n";
    }
  });
  if (args.json) {
    std::cout << nlohmann::json{{"schema", "cascade.graph-ingest/1"},
                                {"db", (*store)->describe()},
                                {"documents", std::move(documents)}}
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
  }
  if (any_failure) return kExitUsage;
  return any_problem ? kExitFindings : kExitClean;
}

int stats(const GraphArgs& args) {
  // Counting a mistyped path must not leave an empty inventory behind.
  auto store = open_inventory(args.db, graph::OpenMode::kExisting);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  auto snapshot = graph::StoreSnapshot::take(**store);  // counts of one committed state
  if (!snapshot) {
    std::cerr << "cascade: " << snapshot.error().message << '\n';
    return kExitUsage;
  }
  auto counts = (*store)->counts();
  auto version = (*store)->schema_version();
  if (!counts || !version) {
    std::cerr << "cascade: " << (!counts ? counts.error() : version.error()).message << '\n';
    return kExitUsage;
  }
  if (args.json) {
    std::cout << nlohmann::json{{"schema", "cascade.graph-stats/1"},
                                {"db", (*store)->describe()},
                                {"schema_version", *version},
                                {"documents", counts->documents},
                                {"nodes", counts->nodes},
                                {"edges", counts->edges},
                                {"signals", counts->signals}}
                     .dump(2)
              << '\n';
  } else {
    std::cout << (*store)->describe() << " (schema " << *version << "): " << counts->documents
              << " documents, " << counts->nodes << " nodes, " << counts->edges << " edges, "
              << counts->signals << " signals\n";
  }
  return kExitClean;
}

// Exit 0 when the store holds only what ingest wrote, 1 when problems were found (as findings
// at or above the threshold), 2 when the store cannot be opened or read at all.
int check(const GraphArgs& args) {
  // A mistyped path must not check a new, empty file and call it clean.
  auto store = open_inventory(args.db, graph::OpenMode::kExisting);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  auto report = graph::check_store(**store);
  if (!report) {
    std::cerr << "cascade: " << report.error().message << '\n';
    return kExitUsage;
  }
  if (args.json) {
    std::cout << report::store_check_json(*report).dump(2, ' ', false,
                                                        nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    std::cout << report::store_check_text(*report);
  }
  return report->clean() ? kExitClean : kExitFindings;
}

bool write_file(const std::string& path, const std::string& content) {
  if (path == "-") {
    std::cout << content;
    return static_cast<bool>(std::cout);
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    std::cerr << "cascade: cannot write " << path << '\n';
    return false;
  }
  return true;
}

}  // namespace

void add_graph_command(CLI::App& app, GraphArgs& args) {
  CLI::App* cmd = app.add_subcommand("graph", "Feed and inspect the inventory graph");
  cmd->require_subcommand(1);
  CLI::App* ingest_cmd = cmd->add_subcommand(
      "ingest",
      "Store scan reports, in-toto/SLSA attestations, CycloneDX and SPDX SBOMs and events "
      "(format detected by content; a document already stored is skipped)");
  ingest_cmd->add_option("files", args.files, "Documents to ingest")->required();
  add_db_option(ingest_cmd, args.db);
  auto* ingest_json = add_json_flag(ingest_cmd, args.json, "cascade.graph-ingest/1");
  auto* to = add_server_options(ingest_cmd, args.to, "--to",
                                "Post each document to this server instead of storing it in --db");
  to->excludes(ingest_cmd->get_option("--db"))->excludes(ingest_json);
  CLI::App* stats_cmd = cmd->add_subcommand("stats", "Count what the inventory holds");
  add_db_option(stats_cmd, args.db);
  add_json_flag(stats_cmd, args.json, "cascade.graph-stats/1");
  CLI::App* check_cmd = cmd->add_subcommand(
      "check",
      "Check the store was not altered: the engine's own integrity check, every node and "
      "document id against its content, every edge and signal against the rows it names "
      "(exit 1 on problems)");
  add_db_option(check_cmd, args.db);
  add_json_flag(check_cmd, args.json, "cascade.graph-check/1");
  set_help_footer(cmd,
                  {"Store a saved scan report in the inventory",
                   "cascade graph ingest --db inventory.db scan.json"},
                  {"Count what the inventory holds", "cascade graph stats --db inventory.db"},
                  {"0  done; for `check`, the store holds only what ingest wrote\n"
                   "1  `ingest`: a document had problems (each said); `check`: the store was "
                   "altered\n"
                   "2  usage error, or a document or store that does not exist or cannot be read"});
}

int run_graph(const CLI::App& app, const GraphArgs& args) {
  if (app.got_subcommand("ingest")) {
    return args.to.url.empty() ? ingest(args) : ingest_to_server(args);
  }
  if (app.got_subcommand("stats")) return stats(args);
  if (app.got_subcommand("check")) return check(args);
  return kExitUsage;
}

void add_trace_command(CLI::App& app, TraceArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "trace", "Where a compromise went (--compromised) or came from (--root-cause)");
  auto* forward = cmd->add_option("--compromised", args.compromised,
                                  "NODE known compromised: sha256:<hex> (sha512:, sha1:, ...), "
                                  "a package's purl pkg:TYPE/NAME@VERSION, host:H, release:N@V, "
                                  "build:ID or org:O");
  auto* backward =
      cmd->add_option("--root-cause", args.root_cause, "NODE known bad: find what explains it");
  forward->excludes(backward);
  cmd->add_option("--since", args.since,
                  "When the seed was compromised (RFC 3339; default: from the start)")
      ->excludes(backward);
  add_db_option(cmd, args.db);
  add_server_options(cmd, args.server, "--server",
                     "Ask this server instead of a local --db (every output form, the same answer)")
      ->excludes(cmd->get_option("--db"));
  add_json_flag(cmd, args.json, "cascade.trace/1");
  cmd->add_option("--dot", args.dot,
                  "Also write the explaining subgraph as Graphviz DOT (- for "
                  "stdout)");
  cmd->add_option("--html", args.html,
                  "Also write a self-contained HTML page with the picture and the tables");
  add_color_option(cmd, args.color);
  auto* top = cmd->add_option("--top", args.top,
                              "Text: affected nodes listed per kind (default 20), or root-cause "
                              "candidates (default 10)")
                  ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40));
  cmd->add_flag("--all", args.all, "Text: list every affected node or candidate")->excludes(top);
  set_help_footer(cmd,
                  {"Find everything a compromised build host could have touched",
                   "cascade trace --db inventory.db --compromised host:build-7"},
                  {"The same from a given time on, with the subgraph as Graphviz DOT",
                   "cascade trace --db inventory.db --compromised host:build-7 --since "
                   "2024-01-01T00:00:00Z --dot affected.dot"},
                  {"0  the answer was printed (an empty one too)\n"
                   "2  usage error, an unknown node, or an inventory that does not exist or "
                   "cannot be read"});
}

int run_trace(const TraceArgs& args) {
  const bool root_cause = !args.root_cause.empty();
  if (!root_cause && args.compromised.empty()) {
    std::cerr << "cascade: trace needs --compromised NODE or --root-cause NODE\n";
    return kExitUsage;
  }
  auto seed = graph::parse_node(root_cause ? args.root_cause : args.compromised);
  if (!seed) {
    std::cerr << "cascade: " << seed.error().message << '\n';
    return kExitUsage;
  }
  graph::TraceOptions options;
  if (!args.since.empty()) {
    const auto since = parse_rfc3339(args.since);
    if (!since) {
      std::cerr << "cascade: --since: not an RFC 3339 time: " << args.since << '\n';
      return kExitUsage;
    }
    options.since = *since;
  }
  // The same checks, and messages, for a trace asked of a server, before anything is asked.
  if (!args.server.url.empty()) return trace_on_server(args, *seed);
  auto inventory = load_inventory(
      args.db, root_cause ? graph::Direction::kReverse : graph::Direction::kPropagation);
  if (!inventory) {
    std::cerr << "cascade: " << inventory.error().message << '\n';
    return kExitUsage;
  }
  graph::GraphStore& store = *inventory->store;
  auto result = root_cause ? graph::trace_root_cause(inventory->graph, store, *seed, options)
                           : graph::trace_forward(inventory->graph, store, *seed, options);
  if (!result) {
    std::cerr << "cascade: " << result.error().message << '\n';
    return kExitUsage;
  }
  return print_trace(args, *result);
}

int print_trace(const TraceArgs& args, const graph::TraceResult& result) {
  if (!args.dot.empty() && !write_file(args.dot, report::trace_dot(result))) return kExitUsage;
  if (!args.html.empty()) {
    auto page = report::trace_html(result);
    if (!page) {
      std::cerr << "cascade: --html: " << page.error().message << '\n';
      return kExitUsage;
    }
    if (!write_file(args.html, *page)) return kExitUsage;
  }
  if (args.dot == "-") return kExitClean;
  std::ios::sync_with_stdio(false);
  if (args.json) {
    std::cout << report::trace_json(result).dump(2, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    report::TraceTextOptions text;
    text.color = use_color(args.color);
    if (args.all) {
      text.nodes_per_kind = text.candidates = std::numeric_limits<std::size_t>::max();
    } else if (args.top) {
      text.nodes_per_kind = text.candidates = *args.top;
    }
    std::cout << report::trace_text(result, text);
  }
  return kExitClean;
}

}  // namespace cascade::cli
