#pragma once

#include "inspect/inspect.h"

namespace cascade {

// Derives the pe.* and signature.* findings from a filled PE report.
void add_pe_findings(FileReport& report);

// The signature.* findings of report.signatures, for every Authenticode format (PE, MSI):
// malformed, digest-mismatch, invalid, untrusted, expired, timestamp-invalid, weak-digest.
void add_authenticode_findings(FileReport& report);

// The finding for a signer chain that is not trusted, by why: signature.spoofed-chain (a forged
// anchor), signature.wrong-usage (a key not for code signing), signature.untrusted (no anchor,
// or one that may not vouch for this).
Finding chain_finding(const authenticode::ChainResult& chain, const std::string& label);

}  // namespace cascade
