// Encodings, keys and DSSE envelopes: the pieces every attestation check rests on.
#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include <string>

#include "core/base64.h"
#include "core/digest.h"
#include "core/time.h"
#include "provenance/canonical_json.h"
#include "provenance/dsse.h"
#include "provenance/keys.h"

namespace cascade::provenance {
namespace {

Bytes as_bytes(const std::string& text) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

std::string as_string(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(Base64, AcceptsStandardUrlSafeAndUnpadded) {
  EXPECT_EQ(base64_encode(as_bytes("hello world")), "aGVsbG8gd29ybGQ=");
  EXPECT_EQ(as_string(*base64_decode("aGVsbG8gd29ybGQ=")), "hello world");
  EXPECT_EQ(as_string(*base64_decode("aGVsbG8gd29ybGQ")), "hello world");
  const std::vector<std::uint8_t> high = {0xfb, 0xff, 0xfe};
  EXPECT_EQ(base64_encode(Bytes(high.data(), high.size())), "+//+");
  EXPECT_EQ(*base64_decode("+//+"), high);
  EXPECT_EQ(*base64_decode("-__-"), high);
  EXPECT_FALSE(base64_decode("+_"));        // mixed alphabets
  EXPECT_FALSE(base64_decode("aGV sbG8"));  // whitespace
  EXPECT_FALSE(base64_decode("a"));         // impossible length
  EXPECT_FALSE(base64_decode("aGVsbG9="));  // non-zero trailing bits ("hello" is aGVsbG8=)
  EXPECT_TRUE(base64_decode("")->empty());
}

TEST(Time, ParsesRfc3339WithOffsetsAndFractions) {
  EXPECT_EQ(*parse_rfc3339("2023-03-29T12:00:00Z"), 1680091200);
  EXPECT_EQ(*parse_rfc3339("2023-03-29T14:00:00.123+02:00"), 1680091200);
  EXPECT_EQ(*parse_rfc3339("2023-03-29t07:00:00-05:00"), 1680091200);
  EXPECT_EQ(format_rfc3339(1680091200), "2023-03-29T12:00:00Z");
  EXPECT_FALSE(parse_rfc3339("2023-02-29T00:00:00Z"));  // not a leap year
  EXPECT_FALSE(parse_rfc3339("2023-03-29T12:00:00"));   // no zone
  EXPECT_FALSE(parse_rfc3339("2023-03-29"));
  EXPECT_FALSE(parse_rfc3339("2023-03-29T12:00:00Zjunk"));
  EXPECT_EQ(*parse_duration_seconds("90d"), 90 * 86400);
  EXPECT_EQ(*parse_duration_seconds("2w"), 14 * 86400);
  EXPECT_FALSE(parse_duration_seconds("90"));
  EXPECT_FALSE(parse_duration_seconds("-1d"));
  EXPECT_FALSE(parse_duration_seconds("99999999999999999999d"));
}

TEST(CanonicalJson, MatchesSecuresystemslibRules) {
  const auto doc = nlohmann::json::parse(
      R"({"b": [1, -2, true, null], "a": "q\"uo\\te\nnl", "c": {"z": "é", "y": {}}})");
  EXPECT_EQ(*canonical_json(doc),
            "{\"a\":\"q\\\"uo\\\\te\nnl\",\"b\":[1,-2,true,null],\"c\":{\"y\":{},\"z\":\"é\"}}");
  EXPECT_FALSE(canonical_json(nlohmann::json::parse(R"({"x": 1.5})")));
}

TEST(Dsse, PaeIsTheSpecEncoding) {
  // The worked example of the DSSE protocol document.
  EXPECT_EQ(as_string(pae("http://example.com/HelloWorld", as_bytes("hello world"))),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(as_string(pae("", as_bytes(""))), "DSSEv1 0  0 ");
}

class KeyTypes : public ::testing::TestWithParam<KeyType> {};

TEST_P(KeyTypes, SignedEnvelopeVerifiesAndEveryChangeIsRejected) {
  auto key = PrivateKey::generate(GetParam());
  ASSERT_TRUE(key) << key.error().message;
  // The key id is SHA-256 of the SubjectPublicKeyInfo DER, whatever PEM text carried it.
  auto reparsed = PublicKey::parse(key->public_key().pem());
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->key_id(), key->key_id());
  EXPECT_EQ(key->key_id().size(), 64u);
  auto from_private = PublicKey::parse(*key->pem());
  ASSERT_TRUE(from_private);
  EXPECT_EQ(from_private->key_id(), key->key_id());

  const std::string payload = R"({"_type":"https://in-toto.io/Statement/v1"})";
  auto envelope = sign_envelope(kInTotoPayloadType, as_bytes(payload), *key);
  ASSERT_TRUE(envelope);
  const std::vector<TrustedKey> trusted = {{"ci", key->public_key(), {}}};
  auto round_trip = parse_envelope(envelope_json(*envelope));
  ASSERT_TRUE(round_trip);
  EXPECT_EQ(verify_envelope(*round_trip, trusted).verdict, SignatureVerdict::kVerified);

  Envelope changed = *round_trip;
  changed.payload.back() ^= 1;
  EXPECT_EQ(verify_envelope(changed, trusted).verdict, SignatureVerdict::kBadSignature);
  changed = *round_trip;
  changed.payload_type += "x";
  EXPECT_EQ(verify_envelope(changed, trusted).verdict, SignatureVerdict::kBadSignature);
  changed = *round_trip;
  changed.signatures[0].sig[5] ^= 1;
  EXPECT_EQ(verify_envelope(changed, trusted).verdict, SignatureVerdict::kBadSignature);
  // The keyid is only a hint: a wrong one still verifies against the trusted key...
  changed = *round_trip;
  changed.signatures[0].keyid = "someone-else";
  EXPECT_EQ(verify_envelope(changed, trusted).verdict, SignatureVerdict::kVerified);
  // ...and a key the policy does not hold is an unknown key, not a bad signature.
  auto other = PrivateKey::generate(GetParam());
  ASSERT_TRUE(other);
  const std::vector<TrustedKey> strangers = {{"other", other->public_key(), {}}};
  EXPECT_EQ(verify_envelope(*round_trip, strangers).verdict, SignatureVerdict::kUnknownKey);
}

INSTANTIATE_TEST_SUITE_P(Provenance, KeyTypes,
                         ::testing::Values(KeyType::kEd25519, KeyType::kEcdsaP256));

TEST(Keys, EcdsaAcceptsRawSignatures) {
  auto key = PrivateKey::generate(KeyType::kEcdsaP256);
  ASSERT_TRUE(key);
  const std::string text = "message";
  const auto message = as_bytes(text);
  auto der = key->sign(message);
  ASSERT_TRUE(der);
  // DER SEQUENCE { INTEGER r, INTEGER s } to 32-byte big-endian r || s.
  const unsigned char* p = der->data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der->size()));
  ASSERT_NE(sig, nullptr);
  std::vector<std::uint8_t> raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw.data() + 32, 32);
  ECDSA_SIG_free(sig);
  EXPECT_TRUE(key->public_key().verify(message, Bytes(raw.data(), raw.size())));
  raw[40] ^= 1;
  EXPECT_FALSE(key->public_key().verify(message, Bytes(raw.data(), raw.size())));
}

TEST(Keys, InTotoKeyJsonGivesInTotosKeyId) {
  // An in-toto-keygen ed25519 public key: its id is SHA-256 of the canonical key JSON.
  const std::string hex = "c4b8ba8ee4b5d3f03a38ecd4b1b9e4fbd8e6b44c0ed1d6d03a1c3bf06a1e1f02";
  const std::string text =
      R"({"keytype": "ed25519", "scheme": "ed25519", "keyid_hash_algorithms": ["sha256", "sha512"], "keyval": {"public": ")" +
      hex + R"("}})";
  auto key = PublicKey::parse(text);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->type(), KeyType::kEd25519);
  const std::string canonical =
      R"({"keyid_hash_algorithms":["sha256","sha512"],"keytype":"ed25519","keyval":{"public":")" +
      hex + R"("},"scheme":"ed25519"})";
  EXPECT_EQ(key->intoto_key_id(), to_hex(digest(DigestAlgorithm::kSha256, as_bytes(canonical))));
  EXPECT_FALSE(PublicKey::parse(R"({"keytype": "ed25519", "keyval": {"public": "00"}})"));
  EXPECT_FALSE(
      PublicKey::parse("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----"));
}

TEST(Dsse, MalformedEnvelopesAreErrors) {
  for (const char* text :
       {R"([])", R"({"payload": "x"})",
        R"({"payload": "!!", "payloadType": "t", "signatures": [{"sig": "AA"}]})",
        R"({"payload": "AA", "payloadType": "t", "signatures": []})",
        R"({"payload": "AA", "payloadType": "t", "signatures": [{"sig": 5}]})"}) {
    EXPECT_FALSE(parse_envelope(nlohmann::json::parse(text))) << text;
  }
}

}  // namespace
}  // namespace cascade::provenance
