// GET /api/v1/nodes?q=TEXT and GET /api/v1/nodes/{node}: finding a node and what the inventory
// says about it. A node's edges come from the hot graph, which holds every stored edge once in
// each direction's CSR, so no request scans the edge table (it has no index, on purpose); their
// notes come by the note table's index. Its signals (scan findings) and signers (certificates of
// its signatures) are read as trace and hunt read them, whole tables filtered: those tables hold
// a row per finding or certificate, not per file, and have no index either.
#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <set>

#include "core/time.h"
#include "graph/model.h"
#include "serve/server_state.h"

namespace cascade::serve {
namespace {

constexpr std::size_t kMaxQueryBytes = 1024;
constexpr std::size_t kDefaultResults = 100;
constexpr std::size_t kMaxResults = 1000;
constexpr std::size_t kNamesShown = 20;

std::optional<std::size_t> result_limit(const httplib::Request& request) {
  if (!request.has_param("limit")) return kDefaultResults;
  const std::string text = request.get_param_value("limit");
  std::size_t limit = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (text.empty() || parsed.ec != std::errc{} || parsed.ptr != text.data() + text.size() ||
      limit == 0 || limit > kMaxResults) {
    return std::nullopt;
  }
  return limit;
}

nlohmann::json time_json(std::int64_t time, std::int64_t absent) {
  if (time == absent) return nullptr;
  return format_rfc3339(static_cast<std::time_t>(time));
}

void search_nodes(Server::State& state, const httplib::Request& request,
                  httplib::Response& response) {
  const std::string text = request.get_param_value("q");
  const auto limit = result_limit(request);
  if (text.empty() || text.size() > kMaxQueryBytes || !limit) {
    send_error(response, 400, "bad-query",
               "q is 1 to 1024 bytes of text to find; limit is 1 to 1000 (default 100)");
    return;
  }
  auto store = state.stores->borrow();
  auto rows = store->search_nodes(text, *limit);
  if (!rows) {
    send_error(response, 500, "store-failed", rows.error().message);
    return;
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (const graph::NodeRow& row : *rows) {
    // A forged row (its key not its id's) is left out of the answer rather than shown.
    if (!graph::check_node(row, *store)) continue;
    nodes.push_back({{"node", graph::format_node(graph::NodeRef{row.kind, row.key})},
                     {"kind", graph::node_kind_name(row.kind)}});
  }
  send_json(response, 200, {{"query", text}, {"nodes", std::move(nodes)}});
}

// One stored edge incident to the node, rebuilt from a CSR edge of either direction.
struct IncidentEdge {
  std::int64_t src = 0;
  std::int64_t dst = 0;
  graph::EdgeKind kind = graph::EdgeKind::kRanOn;
  std::int64_t time = graph::kNoTime;
  std::int64_t until = graph::kOpenEnd;
  std::int64_t doc = 0;
};

std::vector<IncidentEdge> incident_edges(const GraphSnapshot& graph, std::int64_t node) {
  std::vector<IncidentEdge> edges;
  for (const graph::CsrGraph* csr : {&graph.propagation, &graph.reverse}) {
    const auto index = csr->index_of(node);
    if (!index) continue;
    const bool reverse = csr->direction == graph::Direction::kReverse;
    for (std::uint64_t e = csr->offsets[*index]; e < csr->offsets[*index + 1]; ++e) {
      const graph::CsrEdge& edge = csr->edges[e];
      const std::int64_t other = csr->ids[edge.to];
      // Propagation runs from src to dst unless the kind runs against the stored direction;
      // the reverse graph runs the other way.
      const bool node_is_src = edge.reversed == reverse;
      edges.push_back(IncidentEdge{node_is_src ? node : other, node_is_src ? other : node,
                                   edge.stored_kind, edge.time, edge.until, csr->edge_docs[e]});
    }
  }
  std::sort(edges.begin(), edges.end(), [](const IncidentEdge& a, const IncidentEdge& b) {
    return std::tie(a.time, a.until, a.kind, a.src, a.dst, a.doc) <
           std::tie(b.time, b.until, b.kind, b.src, b.dst, b.doc);
  });
  return edges;
}

// The node's own signals and signers, each with the document that stated it.
struct NodeFindings {
  std::vector<graph::SignalRow> signals;
  std::vector<graph::SignerRow> signers;
};

Result<NodeFindings> findings_of(graph::GraphStore& store, std::int64_t node) {
  NodeFindings found;
  auto signals = store.all_signals();
  if (!signals) return signals.error();
  for (graph::SignalRow& row : *signals) {
    if (row.node == node) found.signals.push_back(std::move(row));
  }
  auto scanned = store.scan_signers([&](const graph::SignerRow& row) {
    if (row.node == node) found.signers.push_back(row);
  });
  if (!scanned) return scanned.error();
  std::sort(found.signals.begin(), found.signals.end(),
            [](const graph::SignalRow& a, const graph::SignalRow& b) {
              return std::tie(a.finding, a.severity, a.doc) <
                     std::tie(b.finding, b.severity, b.doc);
            });
  std::sort(found.signers.begin(), found.signers.end(),
            [](const graph::SignerRow& a, const graph::SignerRow& b) {
              return std::tie(a.role, a.certificate, a.doc) <
                     std::tie(b.role, b.certificate, b.doc);
            });
  return found;
}

void get_node(Server::State& state, const httplib::Request& request, httplib::Response& response) {
  const auto limit = result_limit(request);
  auto seed = graph::parse_node(request.matches[1].str());
  if (!seed || !limit) {
    send_error(response, 400, "bad-node",
               seed ? "limit is 1 to 1000 (default 100)" : seed.error().message);
    return;
  }
  const std::int64_t id = graph::node_id(*seed);
  const std::shared_ptr<const GraphSnapshot> graph = state.graph->current();
  std::vector<IncidentEdge> edges = incident_edges(*graph, id);
  const std::size_t total = edges.size();
  if (edges.size() > *limit) edges.resize(*limit);

  std::set<std::int64_t> node_ids = {id};
  std::set<std::int64_t> doc_ids;
  for (const IncidentEdge& edge : edges) {
    node_ids.insert(edge.src);
    node_ids.insert(edge.dst);
    doc_ids.insert(edge.doc);
  }
  auto store = state.stores->borrow();
  auto snapshot = graph::StoreSnapshot::take(*store);
  const std::vector<std::int64_t> wanted(node_ids.begin(), node_ids.end());
  auto rows = snapshot ? store->find_checked_nodes(wanted)
                       : Result<std::vector<graph::NodeRow>>(snapshot.error());
  if (!rows) {
    send_error(response, 500, "store-failed", rows.error().message);
    return;
  }
  std::map<std::int64_t, std::string> keys;
  for (const graph::NodeRow& row : *rows) {
    keys[row.id] = graph::format_node(graph::NodeRef{row.kind, row.key});
  }
  if (!keys.contains(id)) {
    send_error(response, 404, "unknown-node", "the node is not in the inventory");
    return;
  }
  auto names = store->node_names(id, kNamesShown);
  auto findings = names ? findings_of(*store, id) : Result<NodeFindings>(names.error());
  if (!findings) {
    send_error(response, 500, "store-failed", findings.error().message);
    return;
  }
  for (const graph::SignalRow& row : findings->signals) doc_ids.insert(row.doc);
  for (const graph::SignerRow& row : findings->signers) doc_ids.insert(row.doc);
  nlohmann::json documents = nlohmann::json::object();
  std::map<std::int64_t, std::string> doc_digests;
  for (const std::int64_t doc : doc_ids) {
    auto row = store->find_checked_document(doc);
    if (!row) {
      send_error(response, 500, "store-failed", row.error().message);
      return;
    }
    if (!*row) continue;
    doc_digests[doc] = (*row)->sha256;
    documents[(*row)->sha256] = {
        {"format", (*row)->format},
        {"path", (*row)->path},
        {"ingested_at", format_rfc3339(static_cast<std::time_t>((*row)->ingested_at))}};
  }
  const auto document_of = [&](std::int64_t doc) {
    return doc_digests.contains(doc) ? nlohmann::json(doc_digests[doc]) : nlohmann::json();
  };
  nlohmann::json edge_list = nlohmann::json::array();
  for (const IncidentEdge& edge : edges) {
    if (!keys.contains(edge.src) || !keys.contains(edge.dst)) continue;
    graph::EdgeRow row;
    row.src = edge.src;
    row.dst = edge.dst;
    row.kind = edge.kind;
    row.doc = edge.doc;
    auto note = store->edge_note(row);
    if (!note) {
      send_error(response, 500, "store-failed", note.error().message);
      return;
    }
    edge_list.push_back({{"from", keys[edge.src]},
                         {"kind", graph::edge_kind_name(edge.kind)},
                         {"to", keys[edge.dst]},
                         {"time", time_json(edge.time, graph::kNoTime)},
                         {"until", time_json(edge.until, graph::kOpenEnd)},
                         {"note", note->empty() ? nlohmann::json() : nlohmann::json(*note)},
                         {"document", document_of(edge.doc)}});
  }
  nlohmann::json signals = nlohmann::json::array();
  for (const graph::SignalRow& row : findings->signals) {
    signals.push_back(
        {{"finding", row.finding}, {"severity", row.severity}, {"document", document_of(row.doc)}});
  }
  nlohmann::json signers = nlohmann::json::array();
  for (const graph::SignerRow& row : findings->signers) {
    signers.push_back({{"role", graph::certificate_role_name(row.role)},
                       {"subject", row.certificate.subject},
                       {"issuer", row.certificate.issuer},
                       {"serial", row.certificate.serial},
                       {"sha256", row.certificate.sha256},
                       {"sha1", row.certificate.sha1},
                       {"document", document_of(row.doc)}});
  }
  send_json(response, 200,
            {{"node", keys[id]},
             {"kind", graph::node_kind_name(seed->kind)},
             {"names", *names},
             {"edges", std::move(edge_list)},
             {"edges_total", total},
             {"signals", std::move(signals)},
             {"signers", std::move(signers)},
             {"documents", std::move(documents)}});
}

}  // namespace

void register_node_handlers(Server::State& state) {
  Server::State* raw = &state;
  state.http->Get("/api/v1/nodes",
                  [raw](const httplib::Request& request, httplib::Response& response) {
                    search_nodes(*raw, request, response);
                  });
  state.http->Get(R"(/api/v1/nodes/(.+))",
                  [raw](const httplib::Request& request, httplib::Response& response) {
                    get_node(*raw, request, response);
                  });
}

}  // namespace cascade::serve
