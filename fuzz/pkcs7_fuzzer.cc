// Authenticode PKCS#7: SpcIndirectDataContent, nested signatures, RFC 3161 and PKCS#9
// countersignatures, signer lookup and chain building.
#include <cstddef>
#include <cstdint>

#include "authenticode/pkcs7_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto trust = cascade::authenticode::TrustStore::create({});
  std::vector<std::unique_ptr<cascade::authenticode::ParsedSignature>> parsed;
  cascade::authenticode::read_signatures(cascade::Bytes(data, size), 0, parsed);
  const cascade::Digest zero(32, 0);
  for (const auto& sig : parsed) {
    (void)cascade::authenticode::verify_signature(*sig, &zero, trust.value(), 1700000000);
  }
  return 0;
}
