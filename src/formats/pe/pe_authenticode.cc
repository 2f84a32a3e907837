#include "formats/pe/pe_authenticode.h"

#include <openssl/objects.h>
#include <openssl/pkcs7.h>

#include <algorithm>

#include "authenticode/pkcs7_reader.h"

namespace cascade::authenticode {

AuthenticodeAnalysis::AuthenticodeAnalysis(AuthenticodeAnalysis&&) noexcept = default;
AuthenticodeAnalysis& AuthenticodeAnalysis::operator=(AuthenticodeAnalysis&&) noexcept = default;
AuthenticodeAnalysis::~AuthenticodeAnalysis() = default;

std::vector<std::pair<std::uint64_t, std::uint64_t>> authenticode_exclusions(
    const pe::PeImage& image, const std::optional<CertificateTable>& table) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  out.emplace_back(image.checksum_field_offset, image.checksum_field_offset + 4);
  if (image.security_entry_offset) {
    out.emplace_back(*image.security_entry_offset, *image.security_entry_offset + 8);
  }
  if (table && table->region.size != 0) {
    out.emplace_back(table->region.offset, table->region.offset + table->region.size);
  }
  return out;
}

bool needs_catalog_padding(Bytes file, const std::optional<CertificateTable>& table) {
  return !table && file.size() % 8 != 0;
}

Digest catalog_image_digest(Bytes file, const pe::PeImage& image, DigestAlgorithm algorithm) {
  auto excluded = authenticode_exclusions(image, std::nullopt);
  std::sort(excluded.begin(), excluded.end());
  Hasher hasher(algorithm);
  std::uint64_t at = 0;
  for (const auto& [begin, end] : excluded) {
    const std::uint64_t stop = std::min<std::uint64_t>(begin, file.size());
    if (stop > at) hasher.update(file.subspan(at, stop - at));
    at = std::max(at, std::min<std::uint64_t>(end, file.size()));
  }
  if (at < file.size()) hasher.update(file.subspan(at));
  static constexpr std::uint8_t kZeros[8] = {};
  if (file.size() % 8 != 0) hasher.update(Bytes(kZeros, 8 - file.size() % 8));
  return hasher.finish();
}

SignatureFamily pe_signature_family(const pe::PeImage& image) {
  switch (image.subsystem) {
    case 10:  // EFI application
    case 11:  // EFI boot service driver
    case 12:  // EFI runtime driver
    case 13:  // EFI ROM
    case 16:  // Windows boot application (bootmgr): judged by the Secure Boot db as well
      return SignatureFamily::kUefi;
    default:
      return SignatureFamily::kWindows;
  }
}

AuthenticodeAnalysis AuthenticodeAnalysis::read(Bytes file, const pe::PeImage& image) {
  AuthenticodeAnalysis analysis;
  analysis.family_ = pe_signature_family(image);
  analysis.table_ = read_certificate_table(file, image);
  analysis.excluded_ = authenticode_exclusions(image, analysis.table_);
  if (!analysis.table_) return analysis;
  measure_entries(file, *analysis.table_);
  for (std::size_t i = 0; i < analysis.table_->entries.size(); ++i) {
    const auto& entry = analysis.table_->entries[i];
    if (!entry.der_size) continue;
    read_signatures(*slice(file, entry.certificate.offset, *entry.der_size), i,
                    analysis.signatures_);
  }
  for (const auto& sig : analysis.signatures_) {
    if (sig->algorithm && std::find(analysis.algorithms_.begin(), analysis.algorithms_.end(),
                                    *sig->algorithm) == analysis.algorithms_.end()) {
      analysis.algorithms_.push_back(*sig->algorithm);
    }
  }
  return analysis;
}

std::vector<HashJob> AuthenticodeAnalysis::digest_jobs() const {
  std::vector<HashJob> jobs;
  for (auto algorithm : algorithms_) jobs.push_back({algorithm, excluded_});
  return jobs;
}

std::vector<Signature> AuthenticodeAnalysis::verify(const std::vector<Digest>& digests,
                                                    const TrustStore& trust,
                                                    std::time_t now) const {
  std::vector<Signature> out;
  for (const auto& parsed : signatures_) {
    const Digest* computed = nullptr;
    for (std::size_t i = 0; i < algorithms_.size() && i < digests.size(); ++i) {
      if (parsed->algorithm && algorithms_[i] == *parsed->algorithm) computed = &digests[i];
    }
    out.push_back(
        verify_signature(*parsed, computed, trust, now, TrustStore::Usage::kCodeSigning, family_));
  }
  return out;
}

}  // namespace cascade::authenticode
