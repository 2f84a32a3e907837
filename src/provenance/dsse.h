// DSSE v1 envelopes (github.com/secure-systems-lab/dsse): a payload, its type, and signatures
// over the pre-authentication encoding PAE(type, payload), never over the JSON itself, so the
// signed bytes are exactly the bytes checked.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.h"
#include "core/result.h"
#include "provenance/keys.h"

namespace cascade::provenance {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

struct DsseSignature {
  std::string keyid;  // a hint only: verification tries every trusted key when it does not match
  std::vector<std::uint8_t> sig;
};

struct Envelope {
  std::string payload_type;
  std::vector<std::uint8_t> payload;
  std::vector<DsseSignature> signatures;
};

// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes.
std::vector<std::uint8_t> pae(std::string_view payload_type, Bytes payload);

// Reads {"payload", "payloadType", "signatures": [{"keyid", "sig"}]}; base64 standard or
// URL-safe, padded or not.
Result<Envelope> parse_envelope(const nlohmann::json& document);
nlohmann::json envelope_json(const Envelope& envelope);

Result<Envelope> sign_envelope(std::string_view payload_type, Bytes payload, const PrivateKey& key);

enum class SignatureVerdict {
  kVerified,      // a signature verifies with a trusted key
  kUnknownKey,    // no signature names or verifies with a trusted key
  kBadSignature,  // a signature names a trusted key and does not verify with it
};

struct SignatureCheck {
  SignatureVerdict verdict = SignatureVerdict::kUnknownKey;
  const TrustedKey* key = nullptr;  // the key that verified, or the one that failed
};

// Checks `message` against each signature: keys whose id (cascade's or in-toto's) equals the
// signature's keyid first, then, when none does, every key.
SignatureCheck check_signatures(Bytes message, const std::vector<DsseSignature>& signatures,
                                std::span<const TrustedKey> keys);

inline SignatureCheck verify_envelope(const Envelope& envelope, std::span<const TrustedKey> keys) {
  const auto message = pae(envelope.payload_type, envelope.payload);
  return check_signatures(message, envelope.signatures, keys);
}

}  // namespace cascade::provenance
