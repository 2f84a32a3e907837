// Signing keys: Ed25519 and ECDSA P-256 in PEM files (PKCS#8 private, SubjectPublicKeyInfo
// public) through OpenSSL, plus the public-key JSON that in-toto's tools write, so links made
// by in-toto-run can be checked. A key's id is the SHA-256 of its SubjectPublicKeyInfo DER,
// lower-case hex: stable across PEM re-encodings and computable with `openssl pkey -pubout
// -outform DER | sha256sum`.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"

namespace cascade::provenance {

enum class KeyType { kEd25519, kEcdsaP256, kRsa };

std::string_view key_type_name(KeyType type);

using SharedPkey = std::shared_ptr<EVP_PKEY>;

class PublicKey {
 public:
  // PEM "PUBLIC KEY" (or any PEM private key, whose public half is taken), or in-toto's key
  // JSON ({"keytype", "scheme", "keyval": {"public"}}).
  static Result<PublicKey> parse(std::string_view text);
  static Result<PublicKey> load(const std::string& path);
  static Result<PublicKey> from_pkey(SharedPkey pkey);

  KeyType type() const { return type_; }
  const std::string& key_id() const { return key_id_; }
  // The id in-toto's tools give this key (SHA-256 of its canonical key JSON), when loaded from
  // such JSON; empty otherwise.
  const std::string& intoto_key_id() const { return intoto_key_id_; }
  std::string pem() const;

  // Ed25519 over `message`; ECDSA and RSA-PSS over SHA-256(message). ECDSA signatures may be
  // DER or the raw 64-byte r||s form.
  bool verify(Bytes message, Bytes signature) const;

 private:
  SharedPkey pkey_;
  // A verification context set up once: copying it is far cheaper than OpenSSL 3's algorithm
  // fetch in every EVP_DigestVerifyInit, which dominates checking thousands of envelopes.
  std::shared_ptr<const EVP_MD_CTX> prototype_;
  KeyType type_ = KeyType::kEd25519;
  std::string key_id_;
  std::string intoto_key_id_;
};

class PrivateKey {
 public:
  static Result<PrivateKey> generate(KeyType type);
  static Result<PrivateKey> parse(std::string_view pem);
  static Result<PrivateKey> load(const std::string& path);

  const PublicKey& public_key() const { return public_; }
  KeyType type() const { return public_.type(); }
  const std::string& key_id() const { return public_.key_id(); }
  Result<std::string> pem() const;  // unencrypted PKCS#8

  // Ed25519: raw 64 bytes; ECDSA: DER over SHA-256(message).
  Result<std::vector<std::uint8_t>> sign(Bytes message) const;

 private:
  SharedPkey pkey_;
  PublicKey public_;
};

// A key the verifier trusts, with what the policy lets it vouch for.
struct TrustedKey {
  std::string label;  // the policy's name for it, shown in reports
  PublicKey key;
  std::vector<std::string> builders;  // builder-id globs it may sign for; empty: any
};

}  // namespace cascade::provenance
