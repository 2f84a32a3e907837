// Checking the embedded signature: page hashes, special-slot hashes, the CMS signature over the
// primary CodeDirectory and its signer's chain.
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>

#include "authenticode/trust_store.h"
#include "core/openssl_handles.h"
#include "formats/macho/codesign.h"

namespace cascade::macho {

namespace {

struct SpecialSlot {
  std::uint32_t slot;
  const char* name;
};

// The special slots whose blobs live in the signature (the info plist, slot 1, and the
// resource directory, slot 3, are files of the bundle and cannot be checked from the binary).
constexpr SpecialSlot kSpecialSlots[] = {
    {kCsSlotRequirements, "requirements"},
    {kCsSlotEntitlements, "entitlements"},
    {kCsSlotEntitlementsDer, "entitlements-der"},
};

bool hash_matches(const detail::DirectoryLayout& layout, Bytes data, Bytes expected) {
  const Digest d = digest(*layout.algorithm, data);
  return expected.size() <= d.size() && std::equal(expected.begin(), expected.end(), d.begin());
}

// Compares code slot `slot` with the hash of file page `page`, the last page cut at code_limit.
bool page_ok(Bytes slice, const detail::DirectoryLayout& layout, std::uint64_t slot,
             std::uint64_t page) {
  const CodeDirectory& cd = layout.info;
  const Bytes expected = layout.blob.subspan(
      static_cast<std::size_t>(layout.hash_offset + slot * layout.hash_size), layout.hash_size);
  std::uint64_t begin = 0;
  std::uint64_t end = cd.code_limit;
  if (cd.page_size != 0) {
    if (page > cd.code_limit / cd.page_size) return false;
    begin = page * cd.page_size;
    end = std::min<std::uint64_t>(begin + cd.page_size, cd.code_limit);
    if (begin >= end) return false;  // a slot for a page beyond the code limit
  }
  auto data = cascade::slice(slice, begin, end - begin);
  return data && hash_matches(layout, *data, expected);
}

void verify_pages(Bytes slice, const detail::DirectoryLayout& layout, CodeDirectory& out) {
  auto check = [&](std::uint64_t slot, std::uint64_t page) {
    if (page_ok(slice, layout, slot, page)) return;
    ++out.bad_pages;
    if (!out.first_bad_page) out.first_bad_page = static_cast<std::uint32_t>(page);
  };
  if (layout.scatter.empty()) {
    for (std::uint64_t slot = 0; slot < layout.info.code_slots; ++slot) check(slot, slot);
    return;
  }
  // Scatter vectors map consecutive hash slots to runs of pages (xnu's cs_find_scatter).
  std::uint64_t slot = 0;
  for (const auto& [first_page, count] : layout.scatter) {
    for (std::uint64_t i = 0; i < count; ++i) check(slot + i, std::uint64_t{first_page} + i);
    slot += count;
  }
}

void verify_special_slots(const detail::DirectoryLayout& layout,
                          const std::vector<detail::BlobRef>& blobs, CodeDirectory& out) {
  for (const auto& special : kSpecialSlots) {
    std::optional<Bytes> bound;
    if (special.slot <= layout.info.special_slots) {
      const Bytes h = layout.blob.subspan(
          static_cast<std::size_t>(layout.hash_offset -
                                   std::uint64_t{special.slot} * layout.hash_size),
          layout.hash_size);
      if (std::any_of(h.begin(), h.end(), [](std::uint8_t b) { return b != 0; })) bound = h;
    }
    auto blob = std::find_if(blobs.begin(), blobs.end(),
                             [&](const detail::BlobRef& b) { return b.slot == special.slot; });
    const bool present = blob != blobs.end();
    if (!bound && !present) continue;
    if (bound && present && hash_matches(layout, blob->blob, *bound)) continue;
    out.bad_special_slots.emplace_back(special.name);
  }
}

std::optional<std::string> signing_time(CMS_SignerInfo* si) {
  const int index = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
  X509_ATTRIBUTE* attr = index >= 0 ? CMS_signed_get_attr(si, index) : nullptr;
  ASN1_TYPE* t = attr != nullptr ? X509_ATTRIBUTE_get0_type(attr, 0) : nullptr;
  if (t == nullptr) return std::nullopt;
  const ASN1_TIME* time = t->type == V_ASN1_UTCTIME           ? t->value.utctime
                          : t->type == V_ASN1_GENERALIZEDTIME ? t->value.generalizedtime
                                                              : nullptr;
  auto epoch = authenticode::asn1_time_to_epoch(time);
  if (!epoch) return std::nullopt;
  return authenticode::format_time(*epoch);
}

// Apple marks what a certificate may sign with extensions under 1.2.840.113635.100.6.
constexpr std::pair<const char*, AppleIdentity> kAppleLeafMarkers[] = {
    {"1.2.840.113635.100.6.1.13", AppleIdentity::kDeveloperIdApplication},
    {"1.2.840.113635.100.6.1.14", AppleIdentity::kDeveloperIdInstaller},
    {"1.2.840.113635.100.6.1.9", AppleIdentity::kMacAppStore},
    {"1.2.840.113635.100.6.1.7", AppleIdentity::kMacAppStoreSubmission},
    {"1.2.840.113635.100.6.1.2", AppleIdentity::kAppleDevelopment},
    {"1.2.840.113635.100.6.1.12", AppleIdentity::kAppleDevelopment},
};
constexpr const char* kDeveloperIdIntermediateMarker = "1.2.840.113635.100.6.2.6";

bool has_extension(X509* cert, const char* oid) {
  ossl::take_errors();
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  const bool found = obj != nullptr && X509_get_ext_by_OBJ(cert, obj, -1) >= 0;
  ASN1_OBJECT_free(obj);
  return found;
}

std::string subject_field(X509* cert, int nid) {
  const X509_NAME* name = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, value);
  std::string out = len > 0 ? std::string(reinterpret_cast<char*>(utf8), len) : std::string();
  OPENSSL_free(utf8);
  return out;
}

// The Apple identity of a trusted signer: its leaf marker, and for Developer ID the marker of
// the intermediate that issued it (in the presented certificates) and the team ID.
void read_apple_identity(X509* signer, STACK_OF(X509) * certs, CodeSignature& sig) {
  for (const auto& [oid, kind] : kAppleLeafMarkers) {
    if (has_extension(signer, oid)) {
      sig.apple_identity = kind;
      break;
    }
  }
  sig.team_id = subject_field(signer, NID_organizationalUnitName);
  if (sig.apple_identity != AppleIdentity::kDeveloperIdApplication &&
      sig.apple_identity != AppleIdentity::kDeveloperIdInstaller) {
    return;
  }
  for (int i = 0; certs != nullptr && i < sk_X509_num(certs); ++i) {
    X509* cert = sk_X509_value(certs, i);
    if (X509_check_issued(cert, signer) == X509_V_OK &&
        has_extension(cert, kDeveloperIdIntermediateMarker)) {
      sig.developer_id = true;
    }
  }
  ossl::take_errors();
}

// Apple's CMS signs the primary CodeDirectory blob as detached content; its signed attributes
// also list the cdhashes of every CodeDirectory, which the SignerInfo signature covers.
void verify_cms(Bytes der, Bytes code_directory, CodeSignature& sig,
                const authenticode::TrustStore& trust, std::time_t now) {
  if (der.size() > INT_MAX || code_directory.size() > INT_MAX) {
    sig.cms_error = "CMS blob or CodeDirectory too large";
    return;
  }
  const unsigned char* p = der.data();
  ossl::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms || OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) {
    sig.cms_error = "CMS blob is not CMS SignedData: " + ossl::take_errors();
    return;
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(infos) != 1) {
    sig.cms_error = "CMS blob has " + std::to_string(sk_CMS_SignerInfo_num(infos)) +
                    " signers; Apple's have one";
    ossl::take_errors();
    return;
  }
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
  ossl::X509StackPtr certs(CMS_get1_certs(cms.get()));
  // Binds the signer certificate from the CMS certificate set to its SignerInfo.
  CMS_set1_signers_certs(cms.get(), nullptr, 0);
  X509* signer = nullptr;
  CMS_SignerInfo_get0_algs(si, nullptr, &signer, nullptr, nullptr);
  sig.signing_time = signing_time(si);
  // The content goes through a null filter: OpenSSL 3.0's CMS_verify copies a memory BIO into
  // a temporary one that it leaks when the digest BIOs cannot be set up (a garbled digest
  // algorithm), and makes no copy of any other BIO.
  ossl::BioPtr content(BIO_new(BIO_f_null()));
  BIO* memory = BIO_new_mem_buf(code_directory.data(), static_cast<int>(code_directory.size()));
  if (content && memory != nullptr) {
    BIO_push(content.get(), memory);
  } else {
    BIO_free(memory);
    content.reset();
  }
  sig.cms_signature_ok = signer != nullptr && content &&
                         CMS_verify(cms.get(), nullptr, nullptr, content.get(), nullptr,
                                    CMS_NOVERIFY | CMS_BINARY | CMS_DETACHED) == 1;
  if (signer == nullptr) {
    sig.cms_error = "signer certificate not found in the CMS blob";
  } else if (!sig.cms_signature_ok) {
    sig.cms_error = "CMS signature does not verify over the CodeDirectory: " + ossl::take_errors();
  }
  if (signer != nullptr) {
    sig.signer = authenticode::describe_certificate(signer);
    sig.chain =
        trust.verify(signer, certs.get(), now, authenticode::TrustStore::Usage::kCodeSigning,
                     authenticode::SignatureFamily::kApple);
    if (sig.chain.trusted) read_apple_identity(signer, certs.get(), sig);
  }
  ossl::take_errors();
}

}  // namespace

void verify_code_signature(Bytes slice, MachoImage& image, const authenticode::TrustStore& trust,
                           std::time_t now) {
  if (!image.code_signature) return;
  CodeSignature& sig = *image.code_signature;
  sig.cms_signature_ok = false;
  sig.cms_error.clear();
  sig.signer.reset();
  sig.chain = {};
  sig.signing_time.reset();
  sig.apple_identity = AppleIdentity::kNone;
  sig.developer_id = false;
  sig.team_id.clear();
  auto bytes = detail::signature_bytes(slice, sig);
  if (!bytes) return;
  std::vector<std::string> reported;  // parse_code_signature reported these already
  const auto blobs = detail::index_super_blob(*bytes, reported);
  std::size_t next = 0;
  const detail::BlobRef* primary = nullptr;
  for (const auto* b : detail::directory_blobs(blobs)) {
    const bool alternate = b->slot != kCsSlotCodeDirectory;
    auto layout = detail::parse_code_directory(b->blob, alternate, slice.size(), reported);
    if (!layout) continue;
    if (!alternate) primary = b;
    if (next >= sig.directories.size()) break;
    CodeDirectory& out = sig.directories[next++];
    out.bad_pages = 0;
    out.first_bad_page.reset();
    out.bad_special_slots.clear();
    out.checked = false;
    if (!layout->algorithm) continue;  // parse_code_signature reported the unknown hash type
    verify_pages(slice, *layout, out);
    verify_special_slots(*layout, blobs, out);
    out.checked = true;
  }
  auto cms = std::find_if(blobs.begin(), blobs.end(),
                          [](const detail::BlobRef& b) { return b.slot == kCsSlotSignature; });
  if (cms == blobs.end() || cms->blob.size() <= 8) return;
  if (primary == nullptr) {
    sig.cms_error = "no CodeDirectory for the CMS signature to cover";
    return;
  }
  verify_cms(cms->blob.subspan(8), primary->blob, sig, trust, now);
}

std::optional<CodeSignatureStatus> code_signature_status_from_name(std::string_view name) {
  for (const auto status : {CodeSignatureStatus::kUnsigned, CodeSignatureStatus::kMismatch,
                            CodeSignatureStatus::kMalformed, CodeSignatureStatus::kUnverifiable,
                            CodeSignatureStatus::kAdhoc, CodeSignatureStatus::kInvalid,
                            CodeSignatureStatus::kUntrusted, CodeSignatureStatus::kValid}) {
    if (code_signature_status_name(status) == name) return status;
  }
  return std::nullopt;
}

CodeSignatureStatus code_signature_status(const std::optional<CodeSignature>& signature) {
  if (!signature) return CodeSignatureStatus::kUnsigned;
  const CodeSignature& cs = *signature;
  const bool mismatch = std::any_of(
      cs.directories.begin(), cs.directories.end(),
      [](const auto& cd) { return cd.bad_pages != 0 || !cd.bad_special_slots.empty(); });
  if (mismatch) return CodeSignatureStatus::kMismatch;
  if (cs.directories.empty()) return CodeSignatureStatus::kMalformed;
  if (std::none_of(cs.directories.begin(), cs.directories.end(),
                   [](const CodeDirectory& cd) { return cd.checked; })) {
    return CodeSignatureStatus::kUnverifiable;
  }
  if (cs.adhoc) return CodeSignatureStatus::kAdhoc;
  if (!cs.cms_present) return CodeSignatureStatus::kMalformed;
  if (!cs.cms_signature_ok) return CodeSignatureStatus::kInvalid;
  return cs.chain.trusted ? CodeSignatureStatus::kValid : CodeSignatureStatus::kUntrusted;
}

}  // namespace cascade::macho
