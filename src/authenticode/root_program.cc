#include "authenticode/root_program.h"

#include <openssl/pem.h>

#include <algorithm>
#include <map>

#include "authenticode/pkcs7_reader.h"
#include "authenticode/trust_list.h"
#include "authenticode/trust_store.h"
#include "core/der.h"
#include "core/digest.h"
#include "core/utf8.h"

namespace cascade::authenticode {

namespace {

// Certificate property identifiers as authroot.stl carries them (CERT_*_PROP_ID, under
// 1.3.6.1.4.1.311.10.11.).
constexpr std::string_view kPropPurposes = "1.3.6.1.4.1.311.10.11.9";
constexpr std::string_view kPropFriendlyName = "1.3.6.1.4.1.311.10.11.11";
constexpr std::string_view kPropDisallowedFrom = "1.3.6.1.4.1.311.10.11.104";
constexpr std::string_view kPropDisallowedPurposes = "1.3.6.1.4.1.311.10.11.122";
constexpr std::string_view kPropNotBefore = "1.3.6.1.4.1.311.10.11.126";
constexpr std::string_view kPropNotBeforePurposes = "1.3.6.1.4.1.311.10.11.127";
constexpr std::string_view kRootListUsage = "1.3.6.1.4.1.311.10.3.9";
constexpr std::size_t kMaxPurposes = 64;

// A property value: an OCTET STRING whose contents are the property's bytes.
std::optional<Bytes> property(const TrustListSubject& subject, std::string_view oid) {
  const TrustListAttribute* attribute = subject.find(oid);
  if (attribute == nullptr || attribute->values.empty()) return std::nullopt;
  ByteReader r(attribute->values.front());
  auto octets = der::expect(r, der::kOctetString);
  if (!octets) return std::nullopt;
  return octets->contents;
}

// An EKU property: the DER of SEQUENCE OF OBJECT IDENTIFIER.
std::optional<std::vector<std::string>> purposes(Bytes encoded) {
  ByteReader r(encoded);
  auto seq = der::expect(r, der::kSequence);
  if (!seq) return std::nullopt;
  std::vector<std::string> out;
  ByteReader s(seq->contents);
  while (!s.empty() && out.size() < kMaxPurposes) {
    auto oid = der::expect(s, der::kObjectId);
    if (!oid) return std::nullopt;
    auto text = oid_to_text(oid->contents);
    if (!text) return std::nullopt;
    out.push_back(*text);
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::optional<RootProgramEntry> read_entry(const TrustListSubject& subject) {
  if (subject.identifier.size() != 20) return std::nullopt;
  RootProgramEntry entry;
  std::copy(subject.identifier.begin(), subject.identifier.end(), entry.sha1.begin());
  if (auto name = property(subject, kPropFriendlyName))
    entry.friendly_name = utf16le_to_utf8(*name);
  if (auto eku = property(subject, kPropPurposes)) {
    auto list = purposes(*eku);
    if (!list) return std::nullopt;
    entry.all_purposes = false;
    entry.purposes = std::move(*list);
  }
  if (auto eku = property(subject, kPropDisallowedPurposes)) {
    auto list = purposes(*eku);
    if (!list) return std::nullopt;
    entry.disallowed = std::move(*list);
  }
  if (auto eku = property(subject, kPropNotBeforePurposes)) {
    auto list = purposes(*eku);
    if (!list) return std::nullopt;
    entry.not_before_purposes = std::move(*list);
  }
  if (auto t = property(subject, kPropDisallowedFrom))
    entry.disallowed_from = filetime_to_epoch(*t);
  if (auto t = property(subject, kPropNotBefore)) entry.not_before = filetime_to_epoch(*t);
  return entry;
}

std::string sha256_hex(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  return to_hex(Bytes(md, len));
}

}  // namespace

bool RootProgramEntry::allows(std::string_view purpose) const {
  if (contains(disallowed, purpose)) return false;
  return all_purposes || contains(purposes, purpose);
}

std::string RootProgramEntry::refusal(std::string_view purpose, std::time_t leaf_not_before,
                                      std::time_t at) const {
  const std::string name = friendly_name.empty() ? "the root" : "root \"" + friendly_name + "\"";
  if (!allows(purpose)) {
    return name + " is not trusted by Microsoft's root program for " + std::string(purpose);
  }
  if (disallowed_from && at >= *disallowed_from) {
    return name + " is disallowed by Microsoft's root program since " +
           format_time(*disallowed_from) + " (judged at " + format_time(at) + ")";
  }
  if (not_before && leaf_not_before >= *not_before &&
      (not_before_purposes.empty() || contains(not_before_purposes, purpose))) {
    return name + " anchors no certificate issued from " + format_time(*not_before) +
           " on; the signer's was issued " + format_time(leaf_not_before);
  }
  return {};
}

std::array<std::uint8_t, 20> certificate_sha1(X509* cert) {
  std::array<std::uint8_t, 20> out{};
  unsigned int len = 0;
  X509_digest(cert, EVP_sha1(), out.data(), &len);
  return out;
}

const RootProgramEntry* RootProgram::find(std::span<const std::uint8_t> sha1) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), sha1, [](const auto& e, auto key) {
    return std::lexicographical_compare(e.sha1.begin(), e.sha1.end(), key.begin(), key.end());
  });
  if (it == entries.end() ||
      !std::equal(it->sha1.begin(), it->sha1.end(), sha1.begin(), sha1.end())) {
    return nullptr;
  }
  return &*it;
}

std::vector<ossl::X509Ptr> read_certificates(Bytes pem_or_der) {
  std::vector<ossl::X509Ptr> out;
  if (pem_or_der.empty() || pem_or_der.size() > INT32_MAX) return out;
  const unsigned char* p = pem_or_der.data();
  if (pem_or_der[0] == 0x30) {
    if (X509* cert = d2i_X509(nullptr, &p, static_cast<long>(pem_or_der.size()))) {
      out.emplace_back(cert);
    }
    ossl::take_errors();
    return out;
  }
  ossl::BioPtr bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ossl::take_errors();  // the loop ends on a "no start line" error by design
  return out;
}

Result<RootProgram> load_root_program(Bytes stl, Bytes roots_pem,
                                      std::span<const std::string_view> pinned_sha256) {
  auto signed_list = read_signed_trust_list(stl);
  if (!signed_list) return signed_list.error();
  const TrustList& list = signed_list->list;
  if (!contains(list.usages, kRootListUsage)) {
    return make_error(ErrorCode::kMalformed, "not a root list (subject usage " +
                                                 std::string(kRootListUsage) + " missing)");
  }
  auto roots = read_certificates(roots_pem);
  std::vector<ossl::X509Ptr> pinned;
  for (const auto& cert : roots) {
    if (std::find(pinned_sha256.begin(), pinned_sha256.end(), sha256_hex(cert.get())) !=
        pinned_sha256.end()) {
      X509_up_ref(cert.get());
      pinned.emplace_back(cert.get());
    }
  }
  if (pinned.empty()) {
    return make_error(ErrorCode::kUsage,
                      "the roots file holds none of the roots that may sign "
                      "the list");
  }
  RootProgram program;
  // The signer is judged at the list's own date: the list is data, valid as issued.
  const TrustStore pins =
      TrustStore::from_anchors(AnchorSet::kMicrosoftRootProgram, std::move(pinned));
  program.list_signature =
      verify_signature(*signed_list->signature, nullptr, pins, list.this_update,
                       TrustStore::Usage::kRootListSigning, SignatureFamily::kWindows);
  const Signature& sig = program.list_signature;
  if (!sig.signature_ok || !sig.chain.trusted) {
    return make_error(
        ErrorCode::kCrypto,
        "the root list's signature does not verify against Microsoft's pinned roots: " +
            (sig.signature_ok ? sig.chain.error : sig.signature_error));
  }
  if (!list.error.empty()) return make_error(ErrorCode::kLimit, "root list: " + list.error);
  program.listed = list.subjects.size();
  program.sequence_number = to_hex(list.sequence_number);
  program.this_update = list.this_update;
  std::map<std::array<std::uint8_t, 20>, ossl::X509Ptr*> by_sha1;
  for (auto& cert : roots) by_sha1.emplace(certificate_sha1(cert.get()), &cert);
  for (const auto& subject : list.subjects) {
    auto entry = read_entry(subject);
    if (!entry) return make_error(ErrorCode::kMalformed, "a root list entry is malformed");
    if (auto it = by_sha1.find(entry->sha1); it != by_sha1.end() && *it->second) {
      entry->certificate = std::move(*it->second);
      program.entries.push_back(std::move(*entry));
    }
  }
  std::sort(program.entries.begin(), program.entries.end(),
            [](const auto& a, const auto& b) { return a.sha1 < b.sha1; });
  return program;
}

}  // namespace cascade::authenticode
