// What cascade reports about one Authenticode signature (top-level or nested).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace cascade::authenticode {

struct CertificateInfo {
  std::string subject;
  std::string issuer;
  std::string serial;  // hex, lower case, no separators
  std::string sha1;    // thumbprints of the DER certificate
  std::string sha256;
  std::string not_before;  // RFC 3339
  std::string not_after;
  std::time_t not_before_epoch = 0;
  std::time_t not_after_epoch = 0;
};

struct ChainResult {
  bool trusted = false;     // a path to a trusted root exists, and the leaf may be used so
  bool time_valid = false;  // every certificate on the path was valid at the time asked about
  std::string error;        // why not trusted
  std::vector<CertificateInfo> chain;  // signer first, as built
};

struct Timestamp {
  std::string kind;  // "rfc3161" or "pkcs9-countersignature"
  std::string time;  // RFC 3339
  std::time_t epoch = 0;
  bool signature_ok = false;  // the TSA's signature over its statement verifies
  bool imprint_ok = false;    // it stamps this signature's encrypted digest
  std::string error;
  std::optional<CertificateInfo> signer;
  ChainResult chain;
  // A timestamp fixes the signing time only when all of this holds.
  bool trusted() const {
    return signature_ok && imprint_ok && chain.trusted && chain.time_valid && epoch != 0;
  }
  bool cryptographically_valid() const { return signature_ok && imprint_ok && epoch != 0; }
};

struct Signature {
  std::size_t entry_index = 0;   // which WIN_CERTIFICATE entry it came from
  int depth = 0;                 // 0: the entry's own signature; 1+: nested inside it
  std::string digest_algorithm;  // of the image digest (SpcIndirectDataContent)
  std::string signed_digest;     // hex
  std::string computed_digest;   // hex, recomputed from the file
  bool digest_ok = false;
  bool signature_ok = false;  // PKCS#7 signature over the content verifies with the signer key
  std::string signature_error;
  std::optional<CertificateInfo> signer;
  ChainResult chain;
  std::optional<std::string> signing_time;  // authenticated signingTime attribute (claimed)
  std::vector<Timestamp> timestamps;
  // Time the signer certificate is judged at: a trusted timestamp, else now.
  std::string validity_basis;  // "timestamp" or "now"
  bool signer_time_valid = false;
  bool page_hashes_present = false;
  std::string error;  // the signature could not be read at all
};

}  // namespace cascade::authenticode
