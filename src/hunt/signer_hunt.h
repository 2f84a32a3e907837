// Signer-list indicators against the certificates the inventory records for its artifacts'
// signatures (graph signer facts, from ingested scan reports): the same comparison
// `scan --ioc` makes with a file's certificates, so a new signer advisory needs no rescan.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "graph/store.h"
#include "hunt/hunt.h"
#include "scan/ioc/indicators.h"

namespace cascade::hunt {

// One artifact a signer indicator matched, its node given by stored id only (the caller reads
// and checks the keys of all matches in one batch).
struct SignerHit {
  HuntMatch match;  // node left empty
  std::int64_t node = 0;
};

struct SignerHunt {
  std::vector<SignerHit> hits;     // one per (feed, indicator, node), by those
  std::uint64_t certificates = 0;  // distinct certificates compared
  std::uint64_t facts = 0;         // signer rows read
};

// Reads every signer fact of `store` once, comparing each distinct certificate with the feeds
// once. Nothing is read when the feeds hold no signer indicators.
Result<SignerHunt> match_signers(graph::GraphStore& store, const scan::IndicatorSet& feeds);

}  // namespace cascade::hunt
