#include "provenance/dsse.h"

#include "core/base64.h"

namespace cascade::provenance {
namespace {

// Signatures an envelope may carry before it is refused: real ones have one or two.
constexpr std::size_t kMaxSignatures = 16;

}  // namespace

std::vector<std::uint8_t> pae(std::string_view payload_type, Bytes payload) {
  std::string head = "DSSEv1 " + std::to_string(payload_type.size()) + ' ';
  head += payload_type;
  head += ' ';
  head += std::to_string(payload.size());
  head += ' ';
  std::vector<std::uint8_t> out;
  out.reserve(head.size() + payload.size());
  out.insert(out.end(), head.begin(), head.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<Envelope> parse_envelope(const nlohmann::json& document) {
  if (!document.is_object()) return make_error(ErrorCode::kMalformed, "not a JSON object");
  const auto payload = document.find("payload");
  const auto type = document.find("payloadType");
  const auto signatures = document.find("signatures");
  if (payload == document.end() || !payload->is_string() || type == document.end() ||
      !type->is_string() || signatures == document.end() || !signatures->is_array()) {
    return make_error(ErrorCode::kMalformed,
                      "not a DSSE envelope (payload, payloadType and signatures)");
  }
  Envelope envelope;
  envelope.payload_type = type->get<std::string>();
  auto body = base64_decode(payload->get_ref<const std::string&>());
  if (!body) return make_error(ErrorCode::kMalformed, "payload is not base64");
  envelope.payload = std::move(*body);
  if (signatures->empty()) return make_error(ErrorCode::kMalformed, "envelope has no signature");
  if (signatures->size() > kMaxSignatures) {
    return make_error(ErrorCode::kLimit, "envelope has more than 16 signatures");
  }
  for (const auto& entry : *signatures) {
    if (!entry.is_object() || !entry.contains("sig") || !entry["sig"].is_string()) {
      return make_error(ErrorCode::kMalformed, "signature without a sig string");
    }
    auto sig = base64_decode(entry["sig"].get_ref<const std::string&>());
    if (!sig) return make_error(ErrorCode::kMalformed, "sig is not base64");
    DsseSignature signature;
    signature.sig = std::move(*sig);
    if (const auto keyid = entry.find("keyid"); keyid != entry.end() && keyid->is_string()) {
      signature.keyid = keyid->get<std::string>();
    }
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

nlohmann::json envelope_json(const Envelope& envelope) {
  nlohmann::json signatures = nlohmann::json::array();
  for (const auto& signature : envelope.signatures) {
    signatures.push_back(
        {{"keyid", signature.keyid},
         {"sig", base64_encode(Bytes(signature.sig.data(), signature.sig.size()))}});
  }
  return {{"payload", base64_encode(Bytes(envelope.payload.data(), envelope.payload.size()))},
          {"payloadType", envelope.payload_type},
          {"signatures", std::move(signatures)}};
}

Result<Envelope> sign_envelope(std::string_view payload_type, Bytes payload,
                               const PrivateKey& key) {
  const auto message = pae(payload_type, payload);
  auto sig = key.sign(Bytes(message.data(), message.size()));
  if (!sig) return sig.error();
  Envelope envelope;
  envelope.payload_type = std::string(payload_type);
  envelope.payload.assign(payload.begin(), payload.end());
  envelope.signatures.push_back({key.key_id(), std::move(sig).value()});
  return envelope;
}

SignatureCheck check_signatures(Bytes message, const std::vector<DsseSignature>& signatures,
                                std::span<const TrustedKey> keys) {
  SignatureCheck result;
  for (const auto& signature : signatures) {
    const Bytes sig(signature.sig.data(), signature.sig.size());
    bool named = false;
    for (const auto& trusted : keys) {
      if (signature.keyid.empty() || (signature.keyid != trusted.key.key_id() &&
                                      signature.keyid != trusted.key.intoto_key_id())) {
        continue;
      }
      named = true;
      if (trusted.key.verify(message, sig)) return {SignatureVerdict::kVerified, &trusted};
      result = {SignatureVerdict::kBadSignature, &trusted};
    }
    if (named) continue;
    for (const auto& trusted : keys) {
      if (trusted.key.verify(message, sig)) return {SignatureVerdict::kVerified, &trusted};
    }
  }
  return result;
}

}  // namespace cascade::provenance
