#include "provenance/attestations.h"

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/finding_catalogue.h"
#include "core/mapped_file.h"
#include "core/parallel.h"
#include "core/strict_json.h"
#include "provenance/canonical_json.h"
#include "provenance/dsse.h"
#include "provenance/policy.h"

namespace cascade::provenance {
namespace {

using nlohmann::json;

Attestation rejected(std::string source, AttestationForm form, const FindingKind& kind,
                     std::string message) {
  Attestation out;
  out.source = std::move(source);
  out.form = form;
  out.status = AttestationStatus::kRejected;
  out.finding = make_finding(kind, std::move(message));
  return out;
}

Attestation ignored(std::string source, AttestationForm form, std::string note) {
  Attestation out;
  out.source = std::move(source);
  out.form = form;
  out.status = AttestationStatus::kIgnored;
  out.note = std::move(note);
  return out;
}

// The verdict of a signature check as an attestation (record still to be filled).
Attestation from_check(const SignatureCheck& check, std::string source, AttestationForm form,
                       std::string_view what) {
  if (check.verdict == SignatureVerdict::kVerified) {
    Attestation out;
    out.source = std::move(source);
    out.form = form;
    out.status = AttestationStatus::kVerified;
    out.key_label = check.key->label;
    out.key_id = check.key->key.key_id();
    return out;
  }
  if (check.verdict == SignatureVerdict::kBadSignature) {
    Attestation out = rejected(std::move(source), form, findings::kProvenanceBadSignature,
                               std::string(what) + " names trusted key \"" + check.key->label +
                                   "\" but its signature does not verify: rejected");
    out.key_label = check.key->label;
    out.key_id = check.key->key.key_id();
    return out;
  }
  return rejected(std::move(source), form, findings::kProvenanceUnknownKey,
                  std::string(what) + " is signed by no key the policy trusts: rejected");
}

// Keeps a verified record only when its signer may speak for the builder it names.
void authorise(Attestation& attestation, std::span<const TrustedKey> keys) {
  if (attestation.status != AttestationStatus::kVerified) return;
  for (const auto& key : keys) {
    if (key.key.key_id() != attestation.key_id) continue;
    if (!attestation.record.is_build() || key_may_sign_for(key, attestation.record.builder_id)) {
      return;
    }
    attestation.status = AttestationStatus::kRejected;
    attestation.finding = make_finding(findings::kProvenanceUnauthorizedBuilder,
                                       "key \"" + key.label + "\" may not sign for builder \"" +
                                           attestation.record.builder_id + "\": rejected");
    return;
  }
}

// A signed statement that repeats a key stops verify: its signer and cascade could read two
// different claims in it.
Result<Attestation> check_envelope(const json& document, const std::string& source,
                                   std::span<const TrustedKey> keys) {
  auto envelope = parse_envelope(document);
  if (!envelope) {
    return rejected(source, AttestationForm::kDsse, findings::kProvenanceMalformed,
                    envelope.error().message);
  }
  // The signature first: nothing of an unverified payload is read. It covers the payload type
  // too, so an envelope naming a trusted key whose type was changed is a bad signature.
  Attestation out =
      from_check(verify_envelope(*envelope, keys), source, AttestationForm::kDsse, "envelope");
  if (envelope->payload_type != kInTotoPayloadType &&
      (out.status == AttestationStatus::kVerified ||
       out.finding->is(findings::kProvenanceUnknownKey))) {
    // Bundles may carry other payloads (signatures of other things, by other keys): not ours.
    return ignored(source, AttestationForm::kDsse,
                   "payload type \"" + envelope->payload_type.substr(0, 80) + "\" is not in-toto");
  }
  if (out.status != AttestationStatus::kVerified) return out;
  auto record = parse_statement(Bytes(envelope->payload.data(), envelope->payload.size()));
  if (!record && record.error().code == ErrorCode::kAmbiguous) {
    return make_error(ErrorCode::kAmbiguous,
                      source + ": the signed statement: " + record.error().message);
  }
  if (!record) {
    return rejected(source, AttestationForm::kDsse, findings::kProvenanceMalformed,
                    "signed payload: " + record.error().message);
  }
  out.record = std::move(record).value();
  authorise(out, keys);
  return out;
}

Attestation check_link(const json& document, const std::string& source,
                       std::span<const TrustedKey> keys) {
  const auto& signatures = document["signatures"];
  const auto& signed_part = document["signed"];
  if (!signatures.is_array() || !signed_part.is_object()) {
    return rejected(source, AttestationForm::kInTotoLink, findings::kProvenanceMalformed,
                    "in-toto metadata needs signatures (a list) and signed (an object)");
  }
  std::vector<DsseSignature> sigs;
  for (const auto& entry : signatures) {
    if (sigs.size() >= 16) break;
    if (!entry.is_object() || !entry.contains("sig") || !entry["sig"].is_string()) continue;
    auto sig = hex_decode(entry["sig"].get_ref<const std::string&>());
    if (!sig) continue;
    DsseSignature signature;
    signature.sig = std::move(*sig);
    if (entry.contains("keyid") && entry["keyid"].is_string()) signature.keyid = entry["keyid"];
    sigs.push_back(std::move(signature));
  }
  if (sigs.empty()) {
    return rejected(source, AttestationForm::kInTotoLink, findings::kProvenanceMalformed,
                    "in-toto link without a readable signature");
  }
  auto canonical = canonical_json(signed_part);
  if (!canonical) {
    return rejected(source, AttestationForm::kInTotoLink, findings::kProvenanceMalformed,
                    canonical.error().message);
  }
  const auto& bytes = canonical.value();
  Attestation out = from_check(
      check_signatures(Bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                       sigs, keys),
      source, AttestationForm::kInTotoLink, "link");
  if (out.status != AttestationStatus::kVerified) return out;
  auto record = parse_link(signed_part);
  if (!record) {
    return rejected(source, AttestationForm::kInTotoLink, findings::kProvenanceMalformed,
                    record.error().message);
  }
  out.record = std::move(record).value();
  authorise(out, keys);
  return out;
}

// One envelope, bundle or link; an error (never a rejected attestation) when the document or
// the statement it signs repeats a key.
Result<Attestation> check_document(std::string_view text, const std::string& source,
                                   std::span<const TrustedKey> keys) {
  auto parsed = parse_strict_json(text);
  if (!parsed && parsed.error().code == ErrorCode::kAmbiguous) {
    return make_error(ErrorCode::kAmbiguous, source + ": " + parsed.error().message);
  }
  if (!parsed)
    return rejected(source, AttestationForm::kUnknown, findings::kProvenanceMalformed,
                    parsed.error().message);
  const json& document = *parsed;
  if (!document.is_object()) return ignored(source, AttestationForm::kUnknown, "not a JSON object");
  if (document.contains("payloadType")) return check_envelope(document, source, keys);
  if (const auto it = document.find("dsseEnvelope"); it != document.end()) {
    return check_envelope(*it, source, keys);  // a Sigstore bundle; its key is ours to trust
  }
  if (document.contains("signed") && document.contains("signatures")) {
    return check_link(document, source, keys);
  }
  if (document.contains("_type")) {
    return rejected(source, AttestationForm::kUnknown, findings::kProvenanceMalformed,
                    "an unsigned statement: only signed envelopes and links count");
  }
  return ignored(source, AttestationForm::kUnknown, "neither a DSSE envelope nor an in-toto link");
}

}  // namespace

std::string_view status_name(AttestationStatus status) {
  switch (status) {
    case AttestationStatus::kVerified:
      return "verified";
    case AttestationStatus::kRejected:
      return "rejected";
    case AttestationStatus::kIgnored:
      return "ignored";
  }
  return "rejected";
}

Result<std::vector<Attestation>> check_attestation_text(std::string_view text,
                                                        const std::string& origin,
                                                        std::span<const TrustedKey> keys,
                                                        unsigned threads) {
  // One document (an envelope or link, possibly pretty-printed) or JSON Lines. A whole text that
  // is JSON but for a repeated key is one document too, refused as such.
  const auto whole = parse_strict_json(text);
  if (whole || whole.error().code == ErrorCode::kAmbiguous) {
    auto attestation = check_document(text, origin + ":1", keys);
    if (!attestation) return attestation.error();
    return std::vector<Attestation>{std::move(attestation).value()};
  }
  struct Line {
    std::size_t number;
    std::string_view text;
  };
  std::vector<Line> lines;
  std::size_t number = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    const auto end = std::min(text.find('\n', pos), text.size());
    ++number;
    std::string_view line = text.substr(pos, end - pos);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back({number, line});
    pos = end + 1;
  }
  std::vector<Attestation> out;
  out.reserve(lines.size());
  std::optional<Error> refused;  // the first line, in order, that repeats a key
  parallel_ordered(
      lines.size(), threads,
      [&](std::size_t i) {
        return check_document(lines[i].text, origin + ":" + std::to_string(lines[i].number), keys);
      },
      [&](std::size_t, Result<Attestation> attestation) {
        if (!attestation) {
          if (!refused) refused = attestation.error();
          return;
        }
        out.push_back(std::move(attestation).value());
      });
  if (refused) return *refused;
  return out;
}

Result<std::vector<Attestation>> load_attestations(const std::vector<std::string>& paths,
                                                   std::span<const TrustedKey> keys,
                                                   unsigned threads) {
  std::vector<Attestation> out;
  for (const auto& path : paths) {
    auto text = read_whole_file(path, kMaxAttestationFileBytes);
    if (!text) {
      out.push_back(rejected(path, AttestationForm::kUnknown, findings::kProvenanceMalformed,
                             text.error().message));
      continue;
    }
    auto checked = check_attestation_text(*text, path, keys, threads);
    if (!checked) return checked.error();
    out.insert(out.end(), std::make_move_iterator(checked->begin()),
               std::make_move_iterator(checked->end()));
  }
  return out;
}

}  // namespace cascade::provenance
