#include "scan/cache/cache_keys.h"

#include <cstdint>

#include "core/digest.h"

namespace cascade::scan {

namespace {

// Fields joined unambiguously: each one's length before it.
class KeyBuilder {
 public:
  KeyBuilder& add(std::string_view field) {
    text_ += std::to_string(field.size());
    text_ += ':';
    text_ += field;
    return *this;
  }
  KeyBuilder& add(std::uint64_t number) { return add(std::to_string(number)); }
  std::string digest() const {
    return to_hex(
        cascade::digest(DigestAlgorithm::kSha256,
                        Bytes(reinterpret_cast<const std::uint8_t*>(text_.data()), text_.size())));
  }

 private:
  std::string text_;
};

}  // namespace

std::string scan_context_digest(const InspectOptions& inspect, const ContainerLimits& limits) {
  KeyBuilder key;
  key.add("context/2").add(inspect.section_entropy ? 1 : 0);
  key.add(static_cast<std::uint64_t>(limits.max_depth))
      .add(limits.max_entry_size)
      .add(limits.max_total_size)
      .add(limits.max_entries)
      .add(std::to_string(limits.max_ratio))
      .add(limits.max_memory);
  if (inspect.trust != nullptr) key.add(inspect.trust->fingerprint());
  if (inspect.catalogs != nullptr) {
    for (const auto& catalog : inspect.catalogs->catalogs()) {
      key.add(catalog.path).add(catalog.error).add(catalog.note);
      key.add(static_cast<std::uint64_t>(catalog.this_update)).add(catalog.covers() ? 1 : 0);
      key.add(catalog.signature.signer ? catalog.signature.signer->sha256 : "");
      for (const auto& member : catalog.members) {
        key.add(digest_name(member.algorithm)).add(to_hex(member.hash));
        key.add(member.pe_image ? 1 : 0).add(member.file_name);
      }
    }
  }
  return key.digest();
}

std::string rule_set_digest(const YaraRules& rules) {
  KeyBuilder key;
  key.add("rules/1").add(rules.rule_count());
  for (const auto& file : rules.files()) key.add(file.path).add(file.sha256);
  return key.digest();
}

std::string yara_variables_digest(const YaraFileVariables& variables) {
  return KeyBuilder()
      .add(variables.filename)
      .add(variables.filepath)
      .add(variables.extension)
      .add(variables.filetype)
      .digest();
}

std::vector<authenticode::CertificateInfo> signer_certificates(const FileReport& report) {
  std::vector<authenticode::CertificateInfo> out;
  for (const auto& signature : report.signatures) {
    if (signature.signer) out.push_back(*signature.signer);
    for (const auto& cert : signature.chain.chain) out.push_back(cert);
    for (const auto& stamp : signature.timestamps) {
      if (stamp.signer) out.push_back(*stamp.signer);
    }
  }
  for (const auto& slice : report.macho_slices) {
    if (!slice.image || !slice.image->code_signature) continue;
    const auto& signature = *slice.image->code_signature;
    if (signature.signer) out.push_back(*signature.signer);
    for (const auto& cert : signature.chain.chain) out.push_back(cert);
  }
  return out;
}

void narrow_judged_window(const FileReport& report, std::time_t now, CachedFile& file) {
  const auto narrow = [&](std::int64_t bound) {
    if (bound < now) {
      file.judged_after = std::max(file.judged_after, bound);
    } else {
      file.judged_before = std::min(file.judged_before, bound);
    }
  };
  auto certificates = signer_certificates(report);
  for (const auto& signature : report.signatures) {
    for (const auto& stamp : signature.timestamps) {
      certificates.insert(certificates.end(), stamp.chain.chain.begin(), stamp.chain.chain.end());
    }
  }
  for (const auto& cert : certificates) {
    narrow(cert.not_before_epoch);
    narrow(cert.not_after_epoch);
  }
}

}  // namespace cascade::scan
