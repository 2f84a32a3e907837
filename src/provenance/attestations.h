// Reading attestation files for verify: DSSE envelopes (one JSON document, or `.intoto.jsonl`
// bundles of one envelope a line, or Sigstore bundles' dsseEnvelope) and in-toto links. Each
// one is verified against the policy's keys; rejected ones are kept, with the finding that
// says why, so a report can show every attestation it was given.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "provenance/keys.h"
#include "provenance/statement.h"

namespace cascade::provenance {

enum class AttestationStatus {
  kVerified,  // signature checked with a trusted key, statement read, builder authorised
  kRejected,  // see `finding`
  kIgnored,   // a document that makes no claim verify uses (another payload type, ...)
};

std::string_view status_name(AttestationStatus status);

// The kind of document an attestation came in.
enum class AttestationForm {
  kDsse,        // a DSSE envelope (alone, a line of a bundle, or a Sigstore bundle's)
  kInTotoLink,  // an in-toto link with its own signatures
  kUnknown,     // unreadable, or neither of those
};
constexpr std::string_view form_name(AttestationForm form) {
  switch (form) {
    case AttestationForm::kDsse:
      return "dsse";
    case AttestationForm::kInTotoLink:
      return "in-toto-link";
    case AttestationForm::kUnknown:
      return "unknown";
  }
  return "unknown";
}

struct Attestation {
  std::string source;  // "file:line" (line 1 for a single document)
  AttestationForm form = AttestationForm::kUnknown;
  AttestationStatus status = AttestationStatus::kRejected;
  std::string key_label;  // the policy key that verified (or failed)
  std::string key_id;
  std::optional<Finding> finding;  // why rejected
  std::string note;                // why ignored
  BuildRecord record;              // when verified
};

// Largest attestation file read.
inline constexpr std::size_t kMaxAttestationFileBytes = std::size_t{1} << 30;

// Reads and checks every document of `text` (the bytes of file `origin`). A document, or a
// statement a trusted key signed, that repeats a JSON key is an error (ErrorCode::kAmbiguous,
// naming "file:line" and the key), not a rejected attestation: verify stops.
Result<std::vector<Attestation>> check_attestation_text(std::string_view text,
                                                        const std::string& origin,
                                                        std::span<const TrustedKey> keys,
                                                        unsigned threads);

// Reads each file; an unreadable file is one rejected attestation.
Result<std::vector<Attestation>> load_attestations(const std::vector<std::string>& paths,
                                                   std::span<const TrustedKey> keys,
                                                   unsigned threads);

}  // namespace cascade::provenance
