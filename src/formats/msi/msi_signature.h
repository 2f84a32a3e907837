// Authenticode for Windows Installer packages: the \x05DigitalSignature stream holds a DER
// PKCS#7 SignedData whose SpcIndirectDataContent (with SpcSipInfo) signs a digest of the
// package's streams. The PKCS#7 side is checked exactly as for PE files.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "authenticode/signature.h"
#include "authenticode/trust_store.h"
#include "core/digest.h"

namespace cascade::msi {

struct MsiSignatureCheck {
  std::vector<authenticode::Signature> signatures;  // the signature, then nested ones
  std::vector<std::string> errors;                  // streams that could not be read or decoded
  // Bytes inside \x05DigitalSignature after the DER blob: outside every digest, and not
  // caught by Windows' EnableCertPaddingCheck, which covers PE files only.
  std::uint64_t padding = 0;
  double padding_entropy = 0.0;
};

// Checks every signature against the package's digest (computed as osslsigncode and Windows
// compute it), the trust store and `now`. Empty when there is no \x05DigitalSignature stream.
MsiSignatureCheck verify_msi_signatures(Bytes data, const authenticode::TrustStore& trust,
                                        std::time_t now);

// The digest a signature using `algorithm` signs: the content of every stream, children sorted
// by signature_order, storages recursively with each storage's CLSID after its children, the
// two signature streams left out; preceded by the pre-hash of the entries' metadata (names,
// sizes, CLSIDs, state bits, times) when \x05MsiDigitalSignatureEx is present.
Result<Digest> msi_digest(Bytes data, DigestAlgorithm algorithm);

// The metadata pre-hash alone: what \x05MsiDigitalSignatureEx holds when the metadata is intact.
Result<Digest> msi_prehash(Bytes data, DigestAlgorithm algorithm);

}  // namespace cascade::msi
