// verify's readers as attacker input: the bytes as a JSON or YAML policy, as an attestation file
// (envelopes, bundles, links), as a statement payload, as an in-toto link, as a key; and, signed
// with a key the fuzzer trusts so the checks past the signature run, as an envelope's payload
// whose subjects then go through the release verdicts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base64.h"
#include "core/strict_json.h"
#include "core/time.h"
#include "provenance/attestations.h"
#include "provenance/canonical_json.h"
#include "provenance/dsse.h"
#include "provenance/policy.h"
#include "provenance/verifier.h"

namespace pv = cascade::provenance;

namespace {

struct Trusted {
  pv::PrivateKey key = *pv::PrivateKey::generate(pv::KeyType::kEd25519);
  std::vector<pv::TrustedKey> keys = {{"fuzz", key.public_key(), {"https://*"}}};
  pv::Policy policy;
  Trusted() {
    policy.keys = keys;
    policy.max_age_seconds = 86400;
    policy.files.push_back(
        {"*.dll", std::nullopt, {{"src", "", {{"sha256", std::string(64, 'a')}}}}, {}});
    policy.files.push_back({"*.pin", std::nullopt, {}, {std::string(64, 'b')}});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Trusted trusted;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const cascade::Bytes bytes(data, size);
  (void)pv::Policy::parse(text, "fuzz.json", "/nonexistent", false);
  (void)pv::Policy::parse(text, "fuzz.yaml", "/nonexistent", true);
  (void)pv::PublicKey::parse(text);
  (void)cascade::base64_decode(text);
  (void)cascade::parse_rfc3339(text);
  (void)cascade::parse_duration_seconds(text);
  (void)cascade::parse_strict_json(text);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) {
    (void)pv::canonical_json(json);
    (void)pv::parse_link(json);
    (void)pv::parse_envelope(json);
  }
  (void)pv::check_attestation_text(text, "fuzz", trusted.keys, 1);
  (void)pv::parse_statement(bytes);

  // Past the signature: the input as a payload signed by a trusted key.
  auto envelope = pv::sign_envelope(pv::kInTotoPayloadType, bytes, trusted.key);
  if (!envelope) return 0;
  const auto checked =
      pv::check_attestation_text(pv::envelope_json(*envelope).dump(), "fuzz", trusted.keys, 1);
  if (!checked) return 0;  // a statement that repeats a key: refused before any file is judged
  const auto& attestations = *checked;
  pv::ReleaseContents release;
  for (const auto& attestation : attestations) {
    for (const auto& subject : attestation.record.subjects) {
      if (release.entries.size() >= 64) break;
      pv::ReleaseEntry entry;
      entry.path = "r/" + subject.name;
      entry.key = subject.name;
      entry.sha256 = release.entries.size() % 2 ? subject.sha256 : std::string(64, 'b');
      release.entries.push_back(std::move(entry));
    }
  }
  (void)pv::verify_release(release, attestations, trusted.policy, 1700000000);
  return 0;
}
