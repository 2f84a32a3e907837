// Indicator feeds for scan --ioc: hash lists, CSV, STIX 2.1 bundles, signer block-lists.
// Contract between the scan engine and the feed readers in this directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "authenticode/signature.h"
#include "core/digest.h"
#include "core/finding_catalogue.h"
#include "core/result.h"

namespace cascade::scan {

enum class HashKind { kMd5, kSha1, kSha256 };

// How a feed file was read, detected from its content.
enum class FeedFormat { kHashList, kCsv, kStix, kSignerList };
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
  FindingKind kind;   // findings::kIocHash or findings::kIocSigner
  std::string feed;   // FeedInfo::name
  std::string label;  // the indicator's own name/description, if the feed gives one
  std::string value;  // the matched hash or thumbprint / issuer+serial
};

class IndicatorSet {
 public:
  IndicatorSet();
  IndicatorSet(IndicatorSet&&) noexcept;
  IndicatorSet& operator=(IndicatorSet&&) noexcept;
  ~IndicatorSet();

  // Loads one feed; its format is detected by content. Errors name the file and line.
  Result<FeedInfo> load(const std::string& path);

  bool empty() const;
  bool needs(HashKind kind) const;  // whether any loaded feed holds hashes of this kind
  const std::vector<FeedInfo>& feeds() const;

  // Lower-case hex digests of a file; absent kinds are skipped. O(1) expected per lookup.
  std::vector<IocMatch> match_file(const FileHashes& hashes) const;
  // A signer certificate (any certificate of a signature's chain may be passed).
  std::vector<IocMatch> match_certificate(const authenticode::CertificateInfo& cert) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cascade::scan
