// The two time-respecting searches. Both are Dijkstra-style label-setting searches: forward
// labels only grow along an edge (arrival = max(a, t)) and the edge condition (a <= limit) is
// monotone, so the first time a node is settled is its earliest compromise time; the root-cause
// search is the mirror image with latest times that only shrink.
#include <algorithm>

#include "graph/radix_queue.h"
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

// The time a fact adds to the compromise it carries; contains, owned-by, depends-on and same-as
// add none (a release is bad from the moment its content is, an org from the moment its host
// is, a package from the moment its dependency is, and one thing under two names is one thing).
std::int64_t propagation_start(const CsrEdge& edge) {
  switch (edge.stored_kind) {
    case EdgeKind::kContains:
    case EdgeKind::kOwnedBy:
    case EdgeKind::kDependsOn:
    case EdgeKind::kSameAs:
      return kNoTime;
    default:
      return edge.time;
  }
}

// Two identities of one thing are one step of nothing: a same-as hop adds no hop.
std::uint32_t hop_cost(const CsrEdge& edge) {
  return edge.stored_kind == EdgeKind::kSameAs ? 0 : 1;
}

SearchState empty_state(const CsrGraph& graph, std::int64_t initial_time) {
  SearchState state;
  const std::size_t n = graph.node_count();
  state.labels.assign(n, SearchState::NodeLabel{initial_time, SearchState::kNone, 0});
  state.parent_edge.assign(n, 0);
  return state;
}

// The search is bound by memory latency: each settled node's edge list, and the label of every
// node an edge leads to, lie at random places in arrays far larger than the caches. Asking for
// all of a node's targets before testing any lets those misses overlap instead of queueing.
void prefetch_targets(const CsrGraph& graph, const SearchState& state, std::uint32_t node) {
  const std::uint64_t end = graph.offsets[node + 1];
  for (std::uint64_t e = graph.offsets[node]; e < end; ++e) {
    __builtin_prefetch(&state.labels[graph.edges[e].to]);
  }
}

// The next node to settle, when the queue knows it without work (another entry with the same
// key): start fetching its edge list. On the large benchmark graph that is rare, as keys are
// nearly all distinct (1.24 entries share a key on average), so the queue cannot look further.
void prefetch_next(const CsrGraph& graph, const RadixQueue& queue) {
  if (const RadixEntry* next = queue.peek()) {
    __builtin_prefetch(&graph.edges[graph.offsets[next->node]]);
  }
}

}  // namespace

SearchState search_forward(const CsrGraph& graph, std::uint32_t seed, std::int64_t since) {
  const std::uint32_t seeds[] = {seed};
  return search_forward(graph, seeds, since);
}

SearchState search_forward(const CsrGraph& graph, std::span<const std::uint32_t> seeds,
                           std::int64_t since) {
  // kOpenEnd marks "not reached": no arrival can be later than every limit.
  SearchState state = empty_state(graph, kOpenEnd);
  std::vector<bool> settled(graph.node_count(), false);
  // Earliest time first, then fewest hops: the shortest of the earliest explaining paths.
  // Several seeds start together: each node is reached from whichever seed gets there first.
  RadixQueue queue;
  for (const std::uint32_t seed : seeds) {
    state.labels[seed].time = since;
    queue.push(ascending_key(since), 0, seed);
  }
  while (!queue.empty()) {
    const RadixEntry entry = queue.pop();
    if (settled[entry.node]) continue;
    const std::uint32_t node = entry.node;
    const std::int64_t time = ascending_time(entry.major);
    settled[node] = true;
    state.reached.push_back(node);
    prefetch_next(graph, queue);
    prefetch_targets(graph, state, node);
    for (std::uint64_t e = graph.offsets[node]; e < graph.offsets[node + 1]; ++e) {
      const CsrEdge& edge = graph.edges[e];
      if (settled[edge.to] || time > propagation_limit(edge)) continue;
      const std::int64_t arrival = std::max(time, propagation_start(edge));
      const std::uint32_t hops = entry.minor + hop_cost(edge);
      SearchState::NodeLabel& target = state.labels[edge.to];
      if (arrival < target.time ||
          (arrival == target.time && hops < target.hops && target.parent != SearchState::kNone)) {
        target = SearchState::NodeLabel{arrival, node, hops};
        state.parent_edge[edge.to] = e;
        queue.push(ascending_key(arrival), hops, edge.to);
        __builtin_prefetch(&graph.offsets[edge.to]);
      }
    }
  }
  return state;
}

SearchState search_root_cause(const CsrGraph& graph, std::uint32_t seed) {
  // kNoTime marks "cannot explain the seed"; the seed itself may have fallen at any time.
  SearchState state = empty_state(graph, kNoTime);
  std::vector<bool> settled(graph.node_count(), false);
  // Latest time first, then fewest hops.
  RadixQueue queue;
  state.labels[seed].time = kOpenEnd;
  queue.push(descending_key(kOpenEnd), 0, seed);
  while (!queue.empty()) {
    const RadixEntry entry = queue.pop();
    if (settled[entry.node]) continue;
    const std::uint32_t node = entry.node;
    const std::int64_t time = descending_time(entry.major);
    settled[node] = true;
    state.reached.push_back(node);
    prefetch_next(graph, queue);
    prefetch_targets(graph, state, node);
    // Each reverse edge leads to a node u whose compromise at time a would reach this node at
    // max(a, start) if a <= limit: u must have fallen by min(latest here, limit), and the
    // fact's own time must not be later than the latest time here.
    for (std::uint64_t e = graph.offsets[node]; e < graph.offsets[node + 1]; ++e) {
      const CsrEdge& edge = graph.edges[e];
      if (settled[edge.to]) continue;
      const std::int64_t start = propagation_start(edge);
      if (start != kNoTime && start > time) continue;
      const std::int64_t latest = std::min(time, propagation_limit(edge));
      if (latest == kNoTime) continue;
      const std::uint32_t hops = entry.minor + hop_cost(edge);
      SearchState::NodeLabel& target = state.labels[edge.to];
      if (latest > target.time ||
          (latest == target.time && hops < target.hops && target.parent != SearchState::kNone)) {
        target = SearchState::NodeLabel{latest, node, hops};
        state.parent_edge[edge.to] = e;
        queue.push(descending_key(latest), hops, edge.to);
        __builtin_prefetch(&graph.offsets[edge.to]);
      }
    }
  }
  return state;
}

}  // namespace cascade::graph
