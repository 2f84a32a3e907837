// The certificates a scan report names for a file's signatures, as signer facts: the ones
// `scan --ioc` compares signer indicators with (scanner.cc add_ioc_findings), so that hunt,
// reading the report later, compares the same ones. Reports written before chains carried
// certificate details give their signers only.
#include <algorithm>
#include <cctype>

#include "graph/readers.h"

namespace cascade::graph {
namespace {

using nlohmann::json;

std::string lower(const std::string& text) {
  std::string out = text;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A certificate object ({subject, issuer, serial, sha1, sha256, ...}), or the reason it is not
// one.
Result<CertificateFact> read_certificate(const json& object) {
  if (!object.is_object()) return make_error(ErrorCode::kMalformed, "not an object");
  const std::string* sha256 = string_field(object, "sha256");
  const std::string* sha1 = string_field(object, "sha1");
  const std::string* serial = string_field(object, "serial");
  const std::string* issuer = string_field(object, "issuer");
  const std::string* subject = string_field(object, "subject");
  if (sha256 == nullptr || sha1 == nullptr || serial == nullptr || issuer == nullptr ||
      subject == nullptr) {
    return make_error(ErrorCode::kMalformed, "needs sha256, sha1, serial, issuer and subject");
  }
  CertificateFact fact{lower(*sha256), lower(*sha1), lower(*serial), *issuer, *subject};
  if (auto valid = check_certificate_fact(fact); !valid) return valid.error();
  return fact;
}

class SignerReader {
 public:
  SignerReader(const NodeRef& artifact, const std::string& shown, std::size_t line,
               FactCollector& out)
      : artifact_(artifact), shown_(shown), line_(line), out_(out) {}

  // A certificate member that may be null (an unsigned stamp, a signature without a signer).
  bool certificate(const json& holder, std::string_view key, CertificateRole role) {
    const json* value = field(holder, key);
    if (value == nullptr || value->is_null()) return true;
    return add(*value, role);
  }

  // A chain object's certificate_details.
  bool chain(const json& holder) {
    const json* chain = field(holder, "chain");
    if (chain == nullptr) return true;
    const json* details = field(*chain, "certificate_details");
    if (details == nullptr || details->is_null()) return true;
    if (!details->is_array()) {
      problem("certificate_details is not a list");
      return true;
    }
    for (const json& certificate : *details) {
      if (!add(certificate, CertificateRole::kChain)) return false;
    }
    return true;
  }

  // A Mach-O codesign object ({"cms": {signer_certificate, chain}}).
  bool codesign(const json& holder) {
    const json* codesign = field(holder, "codesign");
    if (codesign == nullptr || !codesign->is_object()) return true;
    const json* cms = field(*codesign, "cms");
    if (cms == nullptr || !cms->is_object()) return true;
    return certificate(*cms, "signer_certificate", CertificateRole::kSigner) && chain(*cms);
  }

 private:
  bool add(const json& value, CertificateRole role) {
    auto fact = read_certificate(value);
    if (!fact) {
      problem(std::string(certificate_role_name(role)) + " certificate: " + fact.error().message);
      return true;
    }
    return out_.add_signer({artifact_, role, std::move(fact).value()});
  }
  void problem(const std::string& message) {
    out_.problem(line_, "file " + shown_ + ": " + message);
  }

  const NodeRef& artifact_;
  const std::string& shown_;
  std::size_t line_;
  FactCollector& out_;
};

}  // namespace

Status check_certificate_fact(const CertificateFact& fact) {
  // Cascade prints names of at most a few hundred bytes; a serial is at most 20 octets (RFC
  // 5280 4.1.2.2), and real ones overrun that a little.
  constexpr std::size_t kMaxName = 4096;
  constexpr std::size_t kMaxSerialDigits = 128;
  const auto lower_hex = [](std::string_view text, std::size_t min, std::size_t max) {
    return text.size() >= min && text.size() <= max &&
           std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  };
  const auto printable = [](std::string_view text) {
    return text.size() <= kMaxName && std::none_of(text.begin(), text.end(), [](char c) {
             const auto byte = static_cast<unsigned char>(c);
             return byte < 0x20 || byte == 0x7f;
           });
  };
  if (!lower_hex(fact.sha256, 64, 64)) {
    return make_error(ErrorCode::kMalformed, "sha256 is not 64 hex digits");
  }
  if (!lower_hex(fact.sha1, 40, 40)) {
    return make_error(ErrorCode::kMalformed, "sha1 is not 40 hex digits");
  }
  // An empty serial is what a certificate with a zero-length one prints as.
  if (!lower_hex(fact.serial, 0, kMaxSerialDigits)) {
    return make_error(ErrorCode::kMalformed, "serial is not hex of at most 128 digits");
  }
  if (!printable(fact.issuer) || !printable(fact.subject)) {
    return make_error(ErrorCode::kMalformed, "a name with control characters or over 4096 bytes");
  }
  return ok_status();
}

bool read_signers(const json& file, const NodeRef& artifact, const std::string& shown,
                  std::size_t line, FactCollector& out) {
  SignerReader reader(artifact, shown, line, out);
  if (const json* signatures = field(file, "signatures");
      signatures != nullptr && signatures->is_array()) {
    for (const json& signature : *signatures) {
      if (!signature.is_object()) continue;
      if (!reader.certificate(signature, "signer_certificate", CertificateRole::kSigner) ||
          !reader.chain(signature)) {
        return false;
      }
      const json* stamps = field(signature, "timestamps");
      if (stamps == nullptr || !stamps->is_array()) continue;
      for (const json& stamp : *stamps) {
        if (stamp.is_object() &&
            !reader.certificate(stamp, "signer_certificate", CertificateRole::kTimestamp)) {
          return false;
        }
      }
    }
  }
  // A thin Mach-O file carries its code signature at the top, a universal one per slice.
  if (!reader.codesign(file)) return false;
  if (const json* slices = field(file, "slices"); slices != nullptr && slices->is_array()) {
    for (const json& slice : *slices) {
      if (slice.is_object() && !reader.codesign(slice)) return false;
    }
  }
  return true;
}

}  // namespace cascade::graph
