#pragma once

#include "inspect/inspect.h"

namespace cascade {

// Derives the pe.* and signature.* findings from a filled PE report.
void add_pe_findings(FileReport& report);

// The signature.* findings of report.signatures, for every Authenticode format (PE, MSI):
// malformed, digest-mismatch, invalid, untrusted, expired, timestamp-invalid, weak-digest.
void add_authenticode_findings(FileReport& report);

}  // namespace cascade
