// The outputs of `cascade verify`: one JSON document (cascade.verify/1, docs/schema/), a text
// report, and SARIF 2.1.0 through the scan report's collector.
#pragma once

#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "provenance/attestations.h"
#include "provenance/policy.h"
#include "provenance/verifier.h"

namespace cascade {

inline constexpr const char* kVerifySchema = "cascade.verify/1";

struct VerifyRun {
  std::string version;
  std::string release;
  std::string at;  // RFC 3339: the time ages were measured at
  std::string started, finished;
};

// Findings by severity: every file's and every rejected attestation's.
std::map<Severity, std::uint64_t> verify_counts(
    const std::vector<provenance::Attestation>& attestations,
    const provenance::VerifyResult& result);

nlohmann::json verify_json(const VerifyRun& run, const provenance::Policy& policy,
                           const std::vector<provenance::Attestation>& attestations,
                           const provenance::VerifyResult& result);

void write_verify_text(std::ostream& out, const VerifyRun& run, const provenance::Policy& policy,
                       const std::vector<provenance::Attestation>& attestations,
                       const provenance::VerifyResult& result, bool color);

nlohmann::json verify_sarif(const VerifyRun& run,
                            const std::vector<provenance::Attestation>& attestations,
                            const provenance::VerifyResult& result);

}  // namespace cascade
