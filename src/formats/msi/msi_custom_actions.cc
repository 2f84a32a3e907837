// Custom actions: the code an installer runs (a DLL or EXE from the Binary table, a script, a
// command line), and where the sequence tables schedule it.
#include <algorithm>
#include <map>

#include "formats/msi/msi_internal.h"

namespace cascade::msi {

namespace {

// A package with more custom actions than this is not a real installer; the rest are counted
// as an anomaly rather than read.
constexpr std::size_t kMaxCustomActions = 10000;
constexpr std::size_t kMaxSequenceRows = 100000;

constexpr const char* kSequenceTables[] = {"InstallExecuteSequence", "InstallUISequence",
                                           "AdminExecuteSequence", "AdminUISequence",
                                           "AdvtExecuteSequence"};

}  // namespace

void read_custom_actions(const Database& db, MsiPackage& p) {
  auto table = db.table("CustomAction", p.anomalies);
  if (!table) return;
  const auto action = table->column("Action");
  const auto type = table->column("Type");
  const auto source = table->column("Source");
  const auto target = table->column("Target");
  if (!action || !type) {
    p.anomalies.push_back("CustomAction table lacks its Action/Type columns");
    return;
  }
  if (table->rows() > kMaxCustomActions) {
    p.anomalies.push_back("CustomAction table has " + std::to_string(table->rows()) +
                          " rows; the first " + std::to_string(kMaxCustomActions) + " were read");
  }
  std::map<std::string, MsiCustomAction> by_name;
  for (std::size_t r = 0; r < std::min(table->rows(), kMaxCustomActions); ++r) {
    auto name = table->text(r, *action);
    if (!name) continue;
    MsiCustomAction row{.action = *name, .type = table->integer(r, *type).value_or(0)};
    if (source) row.source = table->text(r, *source).value_or("");
    if (target) row.target = table->text(r, *target).value_or("");
    if (!by_name.emplace(*name, std::move(row)).second) {
      p.anomalies.push_back("CustomAction " + *name + " is listed twice");
    }
  }
  for (const char* sequence_table : kSequenceTables) {
    auto sequence = db.table(sequence_table, p.anomalies);
    if (!sequence) continue;
    const auto name = sequence->column("Action");
    const auto condition = sequence->column("Condition");
    const auto number = sequence->column("Sequence");
    if (!name) continue;
    for (std::size_t r = 0; r < std::min(sequence->rows(), kMaxSequenceRows); ++r) {
      auto action_name = sequence->text(r, *name);
      if (!action_name) continue;
      auto it = by_name.find(*action_name);
      if (it == by_name.end()) continue;  // a standard action
      it->second.scheduled.push_back({sequence_table,
                                      number ? sequence->integer(r, *number) : std::nullopt,
                                      condition ? sequence->text(r, *condition).value_or("") : ""});
    }
  }
  for (auto& [name, row] : by_name) {
    std::sort(row.scheduled.begin(), row.scheduled.end(),
              [](const MsiSequenceStep& a, const MsiSequenceStep& b) {
                return a.table != b.table ? a.table < b.table : a.sequence < b.sequence;
              });
    p.custom_actions.push_back(std::move(row));
  }
}

}  // namespace cascade::msi
