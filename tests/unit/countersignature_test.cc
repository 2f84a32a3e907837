// Signatures edited with OpenSSL, then written back into the certificate table: legacy PKCS#9
// countersignatures (what signtool /t wrote for years; osslsigncode's built-in TSA only makes
// RFC 3161 tokens) added with the fixture TSA key, and a corrupted signature value.
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/sha.h>

#include <fstream>
#include <iterator>

#include "core/openssl_handles.h"
#include "formats/pe/pe_image.h"
#include "test_support.h"

namespace cascade {
namespace {

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_u32(std::vector<std::uint8_t>& d, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) d.at(off + i) = static_cast<std::uint8_t>(v >> (8 * i));
}

struct Countersigner {
  ossl::X509Ptr cert;
  ossl::EvpPkeyPtr key;
};

Countersigner load_tsa() {
  Countersigner out;
  ossl::BioPtr cert_bio(BIO_new_file(testing::fixture("pki/tsa.pem").c_str(), "r"));
  ossl::BioPtr key_bio(BIO_new_file(testing::fixture("pki/tsa.key").c_str(), "r"));
  if (cert_bio) out.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (key_bio) out.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  return out;
}

// `signed_file` with its (single) PKCS#7 signature passed through `edit` and written back.
template <typename Edit>
std::vector<std::uint8_t> rewrite_signature(const std::string& signed_file, Edit edit) {
  auto file = read_all(testing::fixture(signed_file));
  auto image = pe::parse_pe(Bytes(file.data(), file.size()));
  if (!image.ok()) return {};
  const std::size_t dir = static_cast<std::size_t>(*image->security_entry_offset);
  const std::uint32_t table = *load_u32le(Bytes(file.data(), file.size()), dir);
  const std::uint32_t length = *load_u32le(Bytes(file.data(), file.size()), table);
  const unsigned char* p = file.data() + table + 8;
  ossl::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, length - 8));
  if (!p7 || !edit(p7.get())) return {};
  unsigned char* der = nullptr;
  const int der_len = i2d_PKCS7(p7.get(), &der);
  std::vector<std::uint8_t> out(file.begin(), file.begin() + table);
  const std::uint32_t entry_len = 8 + static_cast<std::uint32_t>(der_len);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(entry_len >> (8 * i)));
  out.insert(out.end(), {0x00, 0x02, 0x02, 0x00});  // revision 2.0, WIN_CERT_TYPE_PKCS_SIGNED_DATA
  out.insert(out.end(), der, der + der_len);
  OPENSSL_free(der);
  while (out.size() % 8 != 0) out.push_back(0);
  put_u32(out, dir + 4, static_cast<std::uint32_t>(out.size() - table));
  return out;
}

PKCS7_SIGNER_INFO* signer_info(PKCS7* p7) {
  return sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
}

// `signed_file` with a PKCS#9 countersignature at `when` added to its signature. With
// `stamp_wrong_value`, the countersignature digests other bytes than the signature value.
std::vector<std::uint8_t> countersign(const std::string& signed_file, std::time_t when,
                                      bool stamp_wrong_value = false) {
  Countersigner tsa = load_tsa();
  if (!tsa.cert || !tsa.key) return {};
  return rewrite_signature(signed_file, [&](PKCS7* p7) {
    PKCS7_SIGNER_INFO* si = signer_info(p7);
    ossl::SignerInfoPtr cs(PKCS7_SIGNER_INFO_new());
    PKCS7_SIGNER_INFO_set(cs.get(), tsa.cert.get(), tsa.key.get(), EVP_sha256());
    PKCS7_add_signed_attribute(cs.get(), NID_pkcs9_contentType, V_ASN1_OBJECT,
                               OBJ_nid2obj(NID_pkcs7_data));
    PKCS7_add_signed_attribute(cs.get(), NID_pkcs9_signingTime, V_ASN1_UTCTIME,
                               ASN1_UTCTIME_set(nullptr, when));
    std::vector<unsigned char> stamped(si->enc_digest->data,
                                       si->enc_digest->data + si->enc_digest->length);
    if (stamp_wrong_value) stamped[0] ^= 0xff;
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(stamped.data(), stamped.size(), md);
    ASN1_OCTET_STRING* md_attr = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(md_attr, md, sizeof md);
    PKCS7_add_signed_attribute(cs.get(), NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md_attr);
    if (PKCS7_SIGNER_INFO_sign(cs.get()) != 1) return false;
    unsigned char* cs_der = nullptr;
    const int cs_len = i2d_PKCS7_SIGNER_INFO(cs.get(), &cs_der);
    ASN1_STRING* seq = ASN1_STRING_new();
    ASN1_STRING_set(seq, cs_der, cs_len);
    OPENSSL_free(cs_der);
    PKCS7_add_attribute(si, NID_pkcs9_countersignature, V_ASN1_SEQUENCE, seq);
    PKCS7_add_certificate(p7, tsa.cert.get());
    return true;
  });
}

FileReport inspect_buffer(const std::vector<std::uint8_t>& data) {
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;
  return inspect_bytes("countersigned", Bytes(data.data(), data.size()), options);
}

TEST(Countersignature, VerifiedAndTrusted) {
  const auto file = countersign("signed-sha256.exe", 1700000500);
  ASSERT_FALSE(file.empty());
  const FileReport r = inspect_buffer(file);
  ASSERT_EQ(r.signatures.size(), 1u);
  const auto& sig = r.signatures[0];
  EXPECT_TRUE(sig.digest_ok);  // the certificate table is outside the image digest
  EXPECT_TRUE(sig.signature_ok);
  ASSERT_EQ(sig.timestamps.size(), 1u);
  const auto& ts = sig.timestamps[0];
  EXPECT_EQ(ts.kind, authenticode::TimestampKind::kPkcs9Countersignature);
  EXPECT_EQ(ts.time, "2023-11-14T22:21:40Z");
  EXPECT_TRUE(ts.signature_ok) << ts.error;
  EXPECT_TRUE(ts.imprint_ok);
  EXPECT_TRUE(ts.chain.trusted) << ts.chain.error;
  EXPECT_EQ(sig.validity_basis, authenticode::ValidityBasis::kTimestamp);
  EXPECT_FALSE(testing::has_finding(r, "signature.timestamp-invalid"));
  EXPECT_FALSE(testing::has_finding(r, "signature.padding"));
}

TEST(Countersignature, DatesAnExpiredSignerInsideItsValidity) {
  const auto file = countersign("expired-signer.exe", 1430000000);
  ASSERT_FALSE(file.empty());
  const FileReport r = inspect_buffer(file);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_EQ(r.signatures[0].validity_basis, authenticode::ValidityBasis::kTimestamp);
  EXPECT_TRUE(r.signatures[0].signer_time_valid);
  EXPECT_FALSE(testing::has_finding(r, "signature.expired"));
}

TEST(Countersignature, StampingAnotherValueIsInvalid) {
  const auto file = countersign("expired-signer.exe", 1430000000, true);
  ASSERT_FALSE(file.empty());
  const FileReport r = inspect_buffer(file);
  ASSERT_EQ(r.signatures.size(), 1u);
  ASSERT_EQ(r.signatures[0].timestamps.size(), 1u);
  EXPECT_FALSE(r.signatures[0].timestamps[0].imprint_ok);
  EXPECT_TRUE(testing::has_finding(r, "signature.timestamp-invalid"));
  // A timestamp that stamps something else cannot vouch for the time: judged now, expired.
  EXPECT_EQ(r.signatures[0].validity_basis, authenticode::ValidityBasis::kNow);
  EXPECT_TRUE(testing::has_finding(r, "signature.expired"));
}

TEST(SignatureValue, CorruptedSignatureIsInvalidWhileDigestStillMatches) {
  const auto file = rewrite_signature("signed-sha256.exe", [](PKCS7* p7) {
    ASN1_OCTET_STRING* value = signer_info(p7)->enc_digest;
    value->data[value->length / 2] ^= 0x01;
    return true;
  });
  ASSERT_FALSE(file.empty());
  const FileReport r = inspect_buffer(file);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].digest_ok);
  EXPECT_FALSE(r.signatures[0].signature_ok);
  EXPECT_TRUE(testing::has_finding(r, "signature.invalid"));
}

TEST(SignatureValue, UnmodifiedRewriteStaysValid) {
  // The rewrite itself must not disturb anything, or the test above proves nothing.
  const auto file = rewrite_signature("signed-sha256.exe", [](PKCS7*) { return true; });
  ASSERT_FALSE(file.empty());
  const FileReport r = inspect_buffer(file);
  ASSERT_EQ(r.signatures.size(), 1u);
  EXPECT_TRUE(r.signatures[0].signature_ok);
  EXPECT_FALSE(testing::has_finding(r, "signature.invalid"));
}

}  // namespace
}  // namespace cascade
