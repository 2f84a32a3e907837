#include "report/store_check_report.h"

#include "core/printable_text.h"

namespace cascade::report {
namespace {

using graph::StoreProblemKind;

std::string counted(std::uint64_t count, std::string_view noun) {
  std::string text = std::to_string(count) + " " + std::string(noun);
  if (count != 1) text += "s";
  return text;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

}  // namespace

std::string store_check_text(const graph::StoreCheckReport& report) {
  // Every string from the store is shown printable: a forged key may hold escape sequences or
  // line breaks meant to forge lines of this very report.
  std::string text = printable(report.store) + ": ";
  text += report.clean() ? "clean" : counted(report.total_found(), "problem") + " found";
  text += " (" + counted(report.nodes, "node") + ", " + counted(report.edges, "edge") + ", " +
          counted(report.documents, "document") + ", " + counted(report.signals, "signal") + ", " +
          counted(report.signers, "signer") + " checked; engine: " + joined(report.engine_checks) +
          ")\n";
  for (const graph::StoreProblem& problem : report.problems) {
    text += std::string(graph::store_problem_name(problem.kind)) + ": " +
            printable(problem.subject) + ": " + printable(problem.detail) + "\n";
  }
  for (std::size_t k = 0; k < graph::kStoreProblemKindCount; ++k) {
    const auto kind = static_cast<StoreProblemKind>(k);
    if (report.found[k] > graph::kMaxListedProblems) {
      text += std::string(graph::store_problem_name(kind)) + ": " +
              std::to_string(report.found[k] - graph::kMaxListedProblems) +
              " more not listed (the first " + std::to_string(graph::kMaxListedProblems) +
              " are)\n";
    }
  }
  if (report.engine_truncated) {
    text += "engine: more problems than the " + std::to_string(graph::kMaxListedProblems) +
            " listed; the engine's own check stopped there\n";
  }
  return text;
}

nlohmann::json store_check_json(const graph::StoreCheckReport& report) {
  nlohmann::json found = nlohmann::json::object();
  for (std::size_t k = 0; k < graph::kStoreProblemKindCount; ++k) {
    found[std::string(graph::store_problem_name(static_cast<StoreProblemKind>(k)))] =
        report.found[k];
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const graph::StoreProblem& problem : report.problems) {
    problems.push_back({{"kind", std::string(graph::store_problem_name(problem.kind))},
                        {"subject", problem.subject},
                        {"detail", problem.detail}});
  }
  return {{"schema", "cascade.graph-check/1"},
          {"db", report.store},
          {"clean", report.clean()},
          {"engine_checks", report.engine_checks},
          {"engine_truncated", report.engine_truncated},
          {"checked",
           {{"nodes", report.nodes},
            {"edges", report.edges},
            {"documents", report.documents},
            {"signals", report.signals},
            {"signers", report.signers}}},
          {"found", std::move(found)},
          {"listed_per_kind", graph::kMaxListedProblems},
          {"problems", std::move(problems)}};
}

}  // namespace cascade::report
