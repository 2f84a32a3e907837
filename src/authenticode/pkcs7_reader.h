// Decoding and checking of Authenticode PKCS#7 SignedData (internal to src/authenticode).
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <vector>

#include "authenticode/signature.h"
#include "authenticode/trust_store.h"
#include "core/digest.h"
#include "core/openssl_handles.h"
#include "core/result.h"

namespace cascade::authenticode {

struct ParsedSignature {
  ossl::Pkcs7Ptr p7;
  std::size_t entry_index = 0;
  int depth = 0;
  std::optional<DigestAlgorithm> algorithm;
  std::string algorithm_name;         // as named in the file, also when unsupported
  Digest signed_digest;               // from SpcIndirectDataContent
  std::vector<std::uint8_t> content;  // the bytes the PKCS#7 signature covers
  bool page_hashes_present = false;
  std::string error;
};

// SpcIndirectDataContent ::= SEQUENCE { SpcAttributeTypeAndOptionalValue { type, value },
//                                       DigestInfo { AlgorithmIdentifier, digest } }:
// what an Authenticode signature, and each member of a catalog, says was hashed and how.
struct IndirectData {
  Bytes signed_content;  // the SEQUENCE's contents, which a signature over it covers
  Bytes type_and_value;  // SpcAttributeTypeAndOptionalValue's contents
  std::string type_oid;  // SPC_PE_IMAGE_DATA, SPC_CAB_DATA, ...
  std::optional<DigestAlgorithm> algorithm;  // unset when unsupported
  std::string algorithm_name;                // as named, also when unsupported
  Bytes digest;
};
Result<IndirectData> decode_spc_indirect_data(Bytes encoded);

// Decodes `der` (one ContentInfo) and, recursively, the signatures nested in it, appending
// each to `out` in document order. Caps nesting depth and count.
void read_signatures(Bytes der, std::size_t entry_index,
                     std::vector<std::unique_ptr<ParsedSignature>>& out);

// Checks one decoded signature against the recomputed image digest (null when its algorithm
// is unsupported, or for a signed trust list), the trust store and the current time. The
// signer is judged for `usage` by the anchor sets of `family`; timestamps for timestamping.
Signature verify_signature(const ParsedSignature& parsed, const Digest* computed,
                           const TrustStore& trust, std::time_t now,
                           TrustStore::Usage usage = TrustStore::Usage::kCodeSigning,
                           SignatureFamily family = SignatureFamily::kWindows);

}  // namespace cascade::authenticode
