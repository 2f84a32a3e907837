// The two time-respecting searches. Both are Dijkstra-style label-setting searches: forward
// labels only grow along an edge (arrival = max(a, t)) and the edge condition (a <= limit) is
// monotone, so the first time a node is settled is its earliest compromise time; the root-cause
// search is the mirror image with latest times that only shrink.
#include <queue>

#include "graph/trace.h"

namespace cascade::graph {
namespace {

// The latest compromise time at the edge's source that still propagates over it.
std::int64_t propagation_limit(const CsrEdge& edge) {
  switch (edge.stored_kind) {
    case EdgeKind::kAccess:
      return edge.until;
    case EdgeKind::kBuiltOn:  // a build that finished before the host fell is clean
      return edge.until != kOpenEnd ? edge.until : (edge.time != kNoTime ? edge.time : kOpenEnd);
    case EdgeKind::kDeployedOn:  // deployments before the compromise carry nothing
      return edge.time != kNoTime ? edge.time : kOpenEnd;
    default:
      return kOpenEnd;
  }
}

// The time a fact adds to the compromise it carries; contains and owned-by add none (a release
// is bad from the moment its content is, an org from the moment its host is).
std::int64_t propagation_start(const CsrEdge& edge) {
  if (edge.stored_kind == EdgeKind::kContains || edge.stored_kind == EdgeKind::kOwnedBy) {
    return kNoTime;
  }
  return edge.time;
}

SearchState empty_state(const CsrGraph& graph, std::int64_t initial_time) {
  SearchState state;
  const std::size_t n = graph.node_count();
  state.time.assign(n, initial_time);
  state.parent.assign(n, SearchState::kNone);
  state.parent_edge.assign(n, 0);
  state.hops.assign(n, 0);
  return state;
}

struct Label {
  std::int64_t time;
  std::uint32_t hops;
  std::uint32_t node;
};

}  // namespace

SearchState search_forward(const CsrGraph& graph, std::uint32_t seed, std::int64_t since) {
  // kOpenEnd marks "not reached": no arrival can be later than every limit.
  SearchState state = empty_state(graph, kOpenEnd);
  std::vector<bool> settled(graph.node_count(), false);
  auto later = [](const Label& a, const Label& b) {
    return a.time != b.time ? a.time > b.time : a.hops > b.hops;
  };
  std::priority_queue<Label, std::vector<Label>, decltype(later)> queue(later);
  state.time[seed] = since;
  queue.push(Label{since, 0, seed});
  while (!queue.empty()) {
    const Label label = queue.top();
    queue.pop();
    if (settled[label.node]) continue;
    settled[label.node] = true;
    state.reached.push_back(label.node);
    for (std::uint64_t e = graph.offsets[label.node]; e < graph.offsets[label.node + 1]; ++e) {
      const CsrEdge& edge = graph.edges[e];
      if (settled[edge.to] || label.time > propagation_limit(edge)) continue;
      const std::int64_t arrival = std::max(label.time, propagation_start(edge));
      const std::uint32_t hops = label.hops + 1;
      if (arrival < state.time[edge.to] ||
          (arrival == state.time[edge.to] && hops < state.hops[edge.to] &&
           state.parent[edge.to] != SearchState::kNone)) {
        state.time[edge.to] = arrival;
        state.hops[edge.to] = hops;
        state.parent[edge.to] = label.node;
        state.parent_edge[edge.to] = e;
        queue.push(Label{arrival, hops, edge.to});
      }
    }
  }
  return state;
}

SearchState search_root_cause(const CsrGraph& graph, std::uint32_t seed) {
  // kNoTime marks "cannot explain the seed"; the seed itself may have fallen at any time.
  SearchState state = empty_state(graph, kNoTime);
  std::vector<bool> settled(graph.node_count(), false);
  auto earlier = [](const Label& a, const Label& b) {
    return a.time != b.time ? a.time < b.time : a.hops > b.hops;
  };
  std::priority_queue<Label, std::vector<Label>, decltype(earlier)> queue(earlier);
  state.time[seed] = kOpenEnd;
  queue.push(Label{kOpenEnd, 0, seed});
  while (!queue.empty()) {
    const Label label = queue.top();
    queue.pop();
    if (settled[label.node]) continue;
    settled[label.node] = true;
    state.reached.push_back(label.node);
    // Each reverse edge leads to a node u whose compromise at time a would reach this node at
    // max(a, start) if a <= limit: u must have fallen by min(latest here, limit), and the
    // fact's own time must not be later than the latest time here.
    for (std::uint64_t e = graph.offsets[label.node]; e < graph.offsets[label.node + 1]; ++e) {
      const CsrEdge& edge = graph.edges[e];
      if (settled[edge.to]) continue;
      const std::int64_t start = propagation_start(edge);
      if (start != kNoTime && start > label.time) continue;
      const std::int64_t latest = std::min(label.time, propagation_limit(edge));
      if (latest == kNoTime) continue;
      const std::uint32_t hops = label.hops + 1;
      if (latest > state.time[edge.to] ||
          (latest == state.time[edge.to] && hops < state.hops[edge.to] &&
           state.parent[edge.to] != SearchState::kNone)) {
        state.time[edge.to] = latest;
        state.hops[edge.to] = hops;
        state.parent[edge.to] = label.node;
        state.parent_edge[edge.to] = e;
        queue.push(Label{latest, hops, edge.to});
      }
    }
  }
  return state;
}

}  // namespace cascade::graph
