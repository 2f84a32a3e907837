#include "provenance/keys.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/digest.h"
#include "core/mapped_file.h"
#include "core/openssl_handles.h"
#include "core/strict_json.h"
#include "provenance/canonical_json.h"

namespace cascade::provenance {
namespace {

constexpr std::size_t kMaxKeyFileBytes = std::size_t{64} << 10;

SharedPkey share(EVP_PKEY* pkey) {
  return SharedPkey(pkey, EVP_PKEY_free);
}

Error crypto_error(std::string what) {
  const std::string detail = ossl::take_errors();
  if (!detail.empty()) what += " (" + detail + ")";
  return make_error(ErrorCode::kCrypto, std::move(what));
}

std::optional<KeyType> type_of(EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, "group", group, sizeof group, &length) != 1) {
        return std::nullopt;
      }
      if (std::string_view(group, length) == "prime256v1") return KeyType::kEcdsaP256;
      return std::nullopt;
    }
    case EVP_PKEY_RSA:
      return EVP_PKEY_get_bits(pkey) >= 2048 ? std::optional(KeyType::kRsa) : std::nullopt;
    default:
      return std::nullopt;
  }
}

Result<std::string> spki_der(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(pkey, &der);
  if (length <= 0) return crypto_error("cannot encode the public key");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

ossl::BioPtr memory_bio(std::string_view text) {
  return ossl::BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<std::string> read_key_file(const std::string& path) {
  return read_whole_file(path, kMaxKeyFileBytes);
}

// An ECDSA signature as DER: as given when it parses as DER, converted from raw r||s when it
// is exactly 64 bytes.
std::optional<std::vector<std::uint8_t>> ecdsa_der(Bytes signature) {
  const unsigned char* p = signature.data();
  if (ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()))) {
    const bool exact = p == signature.data() + signature.size();
    ECDSA_SIG_free(parsed);
    if (exact) return std::vector<std::uint8_t>(signature.begin(), signature.end());
  }
  if (signature.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (length <= 0) return std::nullopt;
  std::vector<std::uint8_t> out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// in-toto's key id: SHA-256 over the canonical JSON of the public key's fields.
std::string compute_intoto_key_id(const nlohmann::json& key) {
  nlohmann::json id_fields = {
      {"keytype", key["keytype"]},
      {"scheme", key["scheme"]},
      {"keyid_hash_algorithms", key.value("keyid_hash_algorithms", nlohmann::json::array())},
      {"keyval", {{"public", key["keyval"]["public"]}}}};
  if (!key.contains("keyid_hash_algorithms")) id_fields.erase("keyid_hash_algorithms");
  auto canonical = canonical_json(id_fields);
  if (!canonical) return "";
  const auto& text = canonical.value();
  return to_hex(digest(DigestAlgorithm::kSha256,
                       Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size())));
}

Result<PublicKey> parse_intoto_key(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("keyval") || !doc["keyval"].is_object() ||
      !doc["keyval"].contains("public") || !doc["keyval"]["public"].is_string() ||
      !doc.value("keytype", nlohmann::json()).is_string() ||
      !doc.value("scheme", nlohmann::json()).is_string()) {
    return make_error(ErrorCode::kMalformed,
                      "not a PEM key nor in-toto key JSON (keytype, scheme, keyval.public)");
  }
  const std::string keytype = doc["keytype"].get<std::string>();
  const std::string& material = doc["keyval"]["public"].get_ref<const std::string&>();
  Result<PublicKey> key = make_error(ErrorCode::kUnsupported, "in-toto key type " + keytype);
  if (keytype == "ed25519") {
    const auto raw = hex_decode(material);
    if (!raw || raw->size() != 32) {
      return make_error(ErrorCode::kMalformed, "in-toto ed25519 key: public is not 32 hex bytes");
    }
    EVP_PKEY* pkey =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw->data(), raw->size());
    if (pkey == nullptr) return crypto_error("in-toto ed25519 key rejected");
    key = PublicKey::from_pkey(share(pkey));
  } else if (keytype == "ecdsa" || keytype == "ecdsa-sha2-nistp256" || keytype == "rsa") {
    ossl::BioPtr bio = memory_bio(material);
    EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (pkey == nullptr) return crypto_error("in-toto " + keytype + " key: bad PEM");
    key = PublicKey::from_pkey(share(pkey));
  }
  return key;
}

// A context ready for EVP_DigestVerify with `pkey` (PSS with any salt length for RSA).
ossl::MdCtxPtr verify_context(EVP_PKEY* pkey, KeyType type) {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const EVP_MD* md = type == KeyType::kEd25519 ? nullptr : EVP_sha256();
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
    ossl::take_errors();
    return nullptr;
  }
  if (type == KeyType::kRsa &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)) {
    ossl::take_errors();
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::string_view key_type_name(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kRsa:
      return "rsa";
  }
  return "ed25519";
}

Result<PublicKey> PublicKey::from_pkey(SharedPkey pkey) {
  const auto type = type_of(pkey.get());
  if (!type) {
    return make_error(ErrorCode::kUnsupported,
                      "unsupported key: only Ed25519, ECDSA P-256 and RSA >= 2048 bits");
  }
  auto der = spki_der(pkey.get());
  if (!der) return der.error();
  PublicKey key;
  key.pkey_ = std::move(pkey);
  key.type_ = *type;
  key.prototype_ = verify_context(key.pkey_.get(), key.type_);
  const auto& bytes = der.value();
  key.key_id_ =
      to_hex(digest(DigestAlgorithm::kSha256,
                    Bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));
  return key;
}

Result<PublicKey> PublicKey::parse(std::string_view text) {
  if (text.find("-----BEGIN") != std::string_view::npos) {
    ossl::BioPtr bio = memory_bio(text);
    EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (pkey == nullptr) {
      ossl::take_errors();
      bio = memory_bio(text);
      // A private key file names its public half too; never prompt for a passphrase.
      pkey = PEM_read_bio_PrivateKey(
          bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
    }
    if (pkey == nullptr) return crypto_error("no PEM public or private key");
    return from_pkey(share(pkey));
  }
  // A key that repeats a field could be one key to in-toto and another to cascade: refused.
  auto doc = parse_strict_json(text);
  if (!doc && doc.error().code == ErrorCode::kAmbiguous) {
    return make_error(ErrorCode::kAmbiguous, "in-toto key JSON: " + doc.error().message);
  }
  if (!doc) {
    return make_error(ErrorCode::kMalformed,
                      "not a PEM key nor in-toto key JSON (keytype, scheme, keyval.public)");
  }
  auto key = parse_intoto_key(*doc);
  if (!key) return key;
  key->intoto_key_id_ = compute_intoto_key_id(*doc);
  return key;
}

Result<PublicKey> PublicKey::load(const std::string& path) {
  auto text = read_key_file(path);
  if (!text) return text.error();
  auto key = parse(*text);
  if (!key) return make_error(key.error().code, path + ": " + key.error().message);
  return key;
}

std::string PublicKey::pem() const {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) return "";
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

bool PublicKey::verify(Bytes message, Bytes signature) const {
  std::vector<std::uint8_t> der;
  if (type_ == KeyType::kEcdsaP256) {
    auto converted = ecdsa_der(signature);
    if (!converted) return false;
    der = std::move(*converted);
    signature = Bytes(der.data(), der.size());
  }
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || !prototype_ || EVP_MD_CTX_copy_ex(ctx.get(), prototype_.get()) != 1) {
    ctx = verify_context(pkey_.get(), type_);  // a context that cannot be copied: set one up
    if (!ctx) return false;
  }
  const int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                                  message.size());
  if (ok != 1) ossl::take_errors();
  return ok == 1;
}

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  EVP_PKEY* pkey = nullptr;
  switch (type) {
    case KeyType::kEd25519:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case KeyType::kEcdsaP256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kRsa:
      return make_error(ErrorCode::kUnsupported, "cascade generates Ed25519 and ECDSA P-256 keys");
  }
  if (pkey == nullptr) return crypto_error("key generation failed");
  PrivateKey key;
  key.pkey_ = share(pkey);
  auto pub = PublicKey::from_pkey(key.pkey_);
  if (!pub) return pub.error();
  key.public_ = std::move(pub).value();
  return key;
}

Result<PrivateKey> PrivateKey::parse(std::string_view pem) {
  ossl::BioPtr bio = memory_bio(pem);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(
      bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr);
  if (pkey == nullptr) return crypto_error("no unencrypted PEM private key");
  PrivateKey key;
  key.pkey_ = share(pkey);
  auto pub = PublicKey::from_pkey(key.pkey_);
  if (!pub) return pub.error();
  if (pub->type() == KeyType::kRsa) {
    return make_error(ErrorCode::kUnsupported, "cascade signs with Ed25519 or ECDSA P-256 keys");
  }
  key.public_ = std::move(pub).value();
  return key;
}

Result<PrivateKey> PrivateKey::load(const std::string& path) {
  auto text = read_key_file(path);
  if (!text) return text.error();
  auto key = parse(*text);
  if (!key) return make_error(key.error().code, path + ": " + key.error().message);
  return key;
}

Result<std::string> PrivateKey::pem() const {
  ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return crypto_error("cannot encode the private key");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

Result<std::vector<std::uint8_t>> PrivateKey::sign(Bytes message) const {
  ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = type() == KeyType::kEd25519 ? nullptr : EVP_sha256();
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    return crypto_error("signing failed");
  }
  std::vector<std::uint8_t> signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    return crypto_error("signing failed");
  }
  signature.resize(length);
  return signature;
}

}  // namespace cascade::provenance
