// cascade hunt: indicator feeds against everything the inventory has already seen.
#include <iostream>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/output.h"
#include "graph/csr.h"
#include "hunt/hunt.h"
#include "report/hunt_report.h"
#include "scan/ioc/indicators.h"

namespace cascade::cli {

void add_hunt_command(CLI::App& app, HuntArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "hunt", "Match indicator feeds against every artifact and package the inventory holds");
  cmd->add_option("--ioc", args.iocs,
                  "FEED: a hash list, CSV, STIX 2.1 bundle, signer list, OSV advisory or array, "
                  "or a directory of OSV *.json advisories (repeatable)")
      ->required();
  add_db_option(cmd, args.db);
  add_json_flag(cmd, args.json, "cascade.hunt/1");
  cmd->add_flag("--trace", args.trace, "Also trace the joint forward blast radius of every match");
  add_color_option(cmd, args.color);
  set_help_footer(cmd,
                  {"Where have the published hashes already been seen?",
                   "cascade hunt --db inventory.db --ioc 3cx-2023.csv"},
                  {"Malicious npm packages against the inventory, with their blast radius",
                   "cascade hunt --db inventory.db --ioc malicious-packages/osv/malicious/npm "
                   "--trace"},
                  {"0  nothing matched\n"
                   "1  at least one indicator matched\n"
                   "2  usage error, an unreadable feed, or an inventory that does not exist or "
                   "cannot be read"});
}

int run_hunt(const HuntArgs& args) {
  scan::IndicatorSet feeds;
  for (const auto& path : args.iocs) {
    if (auto loaded = feeds.load(path); !loaded) {
      std::cerr << "cascade: " << loaded.error().message << '\n';
      return kExitUsage;
    }
  }
  auto inventory = load_inventory(args.db, graph::Direction::kPropagation);
  if (!inventory) {
    std::cerr << "cascade: " << inventory.error().message << '\n';
    return kExitUsage;
  }
  hunt::HuntOptions options;
  options.trace = args.trace;
  auto result = hunt::hunt(inventory->graph, *inventory->store, feeds, options);
  if (!result) {
    std::cerr << "cascade: " << result.error().message << '\n';
    return kExitUsage;
  }
  std::ios::sync_with_stdio(false);
  if (args.json) {
    std::cout << report::hunt_json(*result).dump(2, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
              << '\n';
  } else {
    report::TraceTextOptions text;
    text.color = use_color(args.color);
    std::cout << report::hunt_text(*result, text);
  }
  return result->matches.empty() ? kExitClean : kExitFindings;
}

}  // namespace cascade::cli
