// Authenticode for PE images: read every signature (entries and nested ones), then verify them
// against image digests the caller computes in its single pass over the file.
#pragma once

#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "authenticode/signature.h"
#include "authenticode/trust_store.h"
#include "core/digest.h"
#include "formats/pe/pe_certificate_table.h"
#include "formats/pe/pe_image.h"

namespace cascade::authenticode {

struct ParsedSignature;  // an owned PKCS#7 object and what was decoded from it

class AuthenticodeAnalysis {
 public:
  // Reads the certificate table and decodes every PKCS#7 signature in it.
  static AuthenticodeAnalysis read(Bytes file, const pe::PeImage& image);

  AuthenticodeAnalysis(AuthenticodeAnalysis&&) noexcept;
  AuthenticodeAnalysis& operator=(AuthenticodeAnalysis&&) noexcept;
  ~AuthenticodeAnalysis();

  const std::optional<CertificateTable>& table() const { return table_; }

  // The image-digest jobs the signatures need (one per algorithm), to run with the file hash.
  std::vector<HashJob> digest_jobs() const;

  // Checks every signature; `digests` holds the results of digest_jobs() in order.
  std::vector<Signature> verify(const std::vector<Digest>& digests, const TrustStore& trust,
                                std::time_t now) const;

 private:
  AuthenticodeAnalysis() = default;
  std::optional<CertificateTable> table_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> excluded_;
  std::vector<std::unique_ptr<ParsedSignature>> signatures_;
  std::vector<DigestAlgorithm> algorithms_;
  SignatureFamily family_ = SignatureFamily::kWindows;  // kUefi for EFI images
};

// The image digest of a PE file with no certificate table as a catalog lists it: Windows hashes
// an unsigned image as if zero-padded to a multiple of 8 bytes (the alignment signing adds).
// Only differs from the digest_jobs() digest when the file's size is not a multiple of 8.
Digest catalog_image_digest(Bytes file, const pe::PeImage& image, DigestAlgorithm algorithm);
bool needs_catalog_padding(Bytes file, const std::optional<CertificateTable>& table);

// Which anchors judge a PE image's signatures: the Secure Boot sets for EFI subsystems (10 to
// 13 and 16, what firmware loads), Microsoft's root program for everything else.
SignatureFamily pe_signature_family(const pe::PeImage& image);

// The byte ranges the Authenticode image digest leaves out: the CheckSum field, the security
// directory entry and the certificate table. Everything else, data after the table included,
// is hashed, as Windows does (so bytes appended after a signature break it).
std::vector<std::pair<std::uint64_t, std::uint64_t>> authenticode_exclusions(
    const pe::PeImage& image, const std::optional<CertificateTable>& table);

}  // namespace cascade::authenticode
