#include "report/trace_read.h"

#include "core/json_access.h"
#include "core/time.h"

namespace cascade::report {
namespace {

using json_access::array_field;
using json_access::field;
using json_access::object_field;
using json_access::string_field;
using json_access::unsigned_field;

Error malformed(std::string_view what) {
  return make_error(ErrorCode::kMalformed, "not a cascade.trace/1 document: " + std::string(what) +
                                               " is missing or wrong");
}

Result<graph::NodeRef> node_at(const nlohmann::json& object, std::string_view key) {
  const std::string* text = string_field(object, key);
  if (text == nullptr) return malformed(key);
  return graph::parse_node(*text);
}

// A time is RFC 3339 or null (unbounded).
Result<std::optional<std::int64_t>> time_at(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* value = field(object, key);
  if (value == nullptr) return malformed(key);
  if (value->is_null()) return std::optional<std::int64_t>();
  if (!value->is_string()) return malformed(key);
  const auto parsed = parse_rfc3339(value->get_ref<const std::string&>());
  if (!parsed) return malformed(key);
  return std::optional<std::int64_t>(static_cast<std::int64_t>(*parsed));
}

Result<std::vector<std::string>> strings_at(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* array = array_field(object, key);
  if (array == nullptr) return malformed(key);
  std::vector<std::string> out;
  for (const nlohmann::json& item : *array) {
    if (!item.is_string()) return malformed(key);
    out.push_back(item.get<std::string>());
  }
  return out;
}

// An optional list of node keys (same_as, seed_same_as).
Result<std::vector<graph::NodeRef>> nodes_at(const nlohmann::json& object, std::string_view key) {
  if (field(object, key) == nullptr) return std::vector<graph::NodeRef>();
  auto texts = strings_at(object, key);
  if (!texts) return texts.error();
  std::vector<graph::NodeRef> out;
  for (const std::string& text : *texts) {
    auto node = graph::parse_node(text);
    if (!node) return node.error();
    out.push_back(std::move(node).value());
  }
  return out;
}

Result<graph::PathHop> hop_from(const nlohmann::json& hop) {
  graph::PathHop out;
  auto from = node_at(hop, "from");
  auto to = node_at(hop, "to");
  if (!from) return from.error();
  if (!to) return to.error();
  out.from = std::move(from).value();
  out.to = std::move(to).value();
  const std::string* edge = string_field(hop, "edge");
  const auto kind = edge == nullptr ? std::nullopt : graph::edge_kind_from_name(*edge);
  if (!kind) return malformed("a hop's edge");
  out.edge = *kind;
  auto time = time_at(hop, "time");
  auto until = time_at(hop, "until");
  if (!time) return time.error();
  if (!until) return until.error();
  out.time = *time;
  out.until = *until;
  const nlohmann::json* source = object_field(hop, "source");
  if (source == nullptr) return malformed("a hop's source");
  const std::string* path = string_field(*source, "path");
  const std::string* sha256 = string_field(*source, "sha256");
  const std::string* format = string_field(*source, "format");
  if (path == nullptr || sha256 == nullptr || format == nullptr) return malformed("a hop's source");
  out.source_path = *path;
  out.source_sha256 = *sha256;
  out.source_format = *format;
  if (field(hop, "note") != nullptr) {
    const std::string* note = string_field(hop, "note");
    if (note == nullptr) return malformed("a hop's note");
    out.note = *note;
  }
  return out;
}

Result<graph::AffectedNode> affected_from(const nlohmann::json& entry) {
  graph::AffectedNode out;
  auto node = node_at(entry, "node");
  if (!node) return node.error();
  out.node = std::move(node).value();
  auto time = time_at(entry, "time");
  if (!time) return time.error();
  out.time = *time;
  const auto hops = unsigned_field(entry, "hops");
  if (!hops) return malformed("an affected node's hops");
  out.hops = *hops;
  const nlohmann::json* path = array_field(entry, "path");
  if (path == nullptr) return malformed("an affected node's path");
  std::vector<graph::PathHop> path_hops;
  for (const nlohmann::json& hop : *path) {
    auto read = hop_from(hop);
    if (!read) return read.error();
    path_hops.push_back(std::move(read).value());
  }
  out.path = graph::Path(path_hops);
  auto names = strings_at(entry, "names");
  auto signals = strings_at(entry, "signals");
  auto same_as = nodes_at(entry, "same_as");
  if (!names) return names.error();
  if (!signals) return signals.error();
  if (!same_as) return same_as.error();
  out.names = std::move(names).value();
  out.signals = std::move(signals).value();
  out.same_as = std::move(same_as).value();
  return out;
}

}  // namespace

Result<graph::TraceResult> trace_from_json(const nlohmann::json& document) {
  const std::string* schema = string_field(document, "schema");
  if (schema == nullptr || *schema != "cascade.trace/1") return malformed("schema");
  graph::TraceResult result;
  const std::string* mode = string_field(document, "mode");
  if (mode == nullptr || (*mode != "forward" && *mode != "root-cause")) return malformed("mode");
  result.root_cause = *mode == "root-cause";
  auto seed = node_at(document, "seed");
  if (!seed) return seed.error();
  result.seed = std::move(seed).value();
  auto since = time_at(document, "since");
  if (!since) return since.error();
  result.since = *since;
  auto seed_same_as = nodes_at(document, "seed_same_as");
  if (!seed_same_as) return seed_same_as.error();
  result.seed_same_as = std::move(seed_same_as).value();
  const nlohmann::json* graph = object_field(document, "graph");
  const auto nodes = graph == nullptr ? std::nullopt : unsigned_field(*graph, "nodes");
  const auto edges = graph == nullptr ? std::nullopt : unsigned_field(*graph, "edges");
  if (!nodes || !edges) return malformed("graph");
  result.nodes_in_graph = *nodes;
  result.edges_in_graph = *edges;
  const nlohmann::json* affected = array_field(document, "affected");
  if (affected == nullptr) return malformed("affected");
  result.affected.reserve(affected->size());
  for (const nlohmann::json& entry : *affected) {
    auto node = affected_from(entry);
    if (!node) return node.error();
    result.affected.push_back(std::move(node).value());
  }
  // The answer names its seed as known only when the seed is stored; the server answers
  // 404 otherwise, so an answer that came back is about a stored seed.
  result.seed_known = true;
  return result;
}

}  // namespace cascade::report
