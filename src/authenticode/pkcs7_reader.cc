#include "authenticode/pkcs7_reader.h"

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>

#include "authenticode/trust_list.h"
#include "core/der.h"

namespace cascade::authenticode {

namespace {

constexpr int kMaxDepth = 4;
constexpr std::size_t kMaxSignatures = 32;
constexpr const char* kSpcIndirectDataOid = "1.3.6.1.4.1.311.2.1.4";
constexpr const char* kNestedSignatureOid = "1.3.6.1.4.1.311.2.4.1";
constexpr const char* kRfc3161TimestampOid = "1.3.6.1.4.1.311.3.3.1";
// SpcPeImageData carries page hashes as a serialized object with one of these OIDs.
constexpr std::uint8_t kPageHashOidSha1[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                                             0x01, 0x82, 0x37, 0x02, 0x03, 0x01};
constexpr std::uint8_t kPageHashOidSha256[] = {0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                                               0x01, 0x82, 0x37, 0x02, 0x03, 0x02};

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128];
  const int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return n > 0
             ? std::string(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1))
             : std::string();
}

std::optional<DigestAlgorithm> algorithm_from_nid(int nid) {
  switch (nid) {
    case NID_md5:
      return DigestAlgorithm::kMd5;
    case NID_sha1:
      return DigestAlgorithm::kSha1;
    case NID_sha256:
      return DigestAlgorithm::kSha256;
    case NID_sha384:
      return DigestAlgorithm::kSha384;
    case NID_sha512:
      return DigestAlgorithm::kSha512;
    default:
      return std::nullopt;
  }
}

bool contains(Bytes haystack, Bytes needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

Bytes asn1_bytes(const ASN1_STRING* s) {
  if (s == nullptr || s->data == nullptr || s->length <= 0) return {};
  return Bytes(s->data, static_cast<std::size_t>(s->length));
}

PKCS7_SIGNER_INFO* first_signer(PKCS7* p7) {
  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7);
  return sk_PKCS7_SIGNER_INFO_num(infos) > 0 ? sk_PKCS7_SIGNER_INFO_value(infos, 0) : nullptr;
}

// Each value (a DER SEQUENCE) of the unauthenticated attributes with OID `oid`.
std::vector<Bytes> unauthenticated_values(PKCS7_SIGNER_INFO* si, const std::string& oid) {
  std::vector<Bytes> out;
  if (si == nullptr || si->unauth_attr == nullptr) return out;
  for (int i = 0; i < sk_X509_ATTRIBUTE_num(si->unauth_attr); ++i) {
    X509_ATTRIBUTE* attr = sk_X509_ATTRIBUTE_value(si->unauth_attr, i);
    if (oid_text(X509_ATTRIBUTE_get0_object(attr)) != oid) continue;
    for (int v = 0; v < X509_ATTRIBUTE_count(attr); ++v) {
      ASN1_TYPE* type = X509_ATTRIBUTE_get0_type(attr, v);
      if (type != nullptr && type->type == V_ASN1_SEQUENCE) {
        out.push_back(asn1_bytes(type->value.sequence));
      }
    }
  }
  return out;
}

void decode_indirect_data(Bytes encoded, ParsedSignature& sig) {
  auto data = decode_spc_indirect_data(encoded);
  if (!data) {
    sig.error = data.error().message;
    return;
  }
  sig.content.assign(data->signed_content.begin(), data->signed_content.end());
  sig.page_hashes_present = contains(data->type_and_value, kPageHashOidSha1) ||
                            contains(data->type_and_value, kPageHashOidSha256);
  sig.algorithm = data->algorithm;
  sig.algorithm_name = data->algorithm_name;
  sig.signed_digest.assign(data->digest.begin(), data->digest.end());
  if (sig.algorithm && sig.signed_digest.size() != digest_size(*sig.algorithm)) {
    sig.error = "signed digest has the wrong length for " + sig.algorithm_name;
  }
}

void read_recursive(Bytes der, std::size_t entry_index, int depth,
                    std::vector<std::unique_ptr<ParsedSignature>>& out) {
  if (out.size() >= kMaxSignatures) {
    if (out.back()->error.empty())
      out.back()->error = "more signatures than cascade reads (" + std::to_string(kMaxSignatures) +
                          "); the rest were not checked";
    return;
  }
  auto sig = std::make_unique<ParsedSignature>();
  sig->entry_index = entry_index;
  sig->depth = depth;
  const unsigned char* p = der.data();
  sig->p7.reset(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  ParsedSignature& ref = *sig;
  out.push_back(std::move(sig));
  if (!ref.p7) {
    ref.error = "PKCS#7 does not parse: " + ossl::take_errors();
    return;
  }
  if (!PKCS7_type_is_signed(ref.p7.get()) || ref.p7->d.sign == nullptr ||
      ref.p7->d.sign->contents == nullptr) {
    ref.error = "PKCS#7 is not SignedData";
    return;
  }
  PKCS7* contents = ref.p7->d.sign->contents;
  if (oid_text(contents->type) != kSpcIndirectDataOid || contents->d.other == nullptr ||
      contents->d.other->type != V_ASN1_SEQUENCE) {
    ref.error = "signed content is not SpcIndirectDataContent";
    return;
  }
  decode_indirect_data(asn1_bytes(contents->d.other->value.sequence), ref);
  const auto nested_values =
      unauthenticated_values(first_signer(ref.p7.get()), kNestedSignatureOid);
  if (depth + 1 >= kMaxDepth) {
    if (!nested_values.empty() && ref.error.empty()) {
      ref.error =
          "signatures nested deeper than " + std::to_string(kMaxDepth) + " levels were not checked";
    }
    return;
  }
  for (Bytes nested : nested_values) {
    read_recursive(nested, entry_index, depth + 1, out);
  }
}

// The signingTime authenticated attribute, when present and well formed.
std::optional<std::time_t> signing_time(PKCS7_SIGNER_INFO* si) {
  ASN1_TYPE* t = PKCS7_get_signed_attribute(si, NID_pkcs9_signingTime);
  if (t == nullptr) return std::nullopt;
  const ASN1_TIME* time = t->type == V_ASN1_UTCTIME           ? t->value.utctime
                          : t->type == V_ASN1_GENERALIZEDTIME ? t->value.generalizedtime
                                                              : nullptr;
  return asn1_time_to_epoch(time);
}

X509* signer_certificate(PKCS7* p7) {
  STACK_OF(X509)* signers = PKCS7_get0_signers(p7, nullptr, 0);
  ossl::take_errors();
  if (signers == nullptr) return nullptr;
  X509* cert = sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : nullptr;
  sk_X509_free(signers);  // the certificates stay owned by p7
  return cert;
}

// Checks a SignerInfo the way PKCS#7 defines it: its messageDigest attribute must be the digest
// of `content`, and its signature must verify, with `cert`'s key, over the DER SET of its
// authenticated attributes. Used for Authenticode signers and PKCS#9 countersigners alike
// (OpenSSL 3.0's PKCS7_verify leaks on some malformed inputs, so it is not used).
struct SignerCheck {
  bool digest_ok = false;            // messageDigest equals the digest of the content
  bool attributes_verified = false;  // the signature over the attributes verifies
  std::string error;
};

SignerCheck check_signer_info(PKCS7_SIGNER_INFO* si, X509* cert, Bytes content) {
  SignerCheck check;
  const EVP_MD* md = EVP_get_digestbyobj(si->digest_alg->algorithm);
  auto algorithm = algorithm_from_nid(md != nullptr ? EVP_MD_get_type(md) : NID_undef);
  if (!algorithm) {
    check.error = "unknown digest algorithm in SignerInfo";
    return check;
  }
  ASN1_TYPE* md_attr = PKCS7_get_signed_attribute(si, NID_pkcs9_messageDigest);
  if (md_attr == nullptr || md_attr->type != V_ASN1_OCTET_STRING) {
    check.error = "SignerInfo has no messageDigest attribute";
    return check;
  }
  const Digest expected = digest(*algorithm, content);
  const Bytes signed_digest = asn1_bytes(md_attr->value.octet_string);
  check.digest_ok =
      std::equal(expected.begin(), expected.end(), signed_digest.begin(), signed_digest.end());
  if (!check.digest_ok) check.error = "messageDigest does not match the signed content";
  unsigned char* attrs = nullptr;
  const int attrs_len = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(si->auth_attr), &attrs,
                                      ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool verified =
      attrs_len > 0 && ctx && si->enc_digest != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, X509_get0_pubkey(cert)) == 1 &&
      EVP_DigestVerify(ctx.get(), si->enc_digest->data,
                       static_cast<std::size_t>(si->enc_digest->length), attrs,
                       static_cast<std::size_t>(attrs_len)) == 1;
  OPENSSL_free(attrs);
  check.attributes_verified = verified;
  if (!verified) {
    if (!check.error.empty()) check.error += "; ";
    check.error += "signature does not verify with the signer's key";
  }
  ossl::take_errors();
  return check;
}

// An RFC 3161 token in the Microsoft unauthenticated attribute, stamping `signed_value`. Read
// through CMS: Microsoft's TSAs put an attribute certificate in the token's certificate set,
// which OpenSSL's PKCS#7 decoder rejects and its CMS decoder accepts.
Timestamp check_rfc3161(Bytes der, Bytes signed_value, const TrustStore& trust,
                        SignatureFamily family) {
  Timestamp ts;
  ts.kind = TimestampKind::kRfc3161;
  const unsigned char* p = der.data();
  ossl::CmsPtr token(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!token || OBJ_obj2nid(CMS_get0_type(token.get())) != NID_pkcs7_signed) {
    ts.error = "token does not parse: " + ossl::take_errors();
    return ts;
  }
  ossl::BioPtr content(BIO_new(BIO_s_mem()));
  ts.signature_ok = CMS_verify(token.get(), nullptr, nullptr, nullptr, content.get(),
                               CMS_NOVERIFY | CMS_BINARY) == 1;
  if (!ts.signature_ok) {
    ts.error = "TSA signature does not verify: " + ossl::take_errors();
    // Still read the statement so the report shows what the token claims.
    ASN1_OCTET_STRING** embedded = CMS_get0_content(token.get());
    if (embedded != nullptr && *embedded != nullptr) {
      BIO_write(content.get(), (*embedded)->data, (*embedded)->length);
    }
  }
  char* tst_der = nullptr;
  const long tst_len = BIO_get_mem_data(content.get(), &tst_der);
  const unsigned char* tp = reinterpret_cast<const unsigned char*>(tst_der);
  ossl::TstInfoPtr info(tst_len > 0 ? d2i_TS_TST_INFO(nullptr, &tp, tst_len) : nullptr);
  if (!info) {
    if (ts.error.empty()) ts.error = "token holds no TSTInfo";
    ts.signature_ok = false;
    ossl::take_errors();
    return ts;
  }
  if (auto epoch = asn1_time_to_epoch(TS_TST_INFO_get_time(info.get()))) {
    ts.epoch = *epoch;
    ts.time = format_time(*epoch);
  }
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(imprint);
  const EVP_MD* md = EVP_get_digestbyobj(alg->algorithm);
  auto algorithm = algorithm_from_nid(md != nullptr ? EVP_MD_get_type(md) : NID_undef);
  if (algorithm) {
    const Digest expected = digest(*algorithm, signed_value);
    const Bytes stamped = asn1_bytes(TS_MSG_IMPRINT_get_msg(imprint));
    ts.imprint_ok = std::equal(expected.begin(), expected.end(), stamped.begin(), stamped.end());
  }
  if (!ts.imprint_ok && ts.error.empty()) ts.error = "it stamps another signature";
  ossl::X509StackPtr certs(CMS_get1_certs(token.get()));
  STACK_OF(X509)* signers = ts.signature_ok ? CMS_get0_signers(token.get()) : nullptr;
  if (signers != nullptr && sk_X509_num(signers) > 0) {
    X509* tsa = sk_X509_value(signers, 0);
    ts.signer = describe_certificate(tsa);
    ts.chain = trust.verify(tsa, certs.get(), ts.epoch, TrustStore::Usage::kTimestamping, family);
  }
  sk_X509_free(signers);
  ossl::take_errors();
  return ts;
}

// A legacy PKCS#9 countersignature (a SignerInfo over the outer signature's encrypted digest).
Timestamp check_countersignature(Bytes der, PKCS7* outer, Bytes signed_value,
                                 const TrustStore& trust, SignatureFamily family) {
  Timestamp ts;
  ts.kind = TimestampKind::kPkcs9Countersignature;
  const unsigned char* p = der.data();
  ossl::SignerInfoPtr cs(d2i_PKCS7_SIGNER_INFO(nullptr, &p, static_cast<long>(der.size())));
  if (!cs) {
    ts.error = "countersignature does not parse";
    ossl::take_errors();
    return ts;
  }
  if (auto epoch = signing_time(cs.get())) {
    ts.epoch = *epoch;
    ts.time = format_time(*epoch);
  }
  X509* tsa = X509_find_by_issuer_and_serial(outer->d.sign->cert, cs->issuer_and_serial->issuer,
                                             cs->issuer_and_serial->serial);
  if (tsa == nullptr) {
    ts.error = "countersigner certificate not found";
    return ts;
  }
  ts.signer = describe_certificate(tsa);
  // The countersignature signs the outer signature's value: its messageDigest is the imprint.
  const SignerCheck check = check_signer_info(cs.get(), tsa, signed_value);
  ts.imprint_ok = check.digest_ok;
  ts.signature_ok = check.attributes_verified;
  if (!check.error.empty()) ts.error = "countersignature: " + check.error;
  ts.chain =
      trust.verify(tsa, outer->d.sign->cert, ts.epoch, TrustStore::Usage::kTimestamping, family);
  if (ts.time.empty() && ts.error.empty()) ts.error = "countersignature carries no signing time";
  return ts;
}

}  // namespace

Result<IndirectData> decode_spc_indirect_data(Bytes encoded) {
  ByteReader outer(encoded);
  auto seq = der::expect(outer, der::kSequence);
  if (!seq)
    return make_error(ErrorCode::kMalformed, "SpcIndirectDataContent is not a DER SEQUENCE");
  IndirectData out;
  // A signature covers the SEQUENCE's value, without its tag and length.
  out.signed_content = seq->contents;
  ByteReader r(seq->contents);
  auto data = der::expect(r, der::kSequence);
  auto digest_info = der::expect(r, der::kSequence);
  if (!data || !digest_info) {
    return make_error(ErrorCode::kMalformed, "SpcIndirectDataContent is malformed");
  }
  out.type_and_value = data->contents;
  ByteReader d(data->contents);
  if (auto type = der::expect(d, der::kObjectId))
    out.type_oid = oid_to_text(type->contents).value_or("");
  ByteReader di(digest_info->contents);
  auto algorithm_id = der::expect(di, der::kSequence);
  auto digest = der::expect(di, der::kOctetString);
  if (!algorithm_id || !digest) return make_error(ErrorCode::kMalformed, "DigestInfo is malformed");
  ByteReader alg(algorithm_id->contents);
  auto oid = der::expect(alg, der::kObjectId);
  if (!oid) return make_error(ErrorCode::kMalformed, "digest algorithm identifier is malformed");
  const unsigned char* p = oid->encoded.data();
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>(oid->encoded.size()));
  if (obj != nullptr) {
    out.algorithm = algorithm_from_nid(OBJ_obj2nid(obj));
    out.algorithm_name = out.algorithm ? std::string(digest_name(*out.algorithm)) : oid_text(obj);
    ASN1_OBJECT_free(obj);
  }
  ossl::take_errors();
  out.digest = digest->contents;
  return out;
}

void read_signatures(Bytes der, std::size_t entry_index,
                     std::vector<std::unique_ptr<ParsedSignature>>& out) {
  read_recursive(der, entry_index, 0, out);
}

Signature verify_signature(const ParsedSignature& parsed, const Digest* computed,
                           const TrustStore& trust, std::time_t now, TrustStore::Usage usage,
                           SignatureFamily family) {
  Signature sig;
  sig.entry_index = parsed.entry_index;
  sig.depth = parsed.depth;
  sig.digest_algorithm = parsed.algorithm_name;
  sig.signed_digest = to_hex(parsed.signed_digest);
  sig.page_hashes_present = parsed.page_hashes_present;
  sig.error = parsed.error;
  if (computed != nullptr) {
    sig.computed_digest = to_hex(*computed);
    sig.digest_ok = *computed == parsed.signed_digest;
  } else if (sig.error.empty() && !parsed.algorithm_name.empty()) {
    sig.error = "unsupported digest algorithm " + parsed.algorithm_name;
  }
  if (!parsed.p7 || parsed.content.empty()) return sig;

  PKCS7* p7 = parsed.p7.get();
  PKCS7_SIGNER_INFO* si = first_signer(p7);
  X509* signer = signer_certificate(p7);
  if (signer != nullptr) sig.signer = describe_certificate(signer);
  if (si == nullptr || signer == nullptr) {
    sig.signature_error = si == nullptr ? "no SignerInfo" : "signer certificate not found";
  } else {
    const Bytes content(parsed.content.data(), parsed.content.size());
    const SignerCheck check = check_signer_info(si, signer, content);
    sig.signature_ok = check.digest_ok && check.attributes_verified;
    sig.signature_error = check.error;
  }
  if (si != nullptr) {
    if (auto epoch = signing_time(si)) sig.signing_time = format_time(*epoch);
    const Bytes signed_value = asn1_bytes(si->enc_digest);
    for (Bytes token : unauthenticated_values(si, kRfc3161TimestampOid)) {
      sig.timestamps.push_back(check_rfc3161(token, signed_value, trust, family));
    }
    for (Bytes cs : unauthenticated_values(si, "1.2.840.113549.1.9.6")) {
      sig.timestamps.push_back(check_countersignature(cs, p7, signed_value, trust, family));
    }
  }
  if (signer == nullptr) {
    sig.validity_basis = ValidityBasis::kNow;
    return sig;
  }
  // A trusted timestamp fixes the time the signer is judged at: its certificate's validity,
  // and whether its root was still trusted (a root disallowed from a date anchors nothing
  // signed after it). Without one, both are judged now.
  std::time_t at = now;
  sig.validity_basis = ValidityBasis::kNow;
  for (const auto& ts : sig.timestamps) {
    if (ts.trusted()) {
      at = ts.epoch;
      sig.validity_basis = ValidityBasis::kTimestamp;
      break;
    }
  }
  sig.chain = trust.verify(signer, p7->d.sign->cert, at, usage, family);
  // A timestamp that verifies cryptographically but chains to no anchor is used for expiry
  // only when the signer does not chain either: were the signer trusted, an untrusted TSA
  // could otherwise backdate a signature made with an expired certificate.
  if (!sig.chain.trusted && sig.validity_basis == ValidityBasis::kNow) {
    for (const auto& ts : sig.timestamps) {
      if (ts.cryptographically_valid()) {
        at = ts.epoch;
        sig.validity_basis = ValidityBasis::kUntrustedTimestamp;
        break;
      }
    }
  }
  sig.signer_time_valid = sig.signer->not_before_epoch <= at && at <= sig.signer->not_after_epoch;
  ossl::take_errors();
  return sig;
}

}  // namespace cascade::authenticode
