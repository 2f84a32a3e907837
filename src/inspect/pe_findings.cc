#include "inspect/pe_findings.h"
#include "core/finding_catalogue.h"

#include <algorithm>
#include <cstdio>

namespace cascade {

namespace {

std::string hex32(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string entropy_text(double e) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", e);
  return buf;
}

std::string signature_label(const authenticode::Signature& sig) {
  std::string label = sig.kind == authenticode::SignatureKind::kCatalog
                          ? "catalog signature (" + sig.catalog + ")"
                          : "signature " + std::to_string(sig.entry_index + 1);
  if (sig.depth > 0) label += " (nested, level " + std::to_string(sig.depth) + ")";
  if (sig.signer) label += " by " + sig.signer->subject;
  return label;
}

void add_header_findings(FileReport& report) {
  const pe::PeImage& image = *report.pe;
  if (image.checksum_stored != 0 && image.checksum_stored != image.checksum_computed) {
    report.findings.push_back(make_finding(findings::kPeChecksumMismatch,
                                           "stored checksum " + hex32(image.checksum_stored) +
                                               ", computed " + hex32(image.checksum_computed)));
  }
  for (const auto& s : image.sections) {
    if (s.executable() && s.writable()) {
      report.findings.push_back(make_finding(findings::kPeWxSection,
                                             "section " + s.name + " is writable and executable"));
    }
  }
  for (const auto& anomaly : image.anomalies) {
    report.findings.push_back(make_finding(findings::kPeMalformed, anomaly));
  }
  if (report.overlay) {
    report.findings.push_back(make_finding(
        findings::kPeOverlay, std::to_string(report.overlay->size) + " bytes at offset " +
                                  hex32(report.overlay->offset) + ", entropy " +
                                  entropy_text(report.overlay_entropy)));
  }
}

void add_table_findings(FileReport& report) {
  const auto& table = *report.certificate_table;
  for (const auto& error : table.errors) {
    report.findings.push_back(make_finding(findings::kSignatureMalformed, error));
  }
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    const auto& entry = table.entries[i];
    const std::string label = "certificate entry " + std::to_string(i + 1);
    if (!entry.error.empty()) {
      report.findings.push_back(
          make_finding(findings::kSignatureMalformed, label + ": " + entry.error));
    }
    if (entry.padding) {
      report.findings.push_back(make_finding(findings::kSignaturePadding,
                                             label + ": " + std::to_string(entry.padding->size) +
                                                 " bytes after the PKCS#7 blob at offset " +
                                                 hex32(entry.padding->offset) + ", entropy " +
                                                 entropy_text(entry.padding_entropy) +
                                                 " (outside the signed digest; CVE-2013-3900)"));
    }
  }
  if (table.trailing) {
    report.findings.push_back(make_finding(findings::kSignatureTrailingData,
                                           std::to_string(table.trailing->size) +
                                               " bytes after the certificate table at offset " +
                                               hex32(table.trailing->offset)));
  }
}

}  // namespace

Finding chain_finding(const authenticode::ChainResult& chain, const std::string& label) {
  const std::string why = label + ": " + chain.error + " (judged by " +
                          std::string(authenticode::anchor_set_name(chain.trust_set)) + ")";
  switch (chain.problem) {
    case authenticode::ChainProblem::kSpoofedAnchor:
      return make_finding(findings::kSignatureSpoofedChain, why);
    case authenticode::ChainProblem::kLeafUsage:
      return make_finding(findings::kSignatureWrongUsage, why);
    default:
      return make_finding(findings::kSignatureUntrusted, why);
  }
}

void add_authenticode_findings(FileReport& report) {
  bool any_strong = false;
  for (const auto& sig : report.signatures) {
    const std::string label = signature_label(sig);
    if (!sig.error.empty()) {
      report.findings.push_back(
          make_finding(findings::kSignatureMalformed, label + ": " + sig.error));
    }
    if (!sig.computed_digest.empty() && !sig.digest_ok) {
      report.findings.push_back(make_finding(findings::kSignatureDigestMismatch,
                                             label + ": signed " + sig.digest_algorithm + " " +
                                                 sig.signed_digest + ", file has " +
                                                 sig.computed_digest));
    }
    if (!sig.signed_digest.empty() && !sig.signature_ok && sig.error.empty()) {
      report.findings.push_back(
          make_finding(findings::kSignatureInvalid, label + ": " + sig.signature_error));
    }
    if (sig.signer && !sig.chain.trusted)
      report.findings.push_back(chain_finding(sig.chain, label));
    if (sig.signer && !sig.signer_time_valid) {
      report.findings.push_back(make_finding(
          findings::kSignatureExpired,
          label + ": certificate valid " + sig.signer->not_before + " to " + sig.signer->not_after +
              ", judged at " + std::string(authenticode::validity_basis_name(sig.validity_basis))));
    }
    for (const auto& ts : sig.timestamps) {
      if (!ts.cryptographically_valid()) {
        report.findings.push_back(make_finding(
            findings::kSignatureTimestampInvalid,
            label + ": " + std::string(authenticode::timestamp_kind_name(ts.kind)) +
                " timestamp: " +
                (ts.error.empty() ? std::string("it stamps another signature") : ts.error)));
      }
    }
    // Only a readable signature with a SHA-2 digest makes the file's signing strong.
    const bool strong = sig.digest_algorithm == "sha256" || sig.digest_algorithm == "sha384" ||
                        sig.digest_algorithm == "sha512";
    any_strong = any_strong || (strong && sig.error.empty());
  }
  if (!report.signatures.empty() && !any_strong) {
    report.findings.push_back(make_finding(findings::kSignatureWeakDigest,
                                           "no readable signature uses a SHA-2 image digest"));
  }
}

// A signature that vouches for the whole image as its publisher built it: the digest matches,
// the signature verifies, and the chain reaches an anchor trusted for code signing.
bool vouched_for_by_trusted_signer(const FileReport& report) {
  return std::any_of(report.signatures.begin(), report.signatures.end(), [](const auto& s) {
    return s.digest_ok && s.signature_ok && s.chain.trusted && s.error.empty();
  });
}

// Layout choices a trusted publisher signed are the publisher's, not an intruder's: on such a
// file they are worth knowing (low), not a sign of tampering (docs/findings.md).
void weigh_by_signature(FileReport& report) {
  if (!vouched_for_by_trusted_signer(report)) return;
  for (auto& f : report.findings) {
    if (f.is(findings::kPeWxSection) && f.severity > Severity::kLow) {
      f.severity = Severity::kLow;
      f.message += " (the image is signed as built by a trusted publisher)";
    }
  }
}

void add_pe_findings(FileReport& report) {
  add_header_findings(report);
  if (!report.certificate_table) {
    // A file a catalog vouches for is signed, the way most of Windows is.
    if (report.signatures.empty()) {
      report.findings.push_back(make_finding(findings::kSignatureMissing, "no certificate table"));
    } else {
      add_authenticode_findings(report);
      weigh_by_signature(report);
    }
    return;
  }
  add_table_findings(report);
  add_authenticode_findings(report);
  const bool any_embedded =
      std::any_of(report.signatures.begin(), report.signatures.end(),
                  [](const auto& s) { return s.kind == authenticode::SignatureKind::kEmbedded; });
  if (!any_embedded && report.certificate_table->errors.empty()) {
    report.findings.push_back(make_finding(findings::kSignatureMalformed,
                                           "certificate table holds no readable signature"));
  }
  weigh_by_signature(report);
}

}  // namespace cascade
