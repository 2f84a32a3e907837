#include "report/trace_graphviz.h"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "core/printable_text.h"
#include "report/dot_runner.h"

namespace cascade::report {
namespace {

using graph::AffectedNode;
using graph::EdgeKind;
using graph::NodeKind;
using graph::NodeRef;
using graph::PathHop;
using graph::TraceResult;

// gmtime_r fails for times beyond a 32-bit year; such a (hostile) time is shown as the number.
std::string format_time(std::int64_t seconds, bool date_only) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&time, &tm) == nullptr || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
    return "@" + std::to_string(seconds);
  }
  char buffer[40];
  std::strftime(buffer, sizeof buffer, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string node_text(const NodeRef& node) {
  return graph::format_node(node);
}

// ---------------------------------------------------------------------------------------------
// The explaining subgraph: every node and hop on some affected node's path, plus the seed.

struct PictureNode {
  NodeRef ref;
  std::string text;                  // format_node, the sort key
  std::size_t hops = SIZE_MAX;       // fewest hops from the seed along any path
  std::optional<std::int64_t> time;  // the affected entry's time (the seed: `since`)
  const AffectedNode* affected = nullptr;
  bool seed = false;
};

struct Subgraph {
  std::map<NodeRef, PictureNode> nodes;
  std::vector<const PathHop*> hops;  // distinct, sorted
};

using HopKey = std::tuple<std::string, std::string, int, std::optional<std::int64_t>,
                          std::optional<std::int64_t>>;

HopKey hop_key(const PathHop& hop) {
  return {node_text(hop.from), node_text(hop.to), static_cast<int>(hop.edge), hop.time, hop.until};
}

PictureNode& touch(Subgraph& subgraph, const NodeRef& ref, std::size_t hops) {
  auto [it, inserted] = subgraph.nodes.try_emplace(ref);
  if (inserted) {
    it->second.ref = ref;
    it->second.text = node_text(ref);
  }
  it->second.hops = std::min(it->second.hops, hops);
  return it->second;
}

Subgraph build_subgraph(const TraceResult& result) {
  Subgraph subgraph;
  PictureNode& seed = touch(subgraph, result.seed, 0);
  seed.seed = true;
  if (!result.root_cause) seed.time = result.since;

  std::map<HopKey, const PathHop*> distinct_hops;
  for (const AffectedNode& affected : result.affected) {
    const std::vector<const PathHop*> path = affected.path.hops();
    const std::size_t length = path.size();
    for (std::size_t i = 0; i < length; ++i) {
      const PathHop& hop = *path[i];
      // Forward paths run seed -> node, root-cause paths node -> seed; either way a hop's
      // distance from the seed is its position counted from the seed's end.
      const std::size_t from_hops = result.root_cause ? length - i : i;
      const std::size_t to_hops = result.root_cause ? length - i - 1 : i + 1;
      touch(subgraph, hop.from, from_hops);
      touch(subgraph, hop.to, to_hops);
      distinct_hops.try_emplace(hop_key(hop), &hop);
    }
    PictureNode& node =
        touch(subgraph, affected.node, affected.path.empty() ? affected.hops : length);
    if (node.affected == nullptr && !node.seed) {
      node.affected = &affected;
      node.time = affected.time;
    }
  }
  for (const auto& [key, hop] : distinct_hops) subgraph.hops.push_back(hop);
  return subgraph;
}

struct KindStyle {
  std::string_view shape;
  std::string_view fill;
};

KindStyle kind_style(NodeKind kind) {
  switch (kind) {
    case NodeKind::kArtifact:
      return {"note", "#fff4c2"};
    case NodeKind::kHost:
      return {"box", "#d6e8ff"};
    case NodeKind::kBuild:
      return {"component", "#dff5d8"};
    case NodeKind::kRelease:
      return {"folder", "#eadcf8"};
    case NodeKind::kOrg:
      return {"house", "#e8e8e8"};
    case NodeKind::kPackage:
      return {"tab", "#ffe0c2"};
  }
  return {"ellipse", "#ffffff"};
}

// "n" + the stored node id in hex: stable across runs and inventories, and only [0-9a-fn], so it
// is safe wherever Graphviz copies it (SVG comments and <title> elements included).
std::string dot_id(const NodeRef& ref) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "n%016llx",
                static_cast<unsigned long long>(graph::node_id(ref)));
  return buffer;
}

constexpr std::size_t kLabelKeyCodePoints = 40;

// Label lines (already printable; joined with DOT's "\n" by the caller).
std::vector<std::string> label_lines(const PictureNode& node, bool root_cause) {
  std::vector<std::string> lines;
  lines.emplace_back(graph::node_kind_name(node.ref.kind));
  if (node.ref.kind == NodeKind::kArtifact) {
    // The algorithm and the first hex digits (sha256:0123456789abc...).
    const std::string shown = graph::format_node(node.ref);
    const std::size_t colon = shown.find(':');
    lines.push_back(shown.substr(0, colon + 1) + printable(shown.substr(colon + 1), 13));
    if (node.affected != nullptr && !node.affected->names.empty()) {
      std::string name = printable(node.affected->names.front(), kLabelKeyCodePoints);
      if (node.affected->names.size() > 1) {
        name += " (+" + std::to_string(node.affected->names.size() - 1) + ")";
      }
      lines.push_back(std::move(name));
    }
  } else {
    lines.push_back(printable(node.ref.key, kLabelKeyCodePoints));
  }
  if (node.seed) {
    lines.emplace_back(root_cause ? "seed (known bad)" : "seed");
    if (node.time) lines.push_back("since " + format_time(*node.time, false));
  } else if (node.time) {
    lines.push_back((root_cause ? "by " : "at ") + format_time(*node.time, false));
  }
  return lines;
}

// Already escaped for DOT: the kind and dates are plain text, joined by DOT's line break.
std::string edge_label(const PathHop& hop) {
  std::string label(graph::edge_kind_name(hop.edge));
  if (hop.time || hop.until) {
    label += "\\n";
    label += hop.time ? format_time(*hop.time, true) : std::string("…");
    if (hop.until) label += " – " + format_time(*hop.until, true);
  }
  return label;
}

}  // namespace

std::string trace_dot(const graph::TraceResult& result, const GraphvizOptions& options) {
  const Subgraph subgraph = build_subgraph(result);

  // Keep the nearest nodes; the seed (0 hops) always survives, even with max_nodes = 0.
  std::vector<const PictureNode*> order;
  order.reserve(subgraph.nodes.size());
  for (const auto& [ref, node] : subgraph.nodes) order.push_back(&node);
  std::sort(order.begin(), order.end(), [](const PictureNode* a, const PictureNode* b) {
    return std::tie(a->hops, a->text) < std::tie(b->hops, b->text);
  });
  const std::size_t keep = std::min(order.size(), std::max<std::size_t>(options.max_nodes, 1));
  const std::size_t left_out = order.size() - keep;
  order.resize(keep);
  std::sort(order.begin(), order.end(),
            [](const PictureNode* a, const PictureNode* b) { return a->text < b->text; });
  std::set<NodeRef> kept;
  for (const PictureNode* node : order) kept.insert(node->ref);

  std::string out = "digraph cascade {\n";
  out += "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, label=\"";
  out += dot_escape(std::string(result.root_cause ? "root cause of " : "forward from ") +
                    printable(node_text(result.seed), 80));
  out += "\", labelloc=t];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=10, style=filled, color=\"#555555\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\"];\n";
  for (const PictureNode* node : order) {
    const KindStyle style = kind_style(node->ref.kind);
    std::string label;
    for (const std::string& line : label_lines(*node, result.root_cause)) {
      if (!label.empty()) label += "\\n";
      label += dot_escape(line);
    }
    out += "  \"" + dot_id(node->ref) + "\" [shape=" + std::string(style.shape) + ", fillcolor=\"" +
           std::string(style.fill) + "\", label=\"" + label + "\"";
    if (node->seed) out += ", color=\"#c00000\", penwidth=3, style=\"filled,bold\"";
    out += "];\n";
  }
  for (const PathHop* hop : subgraph.hops) {
    if (kept.count(hop->from) == 0 || kept.count(hop->to) == 0) continue;
    out += "  \"" + dot_id(hop->from) + "\" -> \"" + dot_id(hop->to) + "\" [label=\"" +
           edge_label(*hop) + "\"];\n";
  }
  if (left_out > 0) {
    out += "  \"omitted\" [shape=plaintext, style=\"\", label=\"" + std::to_string(left_out) +
           " more node" + (left_out == 1 ? "" : "s") + " not shown (nearest " +
           std::to_string(keep) + " kept)\"];\n";
  }
  out += "}\n";
  return out;
}

namespace {

// The <svg> element alone (no XML prolog, DOCTYPE or generator comments), checked to be one
// element with no active content: Graphviz escapes label text, and this makes sure of it.
Result<std::string> inline_svg(const std::string& svg) {
  const std::size_t start = svg.find("<svg");
  const std::size_t end = svg.rfind("</svg>");
  if (start == std::string::npos || end == std::string::npos || end < start) {
    return make_error(ErrorCode::kMalformed, "Graphviz dot did not produce an SVG picture");
  }
  std::string element = svg.substr(start, end + 6 - start);
  std::string lowered = element;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lowered.find("<svg", 1) != std::string::npos ||
      lowered.find("<script") != std::string::npos ||
      lowered.find("<foreignobject") != std::string::npos) {
    return make_error(ErrorCode::kMalformed, "Graphviz dot produced unexpected SVG content");
  }
  return element;
}

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
code { font-family: ui-monospace, monospace; word-break: break-all; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; }
ol.path { margin: 0; padding-left: 1.4em; }
.src { color: #666; font-size: .9em; }
.picture { overflow: auto; border: 1px solid #ddd; padding: .5em; }
.picture svg { max-width: 100%; height: auto; }
)";

std::string time_cell(const std::optional<std::int64_t>& time) {
  return time ? format_time(*time, false) : std::string("unbounded");
}

std::string path_cell(const AffectedNode& node) {
  if (node.path.empty()) return "";
  std::string out = "<ol class=\"path\">";
  for (const PathHop* step : node.path.hops()) {
    const PathHop& hop = *step;
    out += "<li><code>" + html(node_text(hop.from)) + "</code> &rarr; <code>" +
           html(node_text(hop.to)) + "</code> (" + html(graph::edge_kind_name(hop.edge));
    if (hop.time) out += ", " + format_time(*hop.time, false);
    if (hop.until) out += " until " + format_time(*hop.until, false);
    out += ")";
    if (!hop.source_path.empty() || !hop.source_sha256.empty()) {
      out += "<br><span class=\"src\">from " + html(hop.source_path);
      if (!hop.source_format.empty()) out += " (" + html(hop.source_format) + ")";
      if (!hop.source_sha256.empty()) out += " sha256:" + html(printable(hop.source_sha256, 13));
      out += "</span>";
    }
    if (!hop.note.empty()) out += "<br><span class=\"src\">" + html(hop.note) + "</span>";
    out += "</li>";
  }
  return out + "</ol>";
}

std::string list_cell(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += "<br>";
    out += html(item);
  }
  return out;
}

std::string kind_heading(NodeKind kind) {
  std::string name(graph::node_kind_name(kind));
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name + "s";
}

}  // namespace

Result<std::string> trace_html(const graph::TraceResult& result, const GraphvizOptions& options) {
  Result<std::string> svg = run_dot(trace_dot(result, options), options);
  if (!svg) return svg.error();
  Result<std::string> picture = inline_svg(*svg);
  if (!picture) return picture.error();

  const std::string mode = result.root_cause ? "root cause" : "forward";
  const std::string seed = html(node_text(result.seed));
  std::array<std::size_t, graph::kNodeKindCount> counts{};
  for (const AffectedNode& node : result.affected)
    ++counts[static_cast<std::size_t>(node.node.kind)];

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>cascade trace (" + mode + "): " + seed + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<h1>cascade trace (" + mode + "): <code>" + seed + "</code></h1>\n<p>";
  if (!result.root_cause && result.since)
    out += "Compromised since " + format_time(*result.since, false) + ". ";
  out += std::to_string(result.affected.size()) + (result.root_cause ? " candidate" : " affected") +
         " node" + (result.affected.size() == 1 ? "" : "s") + "; the inventory holds " +
         std::to_string(result.nodes_in_graph) + " nodes and " +
         std::to_string(result.edges_in_graph) + " edges.</p>\n";
  out += "<table class=\"counts\"><tr><th>kind</th><th>count</th></tr>";
  for (int kind = 0; kind < graph::kNodeKindCount; ++kind) {
    // Packages are a row when there are some, so answers about files alone read as before.
    if (static_cast<NodeKind>(kind) == NodeKind::kPackage && counts[kind] == 0) continue;
    out += "<tr><td>" + std::string(graph::node_kind_name(static_cast<NodeKind>(kind))) +
           "</td><td class=\"num\">" + std::to_string(counts[kind]) + "</td></tr>";
  }
  out += "</table>\n<div class=\"picture\">\n" + *picture + "\n</div>\n";

  for (int kind = 0; kind < graph::kNodeKindCount; ++kind) {
    if (counts[kind] == 0) continue;
    out += "<h2>" + kind_heading(static_cast<NodeKind>(kind)) + " (" +
           std::to_string(counts[kind]) + ")</h2>\n<table>\n<tr>";
    if (result.root_cause) out += "<th>rank</th>";
    out += std::string("<th>node</th><th>") +
           (result.root_cause ? "latest time" : "compromised at") + "</th><th>hops</th>";
    if (result.root_cause) out += "<th>signals</th>";
    out += "<th>path</th><th>names</th></tr>\n";
    for (std::size_t i = 0; i < result.affected.size(); ++i) {
      const AffectedNode& node = result.affected[i];
      if (static_cast<int>(node.node.kind) != kind) continue;
      out += "<tr>";
      if (result.root_cause) out += "<td class=\"num\">" + std::to_string(i + 1) + "</td>";
      out += "<td><code>" + html(node_text(node.node)) + "</code></td><td>" + time_cell(node.time) +
             "</td><td class=\"num\">" + std::to_string(node.hops) + "</td>";
      if (result.root_cause) out += "<td>" + list_cell(node.signals) + "</td>";
      out += "<td>" + path_cell(node) + "</td><td>" + list_cell(node.names) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  if (result.affected.empty()) out += "<p>No affected nodes.</p>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace cascade::report
