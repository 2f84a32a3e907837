// `cascade trust list`: the anchor sets a command would judge signatures with.
// `cascade trust update AUTHROOT.stl ROOTS.pem`: refresh the Microsoft root program offline.
#include <iostream>
#include <nlohmann/json.hpp>

#include "authenticode/root_program_store.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "inspect/format_json.h"
#include "report/text_out.h"

namespace cascade::cli {

namespace {

constexpr const char* kTrustSchema = "cascade.trust/1";

int list(const TrustCommandArgs& args) {
  auto store = make_trust_store(args.trust);
  if (!store) {
    std::cerr << "cascade: " << store.error().message << '\n';
    return kExitUsage;
  }
  const auto sets = store->summary();
  if (args.json) {
    nlohmann::json out = {{"schema", kTrustSchema}, {"sets", nlohmann::json::array()}};
    for (const auto& s : sets) {
      nlohmann::json set = {{"name", authenticode::anchor_set_name(s.set)},
                            {"source", s.source},
                            {"anchors", s.anchors}};
      if (s.set == authenticode::AnchorSet::kMicrosoftRootProgram) {
        set["list"] = {{"sequence_number", s.list_sequence},
                       {"this_update", s.list_date},
                       {"signer", s.list_signer},
                       {"listed", s.listed},
                       {"code_signing", s.code_signing},
                       {"timestamping", s.timestamping}};
      }
      nlohmann::json certificates = nlohmann::json::array();
      for (const auto& c : s.certificates) certificates.push_back(json_detail::certificate_json(c));
      set["certificates"] = std::move(certificates);
      out["sets"].push_back(std::move(set));
    }
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return kExitClean;
  }
  TextOut text(std::cout);  // subjects and signers of certificates anyone can make
  for (const auto& s : sets) {
    text << authenticode::anchor_set_name(s.set) << ": " << s.anchors << " anchors (" << s.source
         << ")\n";
    if (s.set == authenticode::AnchorSet::kMicrosoftRootProgram) {
      text << "  list " << s.list_sequence << " of " << s.list_date << ", signed by "
           << s.list_signer << "\n  " << s.listed << " roots listed, " << s.anchors
           << " supplied: " << s.code_signing << " may anchor code signing, " << s.timestamping
           << " timestamping\n";
    }
    const std::size_t shown =
        args.verbose ? s.certificates.size() : std::min<std::size_t>(s.certificates.size(), 6);
    for (std::size_t i = 0; i < shown; ++i) {
      text << "    " << s.certificates[i].subject << "  sha256 "
           << s.certificates[i].sha256.substr(0, 16) << "...\n";
    }
    if (shown < s.certificates.size()) {
      text << "    ... " << s.certificates.size() - shown << " more (-v lists them)\n";
    }
  }
  return kExitClean;
}

int update(const TrustCommandArgs& args) {
  const std::string dir = trust_store_dir(args.trust.store);
  if (dir.empty()) {
    std::cerr << "cascade: no folder for the store: give --trust-store DIR\n";
    return kExitUsage;
  }
  auto result =
      authenticode::update_root_program_store(args.stl, args.roots, dir, args.allow_older);
  if (!result) {
    std::cerr << "cascade: " << result.error().message << '\n';
    return kExitUsage;
  }
  std::cout << "installed Microsoft root list " << result->sequence_number << " of "
            << authenticode::format_time(result->this_update) << " in " << dir << "\n  signed by "
            << result->signer << "\n  " << result->listed << " roots listed, " << result->installed
            << " supplied by " << args.roots << "\n  replaces the list of "
            << (result->replaced_this_update != 0
                    ? authenticode::format_time(result->replaced_this_update)
                    : std::string("(none loadable)"))
            << '\n';
  return kExitClean;
}

}  // namespace

void add_trust_command(CLI::App& app, TrustCommandArgs& args) {
  CLI::App* cmd = app.add_subcommand("trust", "Show or refresh the trust stores");
  cmd->require_subcommand(1);
  CLI::App* ls = cmd->add_subcommand("list", "Show the anchor sets signatures are judged by");
  add_json_flag(ls, args.json, "cascade.trust/1");
  ls->add_flag("-v,--verbose", args.verbose, "List every anchor");
  add_trust_options(ls, args.trust);
  CLI::App* up = cmd->add_subcommand(
      "update", "Install a newer Microsoft root list (authroot.stl) and its roots, offline");
  up->add_option("authroot", args.stl, "authroot.stl (Microsoft's signed root list)")
      ->required()
      ->check(CLI::ExistingFile);
  up->add_option("roots", args.roots, "PEM file of the roots it names")
      ->required()
      ->check(CLI::ExistingFile);
  up->add_option("--trust-store", args.trust.store,
                 "Folder to install into (default: $CASCADE_TRUST_STORE, else "
                 "$XDG_DATA_HOME/cascade/trust)");
  up->add_flag("--allow-older", args.allow_older, "Install a list older than the one in use");
  set_help_footer(cmd, {"Show the anchor sets and how many roots each holds", "cascade trust list"},
                  {"Name every set and its source, including a vendor's extra root",
                   "cascade trust list --json --trust vendor-root.pem | jq -c '.sets[] | [.name, "
                   ".source]'"},
                  {"0  the sets were listed, or the store updated\n"
                   "2  usage error, or a list or root file that does not verify or load"});
}

int run_trust(const CLI::App& app, const TrustCommandArgs& args) {
  if (app.got_subcommand("update")) return update(args);
  return list(args);
}

}  // namespace cascade::cli
