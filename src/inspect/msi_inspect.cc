// Windows Installer packages: the database's identity and streams, and the Authenticode
// signature over the streams, judged with the same findings as a PE signature.
#include <cstdio>

#include "core/finding_catalogue.h"
#include "formats/msi/msi_signature.h"
#include "inspect/format_inspectors.h"
#include "inspect/pe_findings.h"

namespace cascade {

namespace {

std::string entropy_text(double e) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", e);
  return buf;
}

void add_signature_findings(Bytes data, const InspectOptions& options, FileReport& report) {
  if (!report.msi->has_signature) {
    report.findings.push_back(
        make_finding(findings::kSignatureMissing, "no \\x05DigitalSignature stream"));
    return;
  }
  auto check = msi::verify_msi_signatures(data, trust_or_empty(options), options.now);
  report.signatures = std::move(check.signatures);
  for (const auto& error : check.errors) {
    report.findings.push_back(make_finding(findings::kSignatureMalformed, error));
  }
  if (check.padding != 0) {
    report.findings.push_back(make_finding(
        findings::kSignaturePadding,
        "\\x05DigitalSignature stream: " + std::to_string(check.padding) +
            " bytes after the PKCS#7 blob, entropy " + entropy_text(check.padding_entropy) +
            " (outside the signed digest; Windows' EnableCertPaddingCheck covers PE files only, "
            "so the package still verifies)"));
  }
  add_authenticode_findings(report);
  if (report.signatures.empty() && check.errors.empty()) {
    report.findings.push_back(make_finding(findings::kSignatureMalformed,
                                           "\\x05DigitalSignature holds no readable signature"));
  }
}

}  // namespace

void inspect_msi(Bytes data, const InspectOptions& options, FileReport& report) {
  // Every OLE file gets its hashes, whether or not it turns out to be an installer.
  std::vector<RangeHistogram> no_ranges;
  single_pass(data, options, {}, no_ranges, false, report);
  auto package = msi::read_msi(data);
  if (!package) {
    // A sound compound file that is simply not an MSI (a Word document) is no finding.
    if (package.error().code != ErrorCode::kUnsupported) {
      report.findings.push_back(make_finding(findings::kMsiMalformed, package.error().message));
    }
    return;
  }
  report.format = FileFormat::kMsi;
  report.msi = std::move(package).value();
  for (const auto& anomaly : report.msi->anomalies) {
    report.findings.push_back(make_finding(findings::kMsiMalformed, anomaly));
  }
  add_signature_findings(data, options, report);
}

}  // namespace cascade
