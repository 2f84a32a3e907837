// cascade hunt: every indicator of some feeds against everything the inventory already holds,
// without rescanning anything. A hash indicator names its artifact node directly (node ids are
// derived from keys), so the inventory is asked about each indicator rather than each node read;
// an OSV advisory is compared with the inventory's package nodes of the same purl package; a
// signer indicator with the certificates recorded for the artifacts' signatures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "graph/csr.h"
#include "graph/model.h"
#include "graph/store.h"
#include "graph/trace.h"
#include "scan/ioc/indicators.h"

namespace cascade::hunt {

// Where a matched node was seen: a host it ran or was installed on, or one a release holding
// it was deployed on.
struct HostSighting {
  graph::NodeRef host;
  graph::EdgeKind via = graph::EdgeKind::kRanOn;  // ran-on, installed-on or deployed-on
  std::optional<std::int64_t> first;              // earliest and latest time of those facts
  std::optional<std::int64_t> last;
};

// The certificate a signer indicator matched, and what it is to the matched artifact.
struct SignerCertificate {
  graph::CertificateRole role = graph::CertificateRole::kSigner;
  graph::CertificateFact certificate;
};

struct HuntMatch {
  std::string feed;  // FeedInfo::name
  scan::FeedFormat format = scan::FeedFormat::kHashList;
  // The digest (lower-case hex), the advisory id, or the signer indicator as scan names it (a
  // thumbprint, or "serial S[, issuer I]").
  std::string indicator;
  std::string label;  // the indicator's label, or the advisory's summary
  std::vector<std::string> aliases;
  std::string source;    // the file the indicator came from
  std::size_t line = 0;  // hash indicators: the line of `source` that states it; 0: not found
  // Why it matched ("SHA-256", "listed version 1.0.1", a range, "signer certificate CN=...").
  std::string reason;
  std::optional<SignerCertificate> certificate;  // signer indicators only
  graph::NodeRef node;
  std::vector<HostSighting> hosts;       // by host key, then via
  std::vector<graph::NodeRef> releases;  // that contain the node, by key
};

struct HuntResult {
  std::vector<scan::FeedInfo> feeds;
  std::vector<HuntMatch> matches;  // by feed order, then indicator, then node
  // What was not or could not be compared, always said: signer indicators when the inventory
  // holds no certificates, package versions an advisory range could not be evaluated for.
  std::vector<std::string> notes;
  std::uint64_t hash_indicators = 0;
  std::uint64_t advisories = 0;
  std::uint64_t signer_indicators = 0;
  std::uint64_t certificates = 0;  // distinct certificates of the inventory compared with them
  std::uint64_t nodes_in_graph = 0;
  std::uint64_t edges_in_graph = 0;
  std::optional<graph::TraceResult> trace;  // --trace: the joint forward blast radius
};

struct HuntOptions {
  bool trace = false;
};

// `graph` is the propagation graph of `store` (load_graph with Direction::kPropagation); hold a
// StoreSnapshot over both.
Result<HuntResult> hunt(const graph::CsrGraph& graph, graph::GraphStore& store,
                        const scan::IndicatorSet& feeds, const HuntOptions& options);

}  // namespace cascade::hunt
