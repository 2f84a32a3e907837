// What cascade reports about one Authenticode signature (top-level or nested).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
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

// The sets of anchors cascade trusts, each for one purpose (code signing is not TLS).
enum class AnchorSet {
  kMicrosoftRootProgram,  // authroot.stl: Windows' roots, each with its allowed purposes
  kSecureBoot,            // the Microsoft UEFI and Windows PCA certificates of a Secure Boot db
  kShimVendor,            // the distribution CA that shim trusts for what it loads (Debian's)
  kApple,                 // Apple's roots: Developer ID and Apple's own code
  kSystem,                // the operating system's TLS bundle, only with --system-trust
  kUser,                  // --trust files: roots or intermediates, for every kind of file
};
constexpr std::string_view anchor_set_name(AnchorSet set) {
  switch (set) {
    case AnchorSet::kMicrosoftRootProgram:
      return "microsoft-root-program";
    case AnchorSet::kSecureBoot:
      return "secure-boot";
    case AnchorSet::kShimVendor:
      return "shim-vendor";
    case AnchorSet::kApple:
      return "apple";
    case AnchorSet::kSystem:
      return "system";
    case AnchorSet::kUser:
      return "user";
  }
  return "user";
}

// Which platform's rules judge a signature, and so which anchor sets apply.
enum class SignatureFamily { kWindows, kUefi, kApple };

// Why a chain is not trusted, from the mundane to the alarming.
enum class ChainProblem {
  kNone,
  kNoAnchor,          // no path to any anchor of the applicable sets
  kAnchorRestricted,  // a path exists, but the anchor may not vouch for this (purpose, date)
  kLeafUsage,         // the signer certificate is not for this purpose (a TLS certificate)
  kSpoofedAnchor,     // names a trusted anchor but carries another key (CVE-2020-0601 style)
};

struct ChainResult {
  bool trusted = false;     // a path to a trusted root exists, and the leaf may be used so
  bool time_valid = false;  // every certificate on the path was valid at the time asked about
  std::string error;        // why not trusted
  ChainProblem problem = ChainProblem::kNoAnchor;
  // The set that anchored the chain; when untrusted, the first set that applied.
  AnchorSet trust_set = AnchorSet::kUser;
  std::vector<CertificateInfo> chain;  // signer first, as built
};

// How a timestamp was attached: an RFC 3161 token or a legacy PKCS#9 countersignature.
enum class TimestampKind { kRfc3161, kPkcs9Countersignature };
constexpr std::string_view timestamp_kind_name(TimestampKind kind) {
  return kind == TimestampKind::kRfc3161 ? "rfc3161" : "pkcs9-countersignature";
}

struct Timestamp {
  TimestampKind kind = TimestampKind::kRfc3161;
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

// Where a signature was found: in the file itself, or in a signed catalog that lists its hash.
enum class SignatureKind { kEmbedded, kCatalog };
constexpr std::string_view signature_kind_name(SignatureKind kind) {
  return kind == SignatureKind::kCatalog ? "catalog" : "embedded";
}

// The time the signer certificate's validity was judged at.
enum class ValidityBasis {
  kNotJudged,           // the signature could not be read far enough to judge it
  kNow,                 // no usable timestamp
  kTimestamp,           // a trusted timestamp
  kUntrustedTimestamp,  // a timestamp that verifies but chains to no anchor, with the signer
                        // untrusted too (so it cannot backdate a trusted signature)
};
constexpr std::string_view validity_basis_name(ValidityBasis basis) {
  switch (basis) {
    case ValidityBasis::kNotJudged:
      return "";
    case ValidityBasis::kNow:
      return "now";
    case ValidityBasis::kTimestamp:
      return "timestamp";
    case ValidityBasis::kUntrustedTimestamp:
      return "untrusted-timestamp";
  }
  return "";
}

struct Signature {
  SignatureKind kind = SignatureKind::kEmbedded;
  std::string catalog;           // kCatalog: the catalog file's path
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
  ValidityBasis validity_basis = ValidityBasis::kNotJudged;
  bool signer_time_valid = false;
  bool page_hashes_present = false;
  std::string error;  // the signature could not be read at all
};

}  // namespace cascade::authenticode
