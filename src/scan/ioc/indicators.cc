#include "scan/ioc/indicators.h"

#include <array>
#include <cctype>
#include <system_error>
#include <thread>

#include "core/finding_catalogue.h"
#include "core/mapped_file.h"
#include "scan/ioc/feed_internal.h"

namespace cascade::scan {

struct IndicatorSet::Impl {
  std::vector<FeedInfo> infos;
  std::vector<ioc::Feed> feeds;  // parallel to infos
};

IndicatorSet::IndicatorSet() : impl_(std::make_unique<Impl>()) {}
IndicatorSet::IndicatorSet(IndicatorSet&&) noexcept = default;
IndicatorSet& IndicatorSet::operator=(IndicatorSet&&) noexcept = default;
IndicatorSet::~IndicatorSet() = default;

namespace {

constexpr std::size_t kParallelDigestBytes = 16u << 20;

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<FeedInfo> IndicatorSet::load(const std::string& path) {
  if (!impl_) impl_ = std::make_unique<Impl>();
  auto file = MappedFile::open(path);
  if (!file) return make_error(ErrorCode::kIo, path + ": cannot read: " + file.error().message);
  const Bytes data = file->bytes();
  // A big feed's digest is taken on a second core while the first parses it.
  std::string sha256;
  std::thread hasher;
  if (data.size() >= kParallelDigestBytes) {
    try {
      hasher =
          std::thread([&sha256, data] { sha256 = to_hex(digest(DigestAlgorithm::kSha256, data)); });
    } catch (const std::system_error&) {  // no thread to be had: hash below instead
    }
  }
  auto feed = ioc::parse_feed(data, path);
  if (hasher.joinable()) hasher.join();
  if (!feed) return feed.error();
  if (sha256.empty()) sha256 = to_hex(digest(DigestAlgorithm::kSha256, data));
  FeedInfo info;
  info.path = path;
  info.name = feed->name.empty() ? base_name(path) : feed->name;
  info.format = feed->format;
  info.sha256 = std::move(sha256);
  info.indicators = feed->indicators();
  info.skipped = feed->skipped;
  impl_->infos.push_back(info);
  impl_->feeds.push_back(std::move(feed).value());
  return info;
}

bool IndicatorSet::empty() const {
  if (!impl_) return true;
  for (const auto& f : impl_->feeds) {
    if (f.indicators() != 0) return false;
  }
  return true;
}

bool IndicatorSet::needs(HashKind kind) const {
  if (!impl_) return false;
  for (const auto& f : impl_->feeds) {
    if (f.table(kind).size() != 0) return true;
  }
  return false;
}

const std::vector<FeedInfo>& IndicatorSet::feeds() const {
  static const std::vector<FeedInfo> kNone;
  return impl_ ? impl_->infos : kNone;
}

std::vector<IocMatch> IndicatorSet::match_file(const FileHashes& hashes) const {
  std::vector<IocMatch> matches;
  if (!impl_) return matches;
  const std::pair<HashKind, const std::string*> wanted[] = {
      {HashKind::kSha256, &hashes.sha256},
      {HashKind::kSha1, hashes.sha1 ? &*hashes.sha1 : nullptr},
      {HashKind::kMd5, hashes.md5 ? &*hashes.md5 : nullptr},
  };
  std::array<std::uint8_t, 32> key{};
  for (const auto& [kind, hex] : wanted) {
    if (hex == nullptr || !ioc::decode_hex(*hex, key.data(), ioc::kind_width(kind))) continue;
    for (std::size_t i = 0; i < impl_->feeds.size(); ++i) {
      const ioc::Feed& feed = impl_->feeds[i];
      if (const auto label = feed.table(kind).find(key.data())) {
        matches.push_back(IocMatch{findings::kIocHash, impl_->infos[i].name,
                                   std::string(feed.labels.get(*label)), lower(*hex)});
      }
    }
  }
  return matches;
}

std::vector<IocMatch> IndicatorSet::match_certificate(
    const authenticode::CertificateInfo& cert) const {
  std::vector<IocMatch> matches;
  if (!impl_) return matches;
  std::array<std::uint8_t, 32> key{};
  const auto serial = ioc::normalize_serial(cert.serial);
  for (std::size_t i = 0; i < impl_->feeds.size(); ++i) {
    const ioc::Feed& feed = impl_->feeds[i];
    const std::string& name = impl_->infos[i].name;
    const std::pair<const ioc::DigestTable*, const std::string*> thumbprints[] = {
        {&feed.cert_sha1, &cert.sha1}, {&feed.cert_sha256, &cert.sha256}};
    for (const auto& [table, hex] : thumbprints) {
      if (table->size() == 0 || !ioc::decode_hex(*hex, key.data(), table->width())) continue;
      if (const auto label = table->find(key.data())) {
        matches.push_back(IocMatch{findings::kIocSigner, name, std::string(feed.labels.get(*label)),
                                   lower(*hex)});
      }
    }
    if (!serial) continue;
    const auto it = feed.serials.find(*serial);
    if (it == feed.serials.end()) continue;
    for (const auto& entry : it->second) {
      if (!ioc::issuer_matches(entry.pattern, cert.issuer)) continue;
      std::string value = "serial " + *serial;
      if (!entry.pattern.any()) value += ", issuer " + cert.issuer;
      matches.push_back(
          IocMatch{findings::kIocSigner, name, std::string(feed.labels.get(entry.label)), value});
    }
  }
  return matches;
}

}  // namespace cascade::scan
