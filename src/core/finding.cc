#include "core/finding.h"

#include <cstdlib>

namespace cascade {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> severity_from_name(std::string_view name) {
  for (auto s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (severity_name(s) == name) return s;
  }
  return std::nullopt;
}

const std::vector<FindingKind>& finding_catalogue() {
  static const std::vector<FindingKind> kCatalogue = {
      {"file.unreadable", Severity::kMedium, "the file could not be read or parsed"},
      {"pe.malformed", Severity::kMedium, "a PE structure is damaged; parsing went on"},
      {"pe.checksum-mismatch", Severity::kLow, "stored PE checksum differs from the computed one"},
      {"pe.wx-section", Severity::kMedium, "a section is both writable and executable"},
      {"pe.overlay", Severity::kInfo, "data after the last section that is not the signature"},
      {"signature.missing", Severity::kLow, "the PE file carries no Authenticode signature"},
      {"signature.malformed", Severity::kHigh, "the certificate table or a signature is damaged"},
      {"signature.digest-mismatch", Severity::kCritical,
       "the signed image digest differs from the file's: content changed after signing"},
      {"signature.invalid", Severity::kCritical,
       "the PKCS#7 signature does not verify with the signer's key"},
      {"signature.untrusted", Severity::kMedium,
       "no chain from the signer to an anchor trusted for this purpose"},
      {"signature.spoofed-chain", Severity::kCritical,
       "the chain names a trusted anchor but not its key: forged (CVE-2020-0601 style)"},
      {"signature.catalog-mismatch", Severity::kHigh,
       "a signed catalog names this file but lists another hash: changed after signing"},
      {"signature.wrong-usage", Severity::kHigh,
       "the signer certificate is not for code signing (a TLS or other certificate)"},
      {"signature.expired", Severity::kMedium,
       "the signer certificate was not valid at the trusted time"},
      {"signature.timestamp-invalid", Severity::kMedium,
       "a timestamp is present but does not verify or does not stamp this signature"},
      {"signature.weak-digest", Severity::kLow, "every signature uses MD5 or SHA-1"},
      {"signature.padding", Severity::kHigh,
       "bytes hidden in the certificate table after the PKCS#7 blob (CVE-2013-3900)"},
      {"signature.trailing-data", Severity::kHigh, "data appended after the certificate table"},
      {"elf.malformed", Severity::kMedium, "an ELF structure is damaged; parsing went on"},
      {"elf.wx-segment", Severity::kMedium, "a LOAD segment is both writable and executable"},
      {"elf.exec-stack", Severity::kMedium, "PT_GNU_STACK requests an executable stack"},
      {"elf.unsafe-rpath", Severity::kMedium,
       "an RPATH/RUNPATH entry is empty, relative or world-writable"},
      {"elf.overlay", Severity::kInfo, "data past the last section and segment"},
      {"macho.malformed", Severity::kMedium,
       "a Mach-O structure or code-signature blob is damaged"},
      {"macho.unsigned", Severity::kLow, "the Mach-O image has no code signature"},
      {"macho.codesign-unverifiable", Severity::kHigh,
       "the binary claims a code signature that cannot be checked (unknown hash, unreadable)"},
      {"macho.adhoc", Severity::kLow, "the code signature is ad hoc: no identity signed it"},
      {"macho.codesign-mismatch", Severity::kCritical,
       "a page or bound blob differs from its hash in the CodeDirectory"},
      {"msi.malformed", Severity::kMedium, "an MSI (OLE compound file) structure is damaged"},
      {"container.malformed", Severity::kMedium,
       "an archive or installer could not be read completely"},
      {"container.ambiguous", Severity::kHigh,
       "two readings of a container disagree: an entry one view has and the other lacks"},
      {"container.limit", Severity::kMedium,
       "one entry over the per-entry size cap was skipped; the entries after it were examined"},
      {"container.incomplete", Severity::kHigh,
       "a safety cap (depth, entries, total size, ratio, shared memory) left part of a container "
       "unexamined"},
      {"file.changed", Severity::kLow, "the file changed while it was being read"},
      {"file.special", Severity::kInfo,
       "a FIFO, socket or device in a scanned tree: named, never opened"},
      {"scan.incomplete", Severity::kLow,
       "part of the checks on this file did not complete (e.g. a YARA timeout)"},
      {"ioc.hash", Severity::kCritical, "the file's digest is listed in an indicator feed"},
      {"ioc.signer", Severity::kCritical,
       "a certificate in the file's signature is on a signer block-list"},
      {"ioc.yara", Severity::kHigh, "a YARA rule matched the file"},
      {"diff.silent-change", Severity::kMedium,
       "content changed but every version field stayed the same"},
      {"diff.signed-content-change", Severity::kHigh,
       "content changed outside the signed bytes: same signer, same signed digest"},
      {"diff.capability-gained", Severity::kHigh,
       "the binary imports a capability it did not have (severity from the capability table)"},
      {"diff.signature-lost", Severity::kHigh, "the file was validly signed and no longer is"},
      {"diff.signer-changed", Severity::kHigh, "a different subject or issuer signed the file"},
      {"diff.certificate-renewed", Severity::kInfo,
       "the same subject and issuer signed with a different certificate"},
      {"diff.digest-downgrade", Severity::kMedium,
       "the signature uses a weaker digest algorithm than before"},
      {"diff.new-unsigned-binary", Severity::kMedium,
       "an unsigned binary appeared in a release whose binaries were signed"},
      {"diff.entropy-jump", Severity::kMedium,
       "a section or the overlay became near-random (packed or encrypted)"},
      {"diff.overlay-added", Severity::kMedium, "data past the image's end appeared or grew"},
      {"diff.pin-mismatch", Severity::kHigh,
       "the baseline pins this file's digest and the new file differs"},
      {"diff.unexpected-signer", Severity::kHigh,
       "not the expected key: another signer, an untrusted look-alike, or a pin mismatch"},
      {"provenance.unattested", Severity::kHigh,
       "no verified statement has this file's digest as a subject"},
      {"provenance.subject-mismatch", Severity::kCritical,
       "a verified statement names this file with another digest: changed after the build"},
      {"provenance.untrusted-builder", Severity::kHigh,
       "only builders the policy does not allow for this path attested the file"},
      {"provenance.material-mismatch", Severity::kCritical,
       "the build's recorded materials do not include the ones the policy pins"},
      {"provenance.pinned-mismatch", Severity::kCritical,
       "a third-party file pinned to a digest in the policy differs"},
      {"provenance.expired", Severity::kMedium,
       "every statement for the file is older than the policy's maximum age"},
      {"provenance.bad-signature", Severity::kHigh,
       "an envelope or link names a trusted key but its signature does not verify"},
      {"provenance.unknown-key", Severity::kMedium,
       "an envelope or link is signed by no key the policy trusts"},
      {"provenance.unauthorized-builder", Severity::kHigh,
       "a trusted key signed a statement for a builder it may not speak for"},
      {"provenance.malformed", Severity::kMedium,
       "an attestation could not be read as DSSE, in-toto Statement or in-toto link"},
      {"provenance.unreadable", Severity::kHigh, "a release file could not be read"},
      {"rebuild.identical", Severity::kInfo,
       "two builds are byte-identical once reproducible-build noise is normalised"},
      {"rebuild.differs", Severity::kHigh,
       "two builds differ beyond what reproducible builds may vary"},
  };
  return kCatalogue;
}

Finding make_finding(std::string_view id, std::string message) {
  for (const auto& kind : finding_catalogue()) {
    if (kind.id == id) return Finding{std::string(id), kind.severity, std::move(message)};
  }
  std::abort();  // an uncatalogued id is a programming error, caught by every test run
}

}  // namespace cascade
