#include "serve/metrics.h"

#include <sstream>

namespace cascade::serve {

void Metrics::request_done(Route route, int status, std::chrono::duration<double> latency) {
  const std::lock_guard lock(mutex_);
  ++requests_[{route, status}];
  Latency& entry = latencies_[route];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (latency.count() <= kBuckets[i]) ++entry.buckets[i];
  }
  ++entry.count;
  entry.sum += latency.count();
}

void Metrics::document_stored() {
  const std::lock_guard lock(mutex_);
  ++documents_;
}

std::string Metrics::render(const GraphSnapshot& graph,
                            std::chrono::steady_clock::time_point now) const {
  std::ostringstream out;
  const std::lock_guard lock(mutex_);
  out << "# HELP cascade_http_requests_total Requests answered, by route and status.\n"
      << "# TYPE cascade_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out << "cascade_http_requests_total{route=\"" << route_label(key.first) << "\",status=\""
        << key.second << "\"} " << count << '\n';
  }
  out << "# HELP cascade_http_request_duration_seconds Time to answer, by route.\n"
      << "# TYPE cascade_http_request_duration_seconds histogram\n";
  for (const auto& [route, latency] : latencies_) {
    const std::string label = "route=\"" + std::string(route_label(route)) + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "cascade_http_request_duration_seconds_bucket{" << label << ",le=\"" << kBuckets[i]
          << "\"} " << latency.buckets[i] << '\n';
    }
    out << "cascade_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} "
        << latency.count << '\n'
        << "cascade_http_request_duration_seconds_sum{" << label << "} " << latency.sum << '\n'
        << "cascade_http_request_duration_seconds_count{" << label << "} " << latency.count << '\n';
  }
  const std::chrono::duration<double> age = now - graph.loaded_at;
  out << "# HELP cascade_documents_ingested_total Documents this process stored.\n"
      << "# TYPE cascade_documents_ingested_total counter\n"
      << "cascade_documents_ingested_total " << documents_ << '\n'
      << "# HELP cascade_graph_nodes Nodes of the in-memory graph.\n"
      << "# TYPE cascade_graph_nodes gauge\n"
      << "cascade_graph_nodes " << graph.propagation.node_count() << '\n'
      << "# HELP cascade_graph_edges Stored edges of the in-memory graph.\n"
      << "# TYPE cascade_graph_edges gauge\n"
      << "cascade_graph_edges " << graph.propagation.stored_edges << '\n'
      << "# HELP cascade_graph_documents Documents the in-memory graph holds.\n"
      << "# TYPE cascade_graph_documents gauge\n"
      << "cascade_graph_documents " << graph.documents << '\n'
      << "# HELP cascade_graph_age_seconds Time since the in-memory graph was loaded.\n"
      << "# TYPE cascade_graph_age_seconds gauge\n"
      << "cascade_graph_age_seconds " << age.count() << '\n';
  return out.str();
}

}  // namespace cascade::serve
