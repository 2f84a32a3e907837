// Indicator feeds: arbitrary bytes as a feed file (detection, hash lists, CSV, STIX JSON and
// patterns, signer lists), then lookups in what loaded; the same bytes as a STIX pattern, a
// serial number and an issuer name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scan/ioc/feed_internal.h"

namespace ioc = cascade::scan::ioc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cascade::Bytes bytes(data, size);
  auto feed = ioc::parse_feed(bytes, "fuzz");
  if (feed.ok()) {
    (void)feed->indicators();
    std::uint8_t probe[32] = {};
    for (std::size_t i = 0; i < sizeof probe && i < size; ++i) probe[i] = data[i];
    for (const ioc::DigestTable* t :
         {&feed->md5, &feed->sha1, &feed->sha256, &feed->cert_sha1, &feed->cert_sha256}) {
      if (auto label = t->find(probe)) (void)feed->labels.get(*label);
    }
    for (const auto& [serial, entries] : feed->serials) {
      for (const auto& e : entries) (void)ioc::issuer_matches(e.pattern, e.issuer);
    }
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ioc::hash_pattern(text);
  (void)ioc::normalize_serial(text);
  (void)ioc::issuer_matches(ioc::parse_issuer(text), "CN=Test CA,O=Example\\, Inc.,C=US");
  return 0;
}
