// The finding catalogue: every finding id cascade can emit, with its severity and a one-line
// summary. Each kind is a named constant, so code names a finding by a symbol the compiler
// checks (a misspelt id does not build) and docs/findings.md is tested against kAll.
#pragma once

#include <array>

#include "core/finding.h"

namespace cascade::findings {

inline constexpr FindingKind kFileUnreadable{"file.unreadable", Severity::kMedium,
                                             "the file could not be read or parsed"};

inline constexpr FindingKind kPeMalformed{"pe.malformed", Severity::kMedium,
                                          "a PE structure is damaged; parsing went on"};
inline constexpr FindingKind kPeChecksumMismatch{
    "pe.checksum-mismatch", Severity::kLow, "stored PE checksum differs from the computed one"};
inline constexpr FindingKind kPeWxSection{"pe.wx-section", Severity::kMedium,
                                          "a section is both writable and executable"};
inline constexpr FindingKind kPeOverlay{"pe.overlay", Severity::kInfo,
                                        "data after the last section that is not the signature"};

inline constexpr FindingKind kSignatureMissing{"signature.missing", Severity::kLow,
                                               "the PE file carries no Authenticode signature"};
inline constexpr FindingKind kSignatureMalformed{"signature.malformed", Severity::kHigh,
                                                 "the certificate table or a signature is damaged"};
inline constexpr FindingKind kSignatureDigestMismatch{
    "signature.digest-mismatch", Severity::kCritical,
    "the signed image digest differs from the file's: content changed after signing"};
inline constexpr FindingKind kSignatureInvalid{
    "signature.invalid", Severity::kCritical,
    "the PKCS#7 signature does not verify with the signer's key"};
inline constexpr FindingKind kSignatureUntrusted{
    "signature.untrusted", Severity::kMedium,
    "no chain from the signer to an anchor trusted for this purpose"};
inline constexpr FindingKind kSignatureSpoofedChain{
    "signature.spoofed-chain", Severity::kCritical,
    "the chain names a trusted anchor but not its key: forged (CVE-2020-0601 style)"};
inline constexpr FindingKind kSignatureCatalogMismatch{
    "signature.catalog-mismatch", Severity::kHigh,
    "a signed catalog names this file but lists another hash: changed after signing"};
inline constexpr FindingKind kSignatureWrongUsage{
    "signature.wrong-usage", Severity::kHigh,
    "the signer certificate is not for code signing (a TLS or other certificate)"};
inline constexpr FindingKind kSignatureExpired{
    "signature.expired", Severity::kMedium,
    "the signer certificate was not valid at the trusted time"};
inline constexpr FindingKind kSignatureTimestampInvalid{
    "signature.timestamp-invalid", Severity::kMedium,
    "a timestamp is present but does not verify or does not stamp this signature"};
inline constexpr FindingKind kSignatureWeakDigest{"signature.weak-digest", Severity::kLow,
                                                  "every signature uses MD5 or SHA-1"};
inline constexpr FindingKind kSignaturePadding{
    "signature.padding", Severity::kHigh,
    "bytes hidden in the certificate table after the PKCS#7 blob (CVE-2013-3900)"};
inline constexpr FindingKind kSignatureTrailingData{"signature.trailing-data", Severity::kHigh,
                                                    "data appended after the certificate table"};

inline constexpr FindingKind kElfMalformed{"elf.malformed", Severity::kMedium,
                                           "an ELF structure is damaged; parsing went on"};
inline constexpr FindingKind kElfWxSegment{"elf.wx-segment", Severity::kMedium,
                                           "a LOAD segment is both writable and executable"};
inline constexpr FindingKind kElfExecStack{"elf.exec-stack", Severity::kMedium,
                                           "PT_GNU_STACK requests an executable stack"};
inline constexpr FindingKind kElfUnsafeRpath{
    "elf.unsafe-rpath", Severity::kMedium,
    "an RPATH/RUNPATH entry is empty, relative or world-writable"};
inline constexpr FindingKind kElfOverlay{"elf.overlay", Severity::kInfo,
                                         "data past the last section and segment"};

inline constexpr FindingKind kMachoMalformed{
    "macho.malformed", Severity::kMedium, "a Mach-O structure or code-signature blob is damaged"};
inline constexpr FindingKind kMachoUnsigned{"macho.unsigned", Severity::kLow,
                                            "the Mach-O image has no code signature"};
inline constexpr FindingKind kMachoCodesignUnverifiable{
    "macho.codesign-unverifiable", Severity::kHigh,
    "the binary claims a code signature that cannot be checked (unknown hash, unreadable)"};
inline constexpr FindingKind kMachoAdhoc{"macho.adhoc", Severity::kLow,
                                         "the code signature is ad hoc: no identity signed it"};
inline constexpr FindingKind kMachoCodesignMismatch{
    "macho.codesign-mismatch", Severity::kCritical,
    "a page or bound blob differs from its hash in the CodeDirectory"};

inline constexpr FindingKind kMsiMalformed{"msi.malformed", Severity::kMedium,
                                           "an MSI (OLE compound file) structure is damaged"};

inline constexpr FindingKind kContainerMalformed{
    "container.malformed", Severity::kMedium,
    "an archive or installer could not be read completely"};
inline constexpr FindingKind kContainerAmbiguous{
    "container.ambiguous", Severity::kHigh,
    "two readings of a container disagree: an entry one view has and the other lacks"};
inline constexpr FindingKind kContainerLimit{
    "container.limit", Severity::kMedium,
    "one entry over the per-entry size cap was skipped; the entries after it were examined"};
inline constexpr FindingKind kContainerIncomplete{
    "container.incomplete", Severity::kHigh,
    "a safety cap (depth, entries, total size, ratio, shared memory) left part of a container "
    "unexamined"};

inline constexpr FindingKind kFileChanged{"file.changed", Severity::kLow,
                                          "the file changed while it was being read"};
inline constexpr FindingKind kFileSpecial{
    "file.special", Severity::kInfo,
    "a FIFO, socket or device in a scanned tree: named, never opened"};

inline constexpr FindingKind kScanIncomplete{
    "scan.incomplete", Severity::kLow,
    "part of the checks on this file did not complete (e.g. a YARA timeout)"};

inline constexpr FindingKind kIocHash{"ioc.hash", Severity::kCritical,
                                      "the file's digest is listed in an indicator feed"};
inline constexpr FindingKind kIocSigner{
    "ioc.signer", Severity::kCritical,
    "a certificate in the file's signature is on a signer block-list"};
inline constexpr FindingKind kIocYara{"ioc.yara", Severity::kHigh, "a YARA rule matched the file"};
inline constexpr FindingKind kIocPackage{
    "ioc.package", Severity::kHigh,
    "an OSV advisory in an indicator feed names this installed package and version"};
inline constexpr FindingKind kIocPackageUnevaluated{
    "ioc.package-unevaluated", Severity::kLow,
    "an OSV advisory names this installed package but its version could not be placed in the "
    "advisory's ranges"};

inline constexpr FindingKind kDiffSilentChange{
    "diff.silent-change", Severity::kMedium,
    "content changed but every version field stayed the same"};
inline constexpr FindingKind kDiffSignedContentChange{
    "diff.signed-content-change", Severity::kHigh,
    "content changed outside the signed bytes: same signer, same signed digest"};
inline constexpr FindingKind kDiffCapabilityGained{
    "diff.capability-gained", Severity::kHigh,
    "the binary imports a capability it did not have (severity from the capability table)"};
inline constexpr FindingKind kDiffSignatureLost{"diff.signature-lost", Severity::kHigh,
                                                "the file was validly signed and no longer is"};
inline constexpr FindingKind kDiffSignerChanged{"diff.signer-changed", Severity::kHigh,
                                                "a different subject or issuer signed the file"};
inline constexpr FindingKind kDiffCertificateRenewed{
    "diff.certificate-renewed", Severity::kInfo,
    "the same subject and issuer signed with a different certificate"};
inline constexpr FindingKind kDiffDigestDowngrade{
    "diff.digest-downgrade", Severity::kMedium,
    "the signature uses a weaker digest algorithm than before"};
inline constexpr FindingKind kDiffNewUnsignedBinary{
    "diff.new-unsigned-binary", Severity::kMedium,
    "an unsigned binary appeared in a release whose binaries were signed"};
inline constexpr FindingKind kDiffEntropyJump{
    "diff.entropy-jump", Severity::kMedium,
    "a section or the overlay became near-random (packed or encrypted)"};
inline constexpr FindingKind kDiffOverlayAdded{"diff.overlay-added", Severity::kMedium,
                                               "data past the image's end appeared or grew"};
inline constexpr FindingKind kDiffPinMismatch{
    "diff.pin-mismatch", Severity::kHigh,
    "the baseline pins this file's digest and the new file differs"};
inline constexpr FindingKind kDiffUnexpectedSigner{
    "diff.unexpected-signer", Severity::kHigh,
    "not the expected key: another signer, an untrusted look-alike, or a pin mismatch"};
inline constexpr FindingKind kDiffInstallScriptAdded{
    "diff.install-script-added", Severity::kHigh,
    "a script run at install time (npm hook, maintainer script, setup.py, ...) appeared"};
inline constexpr FindingKind kDiffInstallScriptChanged{
    "diff.install-script-changed", Severity::kMedium, "a script run at install time changed"};
inline constexpr FindingKind kDiffInstallScriptRemoved{
    "diff.install-script-removed", Severity::kInfo, "a script run at install time was removed"};

inline constexpr FindingKind kProvenanceUnattested{
    "provenance.unattested", Severity::kHigh,
    "no verified statement has this file's digest as a subject"};
inline constexpr FindingKind kProvenanceSubjectMismatch{
    "provenance.subject-mismatch", Severity::kCritical,
    "a verified statement names this file with another digest: changed after the build"};
inline constexpr FindingKind kProvenanceUntrustedBuilder{
    "provenance.untrusted-builder", Severity::kHigh,
    "only builders the policy does not allow for this path attested the file"};
inline constexpr FindingKind kProvenanceMaterialMismatch{
    "provenance.material-mismatch", Severity::kCritical,
    "the build's recorded materials do not include the ones the policy pins"};
inline constexpr FindingKind kProvenancePinnedMismatch{
    "provenance.pinned-mismatch", Severity::kCritical,
    "a third-party file pinned to a digest in the policy differs"};
inline constexpr FindingKind kProvenanceExpired{
    "provenance.expired", Severity::kMedium,
    "every statement for the file is older than the policy's maximum age"};
inline constexpr FindingKind kProvenanceBadSignature{
    "provenance.bad-signature", Severity::kHigh,
    "an envelope or link names a trusted key but its signature does not verify"};
inline constexpr FindingKind kProvenanceUnknownKey{
    "provenance.unknown-key", Severity::kMedium,
    "an envelope or link is signed by no key the policy trusts"};
inline constexpr FindingKind kProvenanceUnauthorizedBuilder{
    "provenance.unauthorized-builder", Severity::kHigh,
    "a trusted key signed a statement for a builder it may not speak for"};
inline constexpr FindingKind kProvenanceMalformed{
    "provenance.malformed", Severity::kMedium,
    "an attestation could not be read as DSSE, in-toto Statement or in-toto link"};
inline constexpr FindingKind kProvenanceUnreadable{"provenance.unreadable", Severity::kHigh,
                                                   "a release file could not be read"};

inline constexpr FindingKind kRebuildIdentical{
    "rebuild.identical", Severity::kInfo,
    "two builds are byte-identical once reproducible-build noise is normalised"};
inline constexpr FindingKind kRebuildDiffers{
    "rebuild.differs", Severity::kHigh,
    "two builds differ beyond what reproducible builds may vary"};

// Every kind above, in the order SARIF lists its rules.
inline constexpr std::array kAll = {
    kFileUnreadable,
    kPeMalformed,
    kPeChecksumMismatch,
    kPeWxSection,
    kPeOverlay,
    kSignatureMissing,
    kSignatureMalformed,
    kSignatureDigestMismatch,
    kSignatureInvalid,
    kSignatureUntrusted,
    kSignatureSpoofedChain,
    kSignatureCatalogMismatch,
    kSignatureWrongUsage,
    kSignatureExpired,
    kSignatureTimestampInvalid,
    kSignatureWeakDigest,
    kSignaturePadding,
    kSignatureTrailingData,
    kElfMalformed,
    kElfWxSegment,
    kElfExecStack,
    kElfUnsafeRpath,
    kElfOverlay,
    kMachoMalformed,
    kMachoUnsigned,
    kMachoCodesignUnverifiable,
    kMachoAdhoc,
    kMachoCodesignMismatch,
    kMsiMalformed,
    kContainerMalformed,
    kContainerAmbiguous,
    kContainerLimit,
    kContainerIncomplete,
    kFileChanged,
    kFileSpecial,
    kScanIncomplete,
    kIocHash,
    kIocSigner,
    kIocYara,
    kIocPackage,
    kIocPackageUnevaluated,
    kDiffSilentChange,
    kDiffSignedContentChange,
    kDiffCapabilityGained,
    kDiffSignatureLost,
    kDiffSignerChanged,
    kDiffCertificateRenewed,
    kDiffDigestDowngrade,
    kDiffNewUnsignedBinary,
    kDiffEntropyJump,
    kDiffOverlayAdded,
    kDiffPinMismatch,
    kDiffUnexpectedSigner,
    kDiffInstallScriptAdded,
    kDiffInstallScriptChanged,
    kDiffInstallScriptRemoved,
    kProvenanceUnattested,
    kProvenanceSubjectMismatch,
    kProvenanceUntrustedBuilder,
    kProvenanceMaterialMismatch,
    kProvenancePinnedMismatch,
    kProvenanceExpired,
    kProvenanceBadSignature,
    kProvenanceUnknownKey,
    kProvenanceUnauthorizedBuilder,
    kProvenanceMalformed,
    kProvenanceUnreadable,
    kRebuildIdentical,
    kRebuildDiffers,
};

}  // namespace cascade::findings
