// The server's /metrics, in the Prometheus text format: requests and their latencies by route
// and status, documents ingested, and the in-memory graph's size and age.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "serve/hot_graph.h"
#include "serve/routes.h"

namespace cascade::serve {

class Metrics {
 public:
  void request_done(Route route, int status, std::chrono::duration<double> latency);
  void document_stored();
  std::string render(const GraphSnapshot& graph, std::chrono::steady_clock::time_point now) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,  1,     2.5,  10};
  struct Latency {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // cumulative, as Prometheus wants
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<Route, int>, std::uint64_t> requests_;
  std::map<Route, Latency> latencies_;
  std::uint64_t documents_ = 0;
};

}  // namespace cascade::serve
