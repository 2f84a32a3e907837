// Microsoft Certificate Trust Lists (szOID_CTL, 1.3.6.1.4.1.311.10.1): the signed list format
// behind both the root program's authroot.stl (each trusted root by SHA-1 with its properties)
// and catalog files (.cat: each member file by hash). One reader serves both.
//
//   CertificateTrustList ::= SEQUENCE {
//     version           INTEGER OPTIONAL,          -- v1 when absent
//     subjectUsage      SEQUENCE OF OBJECT IDENTIFIER,
//     listIdentifier    OCTET STRING OPTIONAL,
//     sequenceNumber    INTEGER OPTIONAL,
//     thisUpdate        UTCTime | GeneralizedTime,
//     nextUpdate        UTCTime | GeneralizedTime OPTIONAL,
//     subjectAlgorithm  AlgorithmIdentifier,
//     trustedSubjects   SEQUENCE OF SEQUENCE {
//                         subjectIdentifier OCTET STRING,
//                         subjectAttributes SET OF Attribute OPTIONAL } OPTIONAL,
//     ctlExtensions     [0] EXPLICIT Extensions OPTIONAL }
#pragma once

#include <cstddef>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::authenticode {

struct ParsedSignature;

// Named limits: a list larger than these is read up to the cap and says so in `error`.
inline constexpr std::size_t kMaxTrustListSubjects = 1 << 20;
inline constexpr std::size_t kMaxSubjectAttributes = 64;
inline constexpr std::size_t kMaxAttributeValues = 64;

struct TrustListAttribute {
  std::string oid;
  std::vector<Bytes> values;  // each value's DER encoding (tag, length, contents)
};

struct TrustListSubject {
  Bytes identifier;  // the subject's tag: a certificate's SHA-1, or a catalog member's hash
  std::vector<TrustListAttribute> attributes;
  const TrustListAttribute* find(std::string_view oid) const;
};

struct TrustListExtension {
  std::string oid;
  Bytes value;  // extnValue's contents
};

struct TrustList {
  std::vector<std::string> usages;  // subjectUsage OIDs
  Bytes list_identifier;
  Bytes sequence_number;  // big-endian INTEGER contents
  std::time_t this_update = 0;
  std::optional<std::time_t> next_update;
  std::string subject_algorithm;  // OID of how subjects are identified
  std::vector<TrustListSubject> subjects;
  std::vector<TrustListExtension> extensions;
  std::string error;  // non-fatal: a cap cut the list short (what follows was not read)
};

// Parses a CTL from the contents octets of its outer SEQUENCE. Views point into `contents`.
Result<TrustList> parse_trust_list(Bytes contents);

// A CTL inside its PKCS#7 SignedData, as .stl and .cat files carry it. The signature is decoded
// but not yet checked: verify_signature() (pkcs7_reader.h) does that against a trust store.
struct SignedTrustList {
  SignedTrustList();
  SignedTrustList(SignedTrustList&&) noexcept;
  SignedTrustList& operator=(SignedTrustList&&) noexcept;
  ~SignedTrustList();

  TrustList list;
  std::unique_ptr<ParsedSignature> signature;
};

// Reads a signed CTL from `der`, which must outlive the result. The content may be the CTL
// SEQUENCE itself (what Microsoft's tools write) or an OCTET STRING holding it (CMS style).
Result<SignedTrustList> read_signed_trust_list(Bytes der);

// Decodes an OBJECT IDENTIFIER's contents octets to dotted text; nullopt when malformed.
std::optional<std::string> oid_to_text(Bytes contents);

// A FILETIME (100 ns ticks since 1601, little-endian, as CTL properties store it) as Unix time.
std::optional<std::time_t> filetime_to_epoch(Bytes eight_bytes);

}  // namespace cascade::authenticode
