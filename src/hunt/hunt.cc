#include "hunt/hunt.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/digest.h"
#include "core/mapped_file.h"
#include "core/purl.h"
#include "hunt/signer_hunt.h"

namespace cascade::hunt {
namespace {

using graph::CsrGraph;
using graph::EdgeKind;
using graph::NodeKind;
using graph::NodeRef;

struct Candidate {
  std::size_t match;    // index into HuntResult::matches
  std::uint32_t index;  // dense index of the matched node
};

std::optional<std::int64_t> present(std::int64_t time) {
  if (time == graph::kNoTime || time == graph::kOpenEnd) return std::nullopt;
  return time;
}

void widen(HostSighting& sighting, std::int64_t time) {
  const auto t = present(time);
  if (!t) return;
  if (!sighting.first || *t < *sighting.first) sighting.first = t;
  if (!sighting.last || *t > *sighting.last) sighting.last = t;
}

// Hosts and releases of one matched node, by stored id, read off the propagation graph: ran-on
// and installed-on lead to hosts, contains (run backwards) to releases, and a release's
// deployed-on to the hosts it went to. The node's other identities (same-as: the file's other
// digests, a package and its distribution file) count as the node.
struct Neighbourhood {
  std::map<std::pair<std::int64_t, EdgeKind>, HostSighting> hosts;  // by host id, via
  std::vector<std::int64_t> releases;
};

std::vector<std::uint32_t> identities(const CsrGraph& graph, std::uint32_t node) {
  std::vector<std::uint32_t> group = {node};
  for (std::size_t next = 0; next < group.size(); ++next) {
    const std::uint32_t at = group[next];
    for (std::uint64_t e = graph.offsets[at]; e < graph.offsets[at + 1]; ++e) {
      const graph::CsrEdge& edge = graph.edges[e];
      if (edge.stored_kind == EdgeKind::kSameAs &&
          std::find(group.begin(), group.end(), edge.to) == group.end()) {
        group.push_back(edge.to);
      }
    }
  }
  return group;
}

Neighbourhood neighbourhood(const CsrGraph& graph, std::uint32_t node) {
  Neighbourhood around;
  for (const std::uint32_t member : identities(graph, node)) {
    for (std::uint64_t e = graph.offsets[member]; e < graph.offsets[member + 1]; ++e) {
      const graph::CsrEdge& edge = graph.edges[e];
      const bool on_host =
          edge.stored_kind == EdgeKind::kRanOn || edge.stored_kind == EdgeKind::kInstalledOn;
      if (on_host && !edge.reversed) {
        auto& sighting = around.hosts[{graph.ids[edge.to], edge.stored_kind}];
        sighting.via = edge.stored_kind;
        widen(sighting, edge.time);
      } else if (edge.stored_kind == EdgeKind::kContains && edge.reversed) {
        around.releases.push_back(graph.ids[edge.to]);
      }
    }
  }
  std::sort(around.releases.begin(), around.releases.end());
  around.releases.erase(std::unique(around.releases.begin(), around.releases.end()),
                        around.releases.end());
  for (const std::int64_t release : around.releases) {
    const auto index = graph.index_of(release);
    for (std::uint64_t d = graph.offsets[*index]; d < graph.offsets[*index + 1]; ++d) {
      const graph::CsrEdge& deployed = graph.edges[d];
      if (deployed.stored_kind != EdgeKind::kDeployedOn || deployed.reversed) continue;
      auto& sighting = around.hosts[{graph.ids[deployed.to], EdgeKind::kDeployedOn}];
      sighting.via = EdgeKind::kDeployedOn;
      widen(sighting, deployed.time);
    }
  }
  return around;
}

// The nodes of some stored ids, their keys read in one batch and checked against the ids.
Result<std::unordered_map<std::int64_t, NodeRef>> checked_keys(graph::GraphStore& store,
                                                               std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto rows = store.find_checked_nodes(ids);
  if (!rows) return rows.error();
  std::unordered_map<std::int64_t, NodeRef> keys;
  for (auto& row : *rows) keys.emplace(row.id, NodeRef{row.kind, std::move(row.key)});
  return keys;
}

// The artifact node a digest of `kind` names, in the graph's key syntax (SHA-256 bare, the others
// prefixed with their algorithm).
std::optional<NodeRef> artifact_of(scan::HashKind kind, const std::string& hex) {
  auto node = graph::make_artifact(kind == scan::HashKind::kSha256 ? "sha256"
                                   : kind == scan::HashKind::kSha1 ? "sha1"
                                                                   : "md5",
                                   hex);
  if (!node) return std::nullopt;
  return std::move(*node);
}

std::string_view hash_name(scan::HashKind kind) {
  switch (kind) {
    case scan::HashKind::kSha256:
      return "SHA-256";
    case scan::HashKind::kSha1:
      return "SHA-1";
    case scan::HashKind::kMd5:
      break;
  }
  return "MD5";
}

void match_hashes(const CsrGraph& graph, const scan::IndicatorSet& feeds, HuntResult& result,
                  std::vector<Candidate>& candidates) {
  feeds.for_each_hash([&](std::size_t feed, scan::HashKind kind,
                          std::span<const std::uint8_t> digest, std::string_view label) {
    ++result.hash_indicators;
    const std::string hex = to_hex(digest);
    const auto artifact = artifact_of(kind, hex);
    if (!artifact) return;
    const auto index = graph.index_of(graph::node_id(*artifact));
    if (!index || graph.kinds[*index] != NodeKind::kArtifact) return;
    const scan::FeedInfo& info = feeds.feeds()[feed];
    HuntMatch match;
    match.feed = info.name;
    match.format = info.format;
    match.indicator = hex;
    match.label = std::string(label);
    match.source = info.path;
    match.reason = std::string(hash_name(kind));
    match.node = *artifact;
    candidates.push_back({result.matches.size(), *index});
    result.matches.push_back(std::move(match));
  });
}

Status match_signer_indicators(const CsrGraph& graph, graph::GraphStore& store,
                               const scan::IndicatorSet& feeds, HuntResult& result,
                               std::vector<Candidate>& candidates) {
  result.signer_indicators = feeds.signer_indicators();
  auto signers = match_signers(store, feeds);
  if (!signers) return signers.error();
  result.certificates = signers->certificates;
  if (result.signer_indicators != 0 && signers->facts == 0) {
    result.notes.push_back(std::to_string(result.signer_indicators) +
                           " signer indicator(s) compared with no certificate: the inventory "
                           "records none (ingest the scan reports of the signed files)");
  }
  std::vector<std::int64_t> ids;
  for (const SignerHit& hit : signers->hits) ids.push_back(hit.node);
  auto found_keys = checked_keys(store, std::move(ids));
  if (!found_keys) return found_keys.error();
  const auto& keys = *found_keys;
  for (SignerHit& hit : signers->hits) {
    const auto key = keys.find(hit.node);
    const auto index = graph.index_of(hit.node);
    // A signer fact on a node the store does not hold (graph check reports it) matches nothing.
    if (key == keys.end() || !index) continue;
    hit.match.node = key->second;
    candidates.push_back({result.matches.size(), *index});
    result.matches.push_back(std::move(hit.match));
  }
  return ok_status();
}

Status match_packages(const CsrGraph& graph, graph::GraphStore& store,
                      const scan::IndicatorSet& feeds, HuntResult& result,
                      std::vector<Candidate>& candidates) {
  // The advisories by the purl package they name.
  std::unordered_map<
      std::string, std::vector<std::pair<
                       std::size_t, std::pair<const scan::OsvAdvisory*, const scan::OsvAffected*>>>>
      by_package;
  feeds.for_each_advisory([&](std::size_t feed, const scan::OsvAdvisory& advisory) {
    ++result.advisories;
    for (const auto& affected : advisory.affected) {
      if (!affected.package.empty()) {
        by_package[affected.package].push_back({feed, {&advisory, &affected}});
      }
    }
  });
  if (result.advisories == 0) return ok_status();
  // The package nodes are found by kind in the loaded graph and only their keys are read (and
  // checked against their ids), not every node's.
  std::vector<std::int64_t> package_ids;
  for (std::size_t i = 0; i < graph.node_count(); ++i) {
    if (graph.kinds[i] == NodeKind::kPackage) package_ids.push_back(graph.ids[i]);
  }
  auto packages = store.find_checked_nodes(package_ids);
  if (!packages) return packages.error();
  std::uint64_t not_evaluated = 0;
  std::string first_not_evaluated;
  for (const graph::NodeRow& row : *packages) {
    auto purl = parse_purl(row.key);
    if (!purl || purl->version.empty()) continue;
    const auto found = by_package.find(format_purl_package(*purl));
    if (found == by_package.end()) continue;
    const auto index = graph.index_of(row.id);
    if (!index) continue;
    for (const auto& [feed, entry] : found->second) {
      const auto& [advisory, affected] = entry;
      const scan::VersionAnswer answer = scan::affected_version(*affected, purl->version);
      if (answer.verdict == scan::VersionVerdict::kNotEvaluated) {
        if (not_evaluated++ == 0) {
          first_not_evaluated = advisory->id + " for " + row.key + ": " + answer.reason;
        }
        continue;
      }
      if (answer.verdict != scan::VersionVerdict::kAffected) continue;
      const scan::FeedInfo& info = feeds.feeds()[feed];
      HuntMatch match;
      match.feed = info.name;
      match.format = info.format;
      match.indicator = advisory->id;
      match.label = advisory->summary;
      match.aliases = advisory->aliases;
      match.source = advisory->source;
      match.reason = answer.reason;
      match.node = NodeRef{NodeKind::kPackage, row.key};
      candidates.push_back({result.matches.size(), *index});
      result.matches.push_back(std::move(match));
    }
  }
  if (not_evaluated != 0) {
    result.notes.push_back(std::to_string(not_evaluated) +
                           " package version(s) not evaluated against an advisory's range "
                           "(first: " +
                           first_not_evaluated + ")");
  }
  return ok_status();
}

bool is_hex_digit(std::uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The line of its feed file on which each matched digest is first written, found in one pass
// over each file: the feed readers keep no line numbers (a 10-million-line list would pay for
// them), and only the few matches need one.
void locate_lines(std::vector<HuntMatch>& matches) {
  std::map<std::string, std::unordered_map<std::string, std::vector<HuntMatch*>>> wanted;
  for (auto& match : matches) {
    if (match.format != scan::FeedFormat::kOsv) {
      wanted[match.source][match.indicator].push_back(&match);
    }
  }
  for (auto& [path, digests] : wanted) {
    auto file = MappedFile::open(path);
    if (!file) continue;  // a convenience only: the match stands without its line
    const Bytes bytes = file->bytes();
    std::size_t line = 1;
    std::size_t i = 0;
    std::string token;
    while (i < bytes.size() && !digests.empty()) {
      if (!is_hex_digit(bytes[i])) {
        if (bytes[i] == '\n') ++line;
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < bytes.size() && is_hex_digit(bytes[end])) ++end;
      const std::size_t length = end - i;
      if (length == 32 || length == 40 || length == 64) {
        token.assign(reinterpret_cast<const char*>(bytes.data() + i), length);
        for (auto& c : token) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
        if (const auto found = digests.find(token); found != digests.end()) {
          for (HuntMatch* match : found->second) match->line = line;
          digests.erase(found);
        }
      }
      i = end;
    }
  }
}

}  // namespace

Result<HuntResult> hunt(const CsrGraph& graph, graph::GraphStore& store,
                        const scan::IndicatorSet& feeds, const HuntOptions& options) {
  if (graph.direction != graph::Direction::kPropagation) {
    return make_error(ErrorCode::kUsage, "hunt needs the propagation graph");
  }
  HuntResult result;
  result.feeds = feeds.feeds();
  result.nodes_in_graph = graph.node_count();
  result.edges_in_graph = graph.stored_edges;
  std::vector<Candidate> candidates;
  match_hashes(graph, feeds, result, candidates);
  if (auto packages = match_packages(graph, store, feeds, result, candidates); !packages) {
    return packages.error();
  }
  if (auto signers = match_signer_indicators(graph, store, feeds, result, candidates); !signers) {
    return signers.error();
  }

  // Hosts and releases of every match, their keys fetched in one batch and checked.
  std::vector<Neighbourhood> around;
  std::vector<std::int64_t> ids;
  for (const Candidate& candidate : candidates) {
    around.push_back(neighbourhood(graph, candidate.index));
    for (const auto& [key, sighting] : around.back().hosts) ids.push_back(key.first);
    ids.insert(ids.end(), around.back().releases.begin(), around.back().releases.end());
  }
  auto found_keys = checked_keys(store, std::move(ids));
  if (!found_keys) return found_keys.error();
  const auto& keys = *found_keys;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    HuntMatch& match = result.matches[candidates[i].match];
    for (auto& [key, sighting] : around[i].hosts) {
      const auto found = keys.find(key.first);
      if (found == keys.end()) continue;
      sighting.host = found->second;
      match.hosts.push_back(sighting);
    }
    for (const std::int64_t release : around[i].releases) {
      if (const auto found = keys.find(release); found != keys.end()) {
        match.releases.push_back(found->second);
      }
    }
    std::sort(match.hosts.begin(), match.hosts.end(), [](const auto& a, const auto& b) {
      return std::tie(a.host, a.via) < std::tie(b.host, b.via);
    });
    std::sort(match.releases.begin(), match.releases.end());
  }
  // A feed may list one digest twice, or two feeds the same one: one match each (feed,
  // indicator, node).
  const auto order = [](const HuntMatch& a, const HuntMatch& b) {
    return std::tie(a.feed, a.indicator, a.node) < std::tie(b.feed, b.indicator, b.node);
  };
  std::stable_sort(result.matches.begin(), result.matches.end(), order);
  result.matches.erase(std::unique(result.matches.begin(), result.matches.end(),
                                   [](const HuntMatch& a, const HuntMatch& b) {
                                     return a.feed == b.feed && a.indicator == b.indicator &&
                                            a.node == b.node;
                                   }),
                       result.matches.end());

  locate_lines(result.matches);

  if (options.trace && !result.matches.empty()) {
    // Every matched node is bad from the beginning of time: an indicator says what is bad,
    // not since when, and a file or package is what it is from the moment it exists.
    std::vector<NodeRef> seeds;
    for (const auto& match : result.matches) seeds.push_back(match.node);
    std::sort(seeds.begin(), seeds.end());
    seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
    auto traced = graph::trace_forward_from(graph, store, seeds, graph::TraceOptions{});
    if (!traced) return traced.error();
    result.trace = std::move(*traced);
  }
  return result;
}

}  // namespace cascade::hunt
