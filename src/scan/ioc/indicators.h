// Indicator feeds for scan --ioc and hunt: hash lists, CSV, STIX 2.1 bundles, signer block-lists,
// OSV advisories (hunt matches their packages; scan holds no packages to match).
// Contract between the scan engine and the feed readers in this directory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authenticode/signature.h"
#include "core/digest.h"
#include "core/finding_catalogue.h"
#include "core/result.h"
#include "scan/ioc/osv.h"

namespace cascade::scan {

enum class HashKind { kMd5, kSha1, kSha256 };

// How a feed file was read, detected from its content.
enum class FeedFormat { kHashList, kCsv, kStix, kSignerList, kOsv };
constexpr std::string_view feed_format_name(FeedFormat format) {
  switch (format) {
    case FeedFormat::kHashList:
      return "hash-list";
    case FeedFormat::kCsv:
      return "csv";
    case FeedFormat::kStix:
      return "stix";
    case FeedFormat::kSignerList:
      return "signer-list";
    case FeedFormat::kOsv:
      return "osv";
  }
  return "hash-list";
}

struct FeedInfo {
  std::string path;
  std::string name;  // label shown in matches: the file name unless the feed names itself
  FeedFormat format = FeedFormat::kHashList;
  std::string sha256;            // of the feed file, recorded in reports
  std::uint64_t indicators = 0;  // loaded
  std::uint64_t skipped = 0;     // entries not usable (other STIX patterns, blank hash cells...)
};

struct IocMatch {
  FindingKind kind;            // findings::kIocHash or findings::kIocSigner
  std::string feed;            // FeedInfo::name
  std::string label;           // the indicator's own name/description, if the feed gives one
  std::string value;           // the matched hash or thumbprint / issuer+serial
  std::size_t feed_index = 0;  // into feeds()
};

class IndicatorSet {
 public:
  IndicatorSet();
  IndicatorSet(IndicatorSet&&) noexcept;
  IndicatorSet& operator=(IndicatorSet&&) noexcept;
  ~IndicatorSet();

  // Loads one feed; its format is detected by content. Errors name the file and line. A
  // directory is a feed of OSV advisories: every *.json file under it, read in path order.
  Result<FeedInfo> load(const std::string& path);

  bool empty() const;
  bool needs(HashKind kind) const;  // whether any loaded feed holds hashes of this kind
  const std::vector<FeedInfo>& feeds() const;

  // Lower-case hex digests of a file; absent kinds are skipped. O(1) expected per lookup.
  std::vector<IocMatch> match_file(const FileHashes& hashes) const;
  // A signer certificate (any certificate of a signature's chain may be passed).
  std::vector<IocMatch> match_certificate(const authenticode::CertificateInfo& cert) const;

  // Every file-hash indicator, duplicates included, with the index of its feed in feeds() and
  // its label: for matching a whole inventory against the feeds (hunt), which asks the
  // inventory about each indicator rather than the feeds about each file.
  void for_each_hash(const std::function<void(std::size_t feed, HashKind kind,
                                              std::span<const std::uint8_t> digest,
                                              std::string_view label)>& visit) const;
  // Signer indicators (thumbprints, serials) loaded, over all feeds.
  std::uint64_t signer_indicators() const;
  // Every OSV advisory, with the index of its feed.
  void for_each_advisory(
      const std::function<void(std::size_t feed, const OsvAdvisory& advisory)>& visit) const;

 private:
  Result<FeedInfo> load_directory(const std::string& path);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cascade::scan
