#include "report/hunt_report.h"

#include <sstream>

#include "core/time.h"

namespace cascade::report {
namespace {

nlohmann::json time_json(const std::optional<std::int64_t>& time) {
  if (!time) return nullptr;
  return format_rfc3339(static_cast<std::time_t>(*time));
}

std::string time_text(const std::optional<std::int64_t>& time) {
  return time ? format_rfc3339(static_cast<std::time_t>(*time)) : "(no time)";
}

}  // namespace

nlohmann::json hunt_json(const hunt::HuntResult& result) {
  nlohmann::json feeds = nlohmann::json::array();
  for (const auto& feed : result.feeds) {
    feeds.push_back({{"path", feed.path},
                     {"name", feed.name},
                     {"format", std::string(scan::feed_format_name(feed.format))},
                     {"sha256", feed.sha256},
                     {"indicators", feed.indicators},
                     {"skipped", feed.skipped}});
  }
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& match : result.matches) {
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& host : match.hosts) {
      hosts.push_back({{"host", graph::format_node(host.host)},
                       {"via", std::string(graph::edge_kind_name(host.via))},
                       {"first", time_json(host.first)},
                       {"last", time_json(host.last)}});
    }
    nlohmann::json releases = nlohmann::json::array();
    for (const auto& release : match.releases) releases.push_back(graph::format_node(release));
    nlohmann::json certificate = nullptr;
    if (match.certificate) {
      const graph::CertificateFact& cert = match.certificate->certificate;
      certificate = {{"role", std::string(graph::certificate_role_name(match.certificate->role))},
                     {"subject", cert.subject},
                     {"issuer", cert.issuer},
                     {"serial", cert.serial},
                     {"sha1", cert.sha1},
                     {"sha256", cert.sha256}};
    }
    matches.push_back(
        {{"feed", match.feed},
         {"format", std::string(scan::feed_format_name(match.format))},
         {"indicator", match.indicator},
         {"label", match.label},
         {"aliases", match.aliases},
         {"source", match.source},
         {"line", match.line == 0 ? nlohmann::json(nullptr) : nlohmann::json(match.line)},
         {"reason", match.reason},
         {"certificate", std::move(certificate)},
         {"node", graph::format_node(match.node)},
         {"kind", std::string(graph::node_kind_name(match.node.kind))},
         {"hosts", std::move(hosts)},
         {"releases", std::move(releases)}});
  }
  nlohmann::json out = {
      {"schema", "cascade.hunt/1"},
      {"feeds", std::move(feeds)},
      {"matches", std::move(matches)},
      {"notes", result.notes},
      {"summary",
       {{"matches", result.matches.size()},
        {"hash_indicators", result.hash_indicators},
        {"advisories", result.advisories},
        {"signer_indicators", result.signer_indicators},
        {"certificates", result.certificates}}},
      {"graph", {{"nodes", result.nodes_in_graph}, {"edges", result.edges_in_graph}}},
      {"trace", nullptr},
  };
  if (result.trace) {
    nlohmann::json trace = trace_json(*result.trace);
    out["trace"] = {{"affected", std::move(trace["affected"])},
                    {"summary", std::move(trace["summary"])}};
  }
  return out;
}

std::string hunt_text(const hunt::HuntResult& result, const TraceTextOptions& options) {
  std::ostringstream out;
  out << "Hunted " << result.hash_indicators << " hash indicator(s), " << result.advisories
      << " advisory(ies) and " << result.signer_indicators << " signer indicator(s) from "
      << result.feeds.size() << " feed(s) across " << result.nodes_in_graph << " nodes, "
      << result.edges_in_graph << " edges and " << result.certificates
      << " certificate(s): " << result.matches.size() << " match(es)\n";
  for (const auto& match : result.matches) {
    out << "\n" << graph::format_node(match.node) << "\n";
    out << "  indicator: " << match.indicator << " (" << match.feed << ", " << match.reason;
    if (match.line != 0) out << ", " << match.source << ":" << match.line;
    out << ")";
    if (!match.label.empty()) out << " " << match.label;
    out << "\n";
    if (match.certificate) {
      const graph::CertificateFact& cert = match.certificate->certificate;
      out << "  certificate: issuer " << cert.issuer << ", serial " << cert.serial << ", SHA-256 "
          << cert.sha256 << "\n";
    }
    if (!match.aliases.empty()) {
      out << "  aliases:";
      for (const auto& alias : match.aliases) out << " " << alias;
      out << "\n";
    }
    if (match.hosts.empty()) out << "  hosts: none recorded\n";
    for (const auto& host : match.hosts) {
      out << "  " << graph::edge_kind_name(host.via) << " " << graph::format_node(host.host)
          << ": first " << time_text(host.first) << ", last " << time_text(host.last) << "\n";
    }
    for (const auto& release : match.releases) {
      out << "  in " << graph::format_node(release) << "\n";
    }
  }
  for (const auto& note : result.notes) out << "\nnote: " << note << "\n";
  if (result.trace) {
    out << "\nJoint blast radius of every matched node, each bad from the beginning of time:\n";
    out << trace_text(*result.trace, options);
  }
  return out.str();
}

}  // namespace cascade::report
