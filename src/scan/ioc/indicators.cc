#include "scan/ioc/indicators.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
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

namespace {

// The *.json files under a directory of advisories, sorted so that a feed reads the same way on
// every machine.
Result<std::vector<std::string>> advisory_files(const std::string& directory) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(directory, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".json") continue;
    if (files.size() >= kMaxOsvDirectoryFiles) {
      return make_error(
          ErrorCode::kLimit,
          directory + ": more than " + std::to_string(kMaxOsvDirectoryFiles) + " advisory files");
    }
    files.push_back(it->path().string());
  }
  if (ec) return make_error(ErrorCode::kIo, directory + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

Result<FeedInfo> IndicatorSet::load_directory(const std::string& path) {
  auto files = advisory_files(path);
  if (!files) return files.error();
  if (files->empty()) {
    return make_error(ErrorCode::kUnsupported,
                      path + ": no *.json advisory files in this directory");
  }
  ioc::Feed feed;
  feed.format = FeedFormat::kOsv;
  // The feed's identity is the digest of its files' names and digests, in order.
  std::string listing;
  for (const auto& file_path : *files) {
    auto file = MappedFile::open(file_path);
    if (!file) {
      return make_error(ErrorCode::kIo, file_path + ": cannot read: " + file.error().message);
    }
    if (auto added = ioc::add_osv_file(file->bytes(), file_path, feed); !added) {
      return added.error();
    }
    listing += file_path.substr(path.size()) + " " +
               to_hex(digest(DigestAlgorithm::kSha256, file->bytes())) + "\n";
  }
  FeedInfo info;
  info.path = path;
  info.name = base_name(path);
  info.format = FeedFormat::kOsv;
  info.sha256 =
      to_hex(digest(DigestAlgorithm::kSha256,
                    Bytes(reinterpret_cast<const std::uint8_t*>(listing.data()), listing.size())));
  info.indicators = feed.indicators();
  info.skipped = feed.skipped;
  impl_->infos.push_back(info);
  impl_->feeds.push_back(std::move(feed));
  return info;
}

Result<FeedInfo> IndicatorSet::load(const std::string& path) {
  if (!impl_) impl_ = std::make_unique<Impl>();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return load_directory(path);
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
                                   std::string(feed.labels.get(*label)), lower(*hex), i});
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
                                   lower(*hex), i});
      }
    }
    if (!serial) continue;
    const auto it = feed.serials.find(*serial);
    if (it == feed.serials.end()) continue;
    for (const auto& entry : it->second) {
      if (!ioc::issuer_matches(entry.pattern, cert.issuer)) continue;
      std::string value = "serial " + *serial;
      if (!entry.pattern.any()) value += ", issuer " + cert.issuer;
      matches.push_back(IocMatch{findings::kIocSigner, name,
                                 std::string(feed.labels.get(entry.label)), value, i});
    }
  }
  return matches;
}

void IndicatorSet::for_each_hash(
    const std::function<void(std::size_t feed, HashKind kind, std::span<const std::uint8_t> digest,
                             std::string_view label)>& visit) const {
  if (!impl_) return;
  for (std::size_t f = 0; f < impl_->feeds.size(); ++f) {
    const ioc::Feed& feed = impl_->feeds[f];
    for (const HashKind kind : {HashKind::kSha256, HashKind::kSha1, HashKind::kMd5}) {
      const ioc::DigestTable& table = feed.table(kind);
      for (std::size_t i = 0; i < table.appended(); ++i) {
        visit(f, kind, std::span<const std::uint8_t>(table.key_at(i), table.width()),
              feed.labels.get(table.label_at(i)));
      }
    }
  }
}

std::uint64_t IndicatorSet::signer_indicators() const {
  if (!impl_) return 0;
  std::uint64_t n = 0;
  for (const auto& feed : impl_->feeds) {
    n += feed.cert_sha1.size() + feed.cert_sha256.size();
    for (const auto& [serial, entries] : feed.serials) n += entries.size();
  }
  return n;
}

void IndicatorSet::for_each_advisory(
    const std::function<void(std::size_t feed, const OsvAdvisory& advisory)>& visit) const {
  if (!impl_) return;
  for (std::size_t f = 0; f < impl_->feeds.size(); ++f) {
    for (const auto& advisory : impl_->feeds[f].advisories) visit(f, advisory);
  }
}

}  // namespace cascade::scan
