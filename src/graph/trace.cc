// Turns a search's dense labels into an answer people can check: node keys, names, each
// affected node's explaining path with the document behind every hop, and (root cause) the
// known-bad signals on it.
#include "graph/trace.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace cascade::graph {
namespace {

std::optional<std::int64_t> present(std::int64_t time) {
  if (time == kNoTime || time == kOpenEnd) return std::nullopt;
  return time;
}

class Materializer {
 public:
  Materializer(const CsrGraph& graph, GraphStore& store, const SearchState& state)
      : graph_(graph), store_(store), state_(state) {}

  // Fetches the keys of every reached node in one batch, each checked against its id (a forged
  // row is an error, never part of the answer). From here on, while this object lives, the
  // store's rows come from one committed state (the caller's, when it holds a snapshot over the
  // load too), looked up without a lock round trip each.
  Status load_keys() {
    auto snapshot = StoreSnapshot::take(store_);
    if (!snapshot) return snapshot.error();
    snapshot_.emplace(std::move(*snapshot));
    std::vector<std::int64_t> ids;
    ids.reserve(state_.reached.size());
    for (const std::uint32_t node : state_.reached) ids.push_back(graph_.ids[node]);
    auto rows = store_.find_checked_nodes(ids);
    if (!rows) return rows.error();
    for (NodeRow& row : *rows) keys_.emplace(row.id, NodeRef{row.kind, std::move(row.key)});
    return ok_status();
  }

  Result<NodeRef> node(std::uint32_t index) const {
    const auto found = keys_.find(graph_.ids[index]);
    if (found == keys_.end()) {
      return make_error(ErrorCode::kMalformed, "node " + std::to_string(graph_.ids[index]) +
                                                   " has edges but no row in " + store_.describe());
    }
    return found->second;
  }

  // The hop that settled `node` (from its parent), oriented the way compromise travelled.
  Result<PathHop> hop_into(std::uint32_t node, bool root_cause) {
    const std::uint32_t parent = state_.parent(node);
    const CsrEdge& edge = graph_.edges[state_.parent_edge[node]];
    const std::int64_t doc = graph_.edge_docs[state_.parent_edge[node]];
    // Forward: the edge runs parent -> node. Root cause: the reverse edge runs parent -> node,
    // so compromise travelled node -> parent.
    const std::uint32_t from = root_cause ? node : parent;
    const std::uint32_t to = root_cause ? parent : node;
    auto from_ref = this->node(from);
    if (!from_ref) return from_ref.error();
    auto to_ref = this->node(to);
    if (!to_ref) return to_ref.error();
    PathHop hop;
    hop.from = std::move(*from_ref);
    hop.to = std::move(*to_ref);
    hop.edge = edge.stored_kind;
    hop.time = present(edge.time);
    hop.until = present(edge.until);
    auto source = document(doc);
    if (!source) return source.error();
    hop.source_path = source->path;
    hop.source_sha256 = source->sha256;
    hop.source_format = source->format;
    if (edge.stored_kind == EdgeKind::kAccess) {
      // Notes exist only on access facts; the stored direction equals the propagation one.
      EdgeRow row;
      row.src = graph_.ids[from];
      row.dst = graph_.ids[to];
      row.kind = edge.stored_kind;
      row.doc = doc;
      auto note = store_.edge_note(row);
      if (!note) return note.error();
      hop.note = std::move(*note);
    }
    return hop;
  }

 private:
  Result<DocRow> document(std::int64_t id) {
    const auto cached = documents_.find(id);
    if (cached != documents_.end()) return cached->second;
    auto row = store_.find_checked_document(id);
    if (!row) return row.error();
    DocRow doc =
        row->value_or(DocRow{id, "", "", "(document " + std::to_string(id) + " missing)", 0});
    documents_.emplace(id, doc);
    return doc;
  }

  const CsrGraph& graph_;
  GraphStore& store_;
  const SearchState& state_;
  std::optional<StoreSnapshot> snapshot_;
  std::unordered_map<std::int64_t, NodeRef> keys_;
  std::unordered_map<std::int64_t, DocRow> documents_;
};

// Where each reached node sits in the answer's list, by dense index. A flat array: a large
// answer looks up the position of a million parents, which a hash map made about 8% of its time.
class ListedAt {
 public:
  explicit ListedAt(std::size_t nodes) : at_(nodes, kNone) {}
  void set(std::uint32_t node, std::size_t position) {
    at_[node] = static_cast<std::uint32_t>(position);  // fewer positions than nodes < 2^32
  }
  std::optional<std::size_t> find(std::uint32_t node) const {
    if (at_[node] == kNone) return std::nullopt;
    return at_[node];
  }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  std::vector<std::uint32_t> at_;
};

// Nodes reached through a same-as fact are listed with the identity they are the same as (the
// seed or an affected node), not on their own. What their downstream needs of them is kept here:
// the path to them (their entry's path and the same-as hops) and, root cause, the signals on it.
struct Alias {
  Path path;
  std::vector<std::string> signals;
};
class Aliases {
 public:
  void add(std::uint32_t node, Alias alias) { aliases_.emplace(node, std::move(alias)); }
  const Alias* find(std::uint32_t node) const {
    if (aliases_.empty()) return nullptr;  // the common case, with no package identities
    const auto found = aliases_.find(node);
    return found != aliases_.end() ? &found->second : nullptr;
  }

 private:
  std::unordered_map<std::uint32_t, Alias> aliases_;
};

Result<std::uint32_t> seed_index(const CsrGraph& graph, const NodeRef& seed, GraphStore& store) {
  const auto index = graph.index_of(node_id(seed));
  if (!index) {
    return make_error(ErrorCode::kUsage,
                      format_node(seed) + " is not in the inventory (" + store.describe() + ")");
  }
  return *index;
}

Status attach_names(GraphStore& store, std::vector<AffectedNode>& affected, std::size_t max_names) {
  std::vector<std::int64_t> artifact_ids;
  std::unordered_map<std::int64_t, std::size_t> position;
  for (std::size_t i = 0; i < affected.size(); ++i) {
    if (affected[i].node.kind != NodeKind::kArtifact &&
        affected[i].node.kind != NodeKind::kPackage) {
      continue;
    }
    const std::int64_t id = node_id(affected[i].node);
    artifact_ids.push_back(id);
    position.emplace(id, i);
  }
  auto names = store.names_of(artifact_ids, max_names);
  if (!names) return names.error();
  for (auto& [id, list] : *names) affected[position.at(id)].names = std::move(list);
  return ok_status();
}

}  // namespace

Result<TraceResult> trace_forward(const CsrGraph& graph, GraphStore& store, const NodeRef& seed,
                                  const TraceOptions& options) {
  return trace_forward_from(graph, store, std::span<const NodeRef>(&seed, 1), options);
}

Result<TraceResult> trace_forward_from(const CsrGraph& graph, GraphStore& store,
                                       std::span<const NodeRef> seeds,
                                       const TraceOptions& options) {
  if (graph.direction != Direction::kPropagation) {
    return make_error(ErrorCode::kUsage, "a forward trace needs the propagation graph");
  }
  if (seeds.empty()) return make_error(ErrorCode::kUsage, "a forward trace needs a seed");
  std::vector<std::uint32_t> seed_indexes;
  std::vector<bool> is_seed(graph.node_count(), false);
  for (const NodeRef& seed : seeds) {
    auto seed_at = seed_index(graph, seed, store);
    if (!seed_at) return seed_at.error();
    seed_indexes.push_back(*seed_at);
    is_seed[*seed_at] = true;
  }
  const SearchState state = search_forward(graph, seed_indexes, options.since.value_or(kNoTime));

  TraceResult result;
  result.seed = seeds.front();
  result.seed_count = seeds.size();
  result.since = options.since;
  result.seed_known = true;
  result.nodes_in_graph = graph.node_count();
  result.edges_in_graph = graph.stored_edges;
  Materializer materializer(graph, store, state);
  if (auto loaded = materializer.load_keys(); !loaded) return loaded.error();

  // Each node's path is its parent's path plus one hop; nodes are settled parents first.
  ListedAt position(graph.node_count());
  Aliases aliases;
  result.affected.reserve(state.reached.size());
  for (const std::uint32_t node : state.reached) {
    if (is_seed[node]) continue;
    auto ref = materializer.node(node);
    if (!ref) return ref.error();
    auto hop = materializer.hop_into(node, false);
    if (!hop) return hop.error();
    const std::uint32_t parent = state.parent(node);
    const Alias* parent_alias = aliases.find(parent);
    const auto parent_at = position.find(parent);
    const Path& before = parent_alias != nullptr ? parent_alias->path
                         : parent_at             ? result.affected[*parent_at].path
                                                 : Path();
    if (hop->edge == EdgeKind::kSameAs) {
      if (parent_at) {
        result.affected[*parent_at].same_as.push_back(*ref);
        position.set(node, *parent_at);
      } else {
        result.seed_same_as.push_back(*ref);
      }
      aliases.add(node, {before.followed_by(std::move(*hop)), {}});
      continue;
    }
    AffectedNode affected;
    affected.node = std::move(*ref);
    affected.time = present(state.time(node));
    affected.path = before.followed_by(std::move(*hop));
    affected.hops = state.hops(node);
    position.set(node, result.affected.size());
    result.affected.push_back(std::move(affected));
  }
  if (auto named = attach_names(store, result.affected, options.max_names); !named) {
    return named.error();
  }
  std::stable_sort(result.affected.begin(), result.affected.end(),
                   [](const AffectedNode& a, const AffectedNode& b) {
                     const std::int64_t ta = a.time.value_or(kNoTime);
                     const std::int64_t tb = b.time.value_or(kNoTime);
                     if (ta != tb) return ta < tb;
                     if (a.node.kind != b.node.kind) return a.node.kind < b.node.kind;
                     return a.node.key < b.node.key;
                   });
  return result;
}

Result<TraceResult> trace_root_cause(const CsrGraph& graph, GraphStore& store, const NodeRef& seed,
                                     const TraceOptions& options) {
  if (graph.direction != Direction::kReverse) {
    return make_error(ErrorCode::kUsage, "a root-cause trace needs the reverse graph");
  }
  auto seed_at = seed_index(graph, seed, store);
  if (!seed_at) return seed_at.error();
  const SearchState state = search_root_cause(graph, *seed_at);

  TraceResult result;
  result.root_cause = true;
  result.seed = seed;
  result.seed_known = true;
  result.nodes_in_graph = graph.node_count();
  result.edges_in_graph = graph.stored_edges;
  Materializer materializer(graph, store, state);
  if (auto loaded = materializer.load_keys(); !loaded) return loaded.error();

  // Known-bad signals by node, as "finding (node)" strings, each counted once per path.
  auto signal_rows = store.all_signals();
  if (!signal_rows) return signal_rows.error();
  std::map<std::int64_t, std::vector<std::string>> findings;
  for (const SignalRow& row : *signal_rows) findings[row.node].push_back(row.finding);
  for (auto& [id, list] : findings) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }

  ListedAt position(graph.node_count());
  Aliases aliases;
  // The seed's own signals count for every candidate (they lie on every path).
  std::vector<std::string> seed_signals;
  if (const auto own = findings.find(graph.ids[*seed_at]); own != findings.end()) {
    for (const std::string& finding : own->second) {
      seed_signals.push_back(finding + " (" + format_node(seed) + ")");
    }
  }
  const auto own_signals = [&](std::uint32_t node, const NodeRef& ref,
                               std::vector<std::string>& signals) {
    if (const auto own = findings.find(graph.ids[node]); own != findings.end()) {
      for (const std::string& finding : own->second) {
        signals.insert(signals.begin(), finding + " (" + format_node(ref) + ")");
      }
    }
  };
  for (const std::uint32_t node : state.reached) {
    if (node == *seed_at) continue;
    auto ref = materializer.node(node);
    if (!ref) return ref.error();
    auto hop = materializer.hop_into(node, true);
    if (!hop) return hop.error();
    const std::uint32_t parent = state.parent(node);
    const Alias* parent_alias = aliases.find(parent);
    const auto parent_at = position.find(parent);
    const Path& after = parent_alias != nullptr ? parent_alias->path
                        : parent_at             ? result.affected[*parent_at].path
                                                : Path();
    const std::vector<std::string>& signals_after = parent_alias != nullptr ? parent_alias->signals
                                                    : parent_at
                                                        ? result.affected[*parent_at].signals
                                                        : seed_signals;
    if (hop->edge == EdgeKind::kSameAs) {
      Alias alias{after.preceded_by(std::move(*hop)), signals_after};
      own_signals(node, *ref, alias.signals);
      if (parent_at) {
        AffectedNode& listed = result.affected[*parent_at];
        listed.same_as.push_back(*ref);
        own_signals(node, *ref, listed.signals);
        position.set(node, *parent_at);
      } else {
        result.seed_same_as.push_back(*ref);
      }
      aliases.add(node, std::move(alias));
      continue;
    }
    AffectedNode affected;
    affected.node = std::move(*ref);
    affected.time = present(state.time(node));
    affected.path = after.preceded_by(std::move(*hop));
    affected.signals = signals_after;
    own_signals(node, affected.node, affected.signals);
    affected.hops = state.hops(node);
    position.set(node, result.affected.size());
    result.affected.push_back(std::move(affected));
  }
  if (auto named = attach_names(store, result.affected, options.max_names); !named) {
    return named.error();
  }
  std::stable_sort(result.affected.begin(), result.affected.end(),
                   [](const AffectedNode& a, const AffectedNode& b) {
                     if (a.signals.size() != b.signals.size()) {
                       return a.signals.size() > b.signals.size();
                     }
                     if (a.hops != b.hops) return a.hops < b.hops;
                     return format_node(a.node) < format_node(b.node);
                   });
  return result;
}

}  // namespace cascade::graph
