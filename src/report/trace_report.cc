#include "report/trace_report.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "core/time.h"
#include "report/text_out.h"

namespace cascade::report {
namespace {

using graph::AffectedNode;
using graph::NodeKind;

nlohmann::json time_json(const std::optional<std::int64_t>& time) {
  if (!time) return nullptr;
  return format_rfc3339(static_cast<std::time_t>(*time));
}

std::string time_text(const std::optional<std::int64_t>& time, bool root_cause) {
  if (time) return format_rfc3339(static_cast<std::time_t>(*time));
  return root_cause ? "any time" : "from the start";
}

nlohmann::json hop_json(const graph::PathHop& hop) {
  nlohmann::json out = {
      {"from", graph::format_node(hop.from)},
      {"to", graph::format_node(hop.to)},
      {"edge", std::string(graph::edge_kind_name(hop.edge))},
      {"time", time_json(hop.time)},
      {"until", time_json(hop.until)},
      {"source",
       {{"path", hop.source_path}, {"sha256", hop.source_sha256}, {"format", hop.source_format}}},
  };
  if (!hop.note.empty()) out["note"] = hop.note;
  return out;
}

// Kinds in the order the text groups them.
constexpr std::array<NodeKind, graph::kNodeKindCount> kKindOrder = {
    NodeKind::kHost,    NodeKind::kBuild,   NodeKind::kArtifact,
    NodeKind::kPackage, NodeKind::kRelease, NodeKind::kOrg};

nlohmann::json nodes_json(const std::vector<graph::NodeRef>& nodes) {
  nlohmann::json out = nlohmann::json::array();
  for (const graph::NodeRef& node : nodes) out.push_back(graph::format_node(node));
  return out;
}

// A node as the text names it: weak digests say so, as they join nothing.
std::string node_text(const graph::NodeRef& node) {
  std::string text = graph::format_node(node);
  if (graph::is_weak_digest(node)) text += " (weak digest)";
  return text;
}

// "  = same as sha512:..., pkg:npm/ms@2.0.0": the other identities listed with a node.
std::string same_as_text(const std::vector<graph::NodeRef>& nodes) {
  std::string text = "= same as ";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) text += ", ";
    text += node_text(nodes[i]);
  }
  return text;
}

std::string plural(NodeKind kind, std::size_t count) {
  std::string name(graph::node_kind_name(kind));
  if (count != 1) name += "s";
  return name;
}

// Whether a compromise crosses this kind of fact against the direction the fact is stated in:
// a release contains an artifact, yet the compromise goes from the artifact to the release.
bool crossed_backwards(graph::EdgeKind kind) {
  using graph::EdgeKind;
  return kind == EdgeKind::kContains || kind == EdgeKind::kDependsOn ||
         kind == EdgeKind::kConsumed || kind == EdgeKind::kBuiltOn;
}

// A hop as one readable clause, its arrow pointing the way the fact reads:
// "--ran-on T--> host:dev-pc [scan: path]", "<--depends-on-- pkg:npm/app@1.0 [cyclonedx: path]"
// (the app depends on the package the compromise came from).
std::string hop_text(const graph::PathHop& hop) {
  const bool backwards = crossed_backwards(hop.edge);
  std::string text = (backwards ? "<--" : "--") + std::string(graph::edge_kind_name(hop.edge));
  if (hop.time) text += " " + format_rfc3339(static_cast<std::time_t>(*hop.time));
  if (hop.until) text += " until " + format_rfc3339(static_cast<std::time_t>(*hop.until));
  if (!hop.note.empty()) text += " via " + hop.note;
  text += (backwards ? "-- " : "--> ") + graph::format_node(hop.to) + "  [" + hop.source_format +
          ": " + hop.source_path + "]";
  return text;
}

}  // namespace

nlohmann::json trace_affected_json(const AffectedNode& node) {
  nlohmann::json path = nlohmann::json::array();
  for (const graph::PathHop* hop : node.path.hops()) path.push_back(hop_json(*hop));
  nlohmann::json entry = {{"node", graph::format_node(node.node)},
                          {"kind", std::string(graph::node_kind_name(node.node.kind))},
                          {"time", time_json(node.time)},
                          {"hops", node.hops},
                          {"path", std::move(path)},
                          {"names", node.names},
                          {"signals", node.signals},
                          {"score", node.signals.size()}};
  if (!node.same_as.empty()) entry["same_as"] = nodes_json(node.same_as);
  return entry;
}

nlohmann::json trace_head_json(const graph::TraceResult& result) {
  std::array<std::size_t, graph::kNodeKindCount> by_kind{};
  for (const AffectedNode& node : result.affected) {
    ++by_kind[static_cast<std::size_t>(node.node.kind)];
  }
  nlohmann::json summary = nlohmann::json::object();
  for (const NodeKind kind : kKindOrder) {
    summary[std::string(graph::node_kind_name(kind))] = by_kind[static_cast<std::size_t>(kind)];
  }
  nlohmann::json out = {
      {"schema", "cascade.trace/1"},
      {"mode", result.root_cause ? "root-cause" : "forward"},
      {"seed", graph::format_node(result.seed)},
      {"since", time_json(result.since)},
      {"summary", std::move(summary)},
      {"graph", {{"nodes", result.nodes_in_graph}, {"edges", result.edges_in_graph}}}};
  if (!result.seed_same_as.empty()) out["seed_same_as"] = nodes_json(result.seed_same_as);
  return out;
}

nlohmann::json trace_json(const graph::TraceResult& result) {
  nlohmann::json out = trace_head_json(result);
  nlohmann::json affected = nlohmann::json::array();
  for (const AffectedNode& node : result.affected) affected.push_back(trace_affected_json(node));
  out["affected"] = std::move(affected);
  return out;
}

std::string trace_text(const graph::TraceResult& result, const TraceTextOptions& options) {
  const bool color = options.color;
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::ostringstream text;
  TextOut out(text);  // names and keys from ingested documents are made printable
  if (result.root_cause) {
    out << bold << "Root cause of " << graph::format_node(result.seed) << reset << ": "
        << result.affected.size() << " upstream node" << (result.affected.size() == 1 ? "" : "s")
        << " can explain it (graph: " << result.nodes_in_graph << " nodes, "
        << result.edges_in_graph << " edges)\n";
    if (!result.seed_same_as.empty()) out << "  " << same_as_text(result.seed_same_as) << '\n';
    out << "Ranked by known-bad signals on the path, then by distance.\n";
    std::size_t rank = 0;
    for (const AffectedNode& node : result.affected) {
      if (++rank > options.candidates) {
        out << "\n... " << result.affected.size() - options.candidates
            << " more candidates (--top N or --all lists them; --json has every one)\n";
        break;
      }
      out << '\n'
          << rank << ". " << bold << node_text(node.node) << reset << "  signals "
          << (node.signals.empty() ? "" : red) << node.signals.size() << reset << ", " << node.hops
          << " hop" << (node.hops == 1 ? "" : "s") << ", compromised by "
          << time_text(node.time, true) << '\n';
      if (!node.same_as.empty()) out << "   " << same_as_text(node.same_as) << '\n';
      if (!node.names.empty()) out << "   seen as " << node.names.front() << '\n';
      for (const std::string& signal : node.signals) out << "   ! " << signal << '\n';
      out << "   " << graph::format_node(node.node) << '\n';
      for (const graph::PathHop* hop : node.path.hops()) out << "     " << hop_text(*hop) << '\n';
    }
    return text.str();
  }

  const std::string seed_text = result.seed_count > 1
                                    ? std::to_string(result.seed_count) + " nodes (" +
                                          graph::format_node(result.seed) + " and " +
                                          std::to_string(result.seed_count - 1) + " more)"
                                    : graph::format_node(result.seed);
  out << bold << "Compromise of " << seed_text << reset
      << (result.since ? " from " + format_rfc3339(static_cast<std::time_t>(*result.since))
                       : std::string(" (no start time given)"))
      << ": " << result.affected.size() << " affected node"
      << (result.affected.size() == 1 ? "" : "s") << " (graph: " << result.nodes_in_graph
      << " nodes, " << result.edges_in_graph << " edges)\n";
  if (!result.seed_same_as.empty()) out << "  " << same_as_text(result.seed_same_as) << '\n';
  std::array<std::vector<const AffectedNode*>, graph::kNodeKindCount> groups;
  for (const AffectedNode& node : result.affected) {
    groups[static_cast<std::size_t>(node.node.kind)].push_back(&node);
  }
  if (!result.affected.empty()) {
    // The summary first: on a large inventory the lists below run long.
    const char* separator = "  ";
    for (const NodeKind kind : kKindOrder) {
      const std::size_t count = groups[static_cast<std::size_t>(kind)].size();
      if (count == 0) continue;
      out << separator << count << ' ' << plural(kind, count);
      separator = ", ";
    }
    out << '\n';
    // Affected nodes come earliest first; a node without a time is affected from the start.
    out << "  earliest compromise " << time_text(result.affected.front().time, false) << ", latest "
        << time_text(result.affected.back().time, false) << '\n';
  }
  for (const NodeKind kind : kKindOrder) {
    const auto& group = groups[static_cast<std::size_t>(kind)];
    if (group.empty()) continue;
    out << '\n' << bold << group.size() << ' ' << plural(kind, group.size()) << reset << '\n';
    const std::size_t shown = std::min(group.size(), options.nodes_per_kind);
    for (std::size_t i = 0; i < shown; ++i) {
      const AffectedNode* node = group[i];
      out << "  " << red << node_text(node->node) << reset << "  since "
          << time_text(node->time, false);
      if (!node->names.empty()) out << "  (" << node->names.front() << ")";
      out << '\n';
      if (!node->same_as.empty()) out << "      " << same_as_text(node->same_as) << '\n';
      // The last hop names the node it came from, which is listed with its own last hop: the
      // whole chain is in the text without repeating every prefix (--json has full paths).
      if (!node->path.empty()) {
        const graph::PathHop& hop = node->path.back();
        out << "      <- " << graph::format_node(hop.from) << ' ' << hop_text(hop) << '\n';
      }
    }
    if (group.size() > shown) {
      out << "  ... " << group.size() - shown << " more " << plural(kind, group.size() - shown)
          << " (--top N or --all lists them; --json has every one)\n";
    }
  }
  return text.str();
}

}  // namespace cascade::report
