// What one ingested document says, before it is stored: edges between nodes named by their keys,
// the names artifacts were seen under, known-bad signals (scan findings) and the certificates
// artifacts were signed with. Every format reader (scan reports, in-toto/DSSE, CycloneDX, SPDX,
// events) produces this and nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"
#include "graph/model.h"

namespace cascade::graph {

// Times are Unix seconds (UTC). An absent time is nullopt, never a sentinel.
struct EdgeFact {
  EdgeKind kind = EdgeKind::kRanOn;
  NodeRef src;  // in the stored direction (model.h)
  NodeRef dst;
  std::optional<std::int64_t> time;   // t
  std::optional<std::int64_t> until;  // u (access: end of the access; built-on: finished)
  std::string note;                   // access "via", otherwise empty

  friend bool operator==(const EdgeFact&, const EdgeFact&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const EdgeFact&, const EdgeFact&) = default;
};

struct NameFact {
  NodeRef node;
  std::string name;  // a path or file name the artifact was seen under

  friend bool operator==(const NameFact&, const NameFact&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const NameFact&, const NameFact&) = default;
};

// A known-bad signal on a node: a scan finding such as ioc.sha256 or signature.invalid.
struct SignalFact {
  NodeRef node;
  std::string finding;   // finding id
  std::string severity;  // info .. critical

  friend bool operator==(const SignalFact&, const SignalFact&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const SignalFact&, const SignalFact&) = default;
};

// Which certificate of an artifact's signatures a signer fact records: what `scan --ioc` compares
// signer indicators with, so that hunt compares the same ones.
enum class CertificateRole : std::uint8_t {
  kSigner = 0,     // an Authenticode or Mach-O code signature's signer
  kChain = 1,      // a certificate of the signer's chain to its anchor
  kTimestamp = 2,  // a timestamp authority that countersigned
};
inline constexpr int kCertificateRoleCount = 3;
std::string_view certificate_role_name(CertificateRole role);  // "signer", "chain", "timestamp"

// A certificate as reports state it: thumbprints lower-case hex, serial lower-case hex without
// separators, names in RFC 2253 form as cascade prints them.
struct CertificateFact {
  std::string sha256;
  std::string sha1;
  std::string serial;
  std::string issuer;
  std::string subject;

  friend bool operator==(const CertificateFact&, const CertificateFact&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const CertificateFact&, const CertificateFact&) = default;
};

// Whether a certificate fact is spelled as readers write it (lower-case hex thumbprints and
// serial, printable names of bounded size): readers refuse others, and `graph check` flags
// stored rows that are not.
Status check_certificate_fact(const CertificateFact& fact);

// A certificate of one of an artifact's signatures (hunt matches signer lists against them).
struct SignerFact {
  NodeRef node;
  CertificateRole role = CertificateRole::kSigner;
  CertificateFact certificate;

  friend bool operator==(const SignerFact&, const SignerFact&) = default;
  // clang-tidy 14 misreads a defaulted <=> as a literal 0 comparison.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const SignerFact&, const SignerFact&) = default;
};

// A part of the document that was skipped (a malformed events line, an SBOM component without a
// usable digest is NOT an error). line is 1-based for line-oriented formats, 0 otherwise.
struct DocumentProblem {
  std::size_t line = 0;
  std::string message;
};

enum class DocumentFormat {
  kScanReport,  // cascade.scan/1 JSON or cascade.scan-jsonl/1
  kInToto,      // in-toto Statement / DSSE envelope / .intoto.jsonl bundle / Sigstore bundle
  kCycloneDx,   // CycloneDX 1.4-1.6 JSON
  kSpdx,        // SPDX 2.3 JSON
  kEvents,      // cascade events JSON Lines (docs/events.md)
};
std::string_view document_format_name(DocumentFormat format);  // "scan", "in-toto", ...

struct Document {
  DocumentFormat format = DocumentFormat::kEvents;
  std::vector<NodeRef> nodes;  // nodes named without an edge (e.g. a release with no contents)
  std::vector<EdgeFact> edges;
  std::vector<NameFact> names;
  std::vector<SignalFact> signals;
  std::vector<SignerFact> signers;
  std::vector<DocumentProblem> problems;

  // Sorts and removes exact duplicates in every list, so a fact stated twice is stored once.
  void deduplicate();
};

// Detects the format by content and reads it. An error means nothing in the document was usable
// (not JSON, no known format, over a size cap); partial problems go to Document::problems.
// `name` is only used in messages.
Result<Document> read_document(Bytes content, std::string_view name);

}  // namespace cascade::graph
