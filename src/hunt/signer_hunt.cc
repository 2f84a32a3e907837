#include "hunt/signer_hunt.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace cascade::hunt {
namespace {

// Why a certificate of the artifact's was compared, in the words of a match's reason.
std::string_view role_phrase(graph::CertificateRole role) {
  switch (role) {
    case graph::CertificateRole::kSigner:
      return "signer certificate";
    case graph::CertificateRole::kChain:
      return "certificate in the signer's chain";
    case graph::CertificateRole::kTimestamp:
      return "timestamp authority certificate";
  }
  return "signer certificate";
}

authenticode::CertificateInfo certificate_info(const graph::CertificateFact& fact) {
  authenticode::CertificateInfo info;
  info.subject = fact.subject;
  info.issuer = fact.issuer;
  info.serial = fact.serial;
  info.sha1 = fact.sha1;
  info.sha256 = fact.sha256;
  return info;
}

struct HitKey {
  std::size_t feed;
  std::string indicator;
  std::int64_t node;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  auto operator<=>(const HitKey&) const = default;
};

}  // namespace

Result<SignerHunt> match_signers(graph::GraphStore& store, const scan::IndicatorSet& feeds) {
  SignerHunt result;
  if (feeds.signer_indicators() == 0) return result;
  // Each distinct certificate is compared once: a fleet holds many signed files and few signers.
  std::map<graph::CertificateFact, std::vector<scan::IocMatch>> compared;
  // One hit per (feed, indicator, node); a node whose certificate is both its signer and the
  // leaf of its chain keeps the signer role (the lower one), whatever order rows come in.
  std::map<HitKey, std::pair<graph::CertificateRole, const graph::CertificateFact*>> hits;
  auto scanned = store.scan_signers([&](const graph::SignerRow& row) {
    ++result.facts;
    auto found = compared.find(row.certificate);
    if (found == compared.end()) {
      found =
          compared
              .emplace(row.certificate, feeds.match_certificate(certificate_info(row.certificate)))
              .first;
    }
    for (const scan::IocMatch& match : found->second) {
      auto [at, fresh] = hits.try_emplace(HitKey{match.feed_index, match.value, row.node}, row.role,
                                          &found->first);
      if (!fresh &&
          std::tie(row.role, found->first) < std::tie(at->second.first, *at->second.second)) {
        at->second = {row.role, &found->first};
      }
    }
  });
  if (!scanned) return scanned.error();
  result.certificates = compared.size();
  for (const auto& [hit_key, value] : hits) {
    // A plain reference: the lambda below reads it, and C++20 lambdas cannot capture bindings.
    const HitKey& key = hit_key;
    const auto& [role, certificate] = value;
    const scan::FeedInfo& info = feeds.feeds()[key.feed];
    // The label is the same for every certificate an indicator matches; read it off one.
    const auto& matches = compared.at(*certificate);
    const auto match = std::find_if(matches.begin(), matches.end(), [&](const scan::IocMatch& m) {
      return m.feed_index == key.feed && m.value == key.indicator;
    });
    SignerHit hit;
    hit.node = key.node;
    hit.match.feed = info.name;
    hit.match.format = info.format;
    hit.match.indicator = key.indicator;
    hit.match.label = match != matches.end() ? match->label : std::string();
    hit.match.source = info.path;
    hit.match.reason = std::string(role_phrase(role)) + " " + certificate->subject;
    hit.match.certificate = SignerCertificate{role, *certificate};
    result.hits.push_back(std::move(hit));
  }
  return result;
}

}  // namespace cascade::hunt
