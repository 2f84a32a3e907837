// Mach-O, thin or fat: parse every slice, measure them all in the shared single pass, verify
// each code signature, and derive the macho.* findings.
#include <algorithm>
#include <cstdio>

#include "core/entropy.h"
#include "core/finding_catalogue.h"
#include "inspect/format_inspectors.h"
#include "inspect/pe_findings.h"

namespace cascade {

namespace {

std::string slice_label(const FileReport& report, const MachoSliceReport& s) {
  if (report.format != FileFormat::kMachoFat || !s.image) return "";
  return macho::cpu_name(s.image->cputype, s.image->cpusubtype) + " slice: ";
}

void add_signature_findings(FileReport& report, const MachoSliceReport& s) {
  const std::string label = slice_label(report, s);
  const macho::MachoImage& image = *s.image;
  if (!image.code_signature) {
    report.findings.push_back(
        make_finding(findings::kMachoUnsigned, label + "no LC_CODE_SIGNATURE"));
    return;
  }
  const macho::CodeSignature& cs = *image.code_signature;
  for (const auto& error : cs.errors) {
    report.findings.push_back(make_finding(
        findings::kMachoMalformed, std::string(label).append("code signature: ").append(error)));
  }
  // A binary that claims a code signature cascade cannot check is not a signed binary: no
  // CodeDirectory could be read, or none has a hash type and layout cascade can verify.
  if (std::none_of(cs.directories.begin(), cs.directories.end(),
                   [](const macho::CodeDirectory& cd) { return cd.checked; })) {
    report.findings.push_back(make_finding(
        findings::kMachoCodesignUnverifiable,
        label +
            (cs.directories.empty()
                 ? std::string("LC_CODE_SIGNATURE is present but no CodeDirectory could be read")
                 : "no CodeDirectory can be checked (" +
                       macho::code_directory_hash_name(cs.directories.front().hash_type) + ")") +
            ": the code it claims to sign is unverified"));
  }
  for (const auto& cd : cs.directories) {
    const std::string which = label + (cd.alternate ? "alternate " : "") +
                              macho::code_directory_hash_name(cd.hash_type) + " CodeDirectory";
    if (cd.bad_pages != 0) {
      report.findings.push_back(make_finding(
          findings::kMachoCodesignMismatch,
          which + ": " + std::to_string(cd.bad_pages) + " page hash(es) differ, first at page " +
              std::to_string(cd.first_bad_page.value_or(0)) + " (offset " +
              std::to_string(std::uint64_t{cd.first_bad_page.value_or(0)} * cd.page_size) + ")"));
    }
    for (const auto& slot : cd.bad_special_slots) {
      report.findings.push_back(make_finding(
          findings::kMachoCodesignMismatch,
          std::string(which).append(": the ").append(slot).append(" hash does not match")));
    }
  }
  if (cs.adhoc) {
    report.findings.push_back(
        make_finding(findings::kMachoAdhoc,
                     label + "ad-hoc signature: no signing identity vouches for this code"));
  }
  if (cs.cms_present && !cs.cms_signature_ok) {
    report.findings.push_back(
        make_finding(findings::kSignatureInvalid, label + "CMS: " + cs.cms_error));
  }
  if (cs.cms_present && cs.signer && !cs.chain.trusted) {
    report.findings.push_back(chain_finding(cs.chain, label + "CMS signer " + cs.signer->subject));
  }
}

void add_macho_findings(FileReport& report) {
  for (const auto& s : report.macho_slices) {
    if (!s.image) continue;
    const std::string label = slice_label(report, s);
    for (const auto& anomaly : s.image->anomalies) {
      report.findings.push_back(make_finding(findings::kMachoMalformed, label + anomaly));
    }
    add_signature_findings(report, s);
  }
}

}  // namespace

void inspect_macho(Bytes data, const InspectOptions& options, FileReport& report) {
  if (macho::detect(data) == macho::Kind::kFat) {
    report.format = FileFormat::kMachoFat;
    // A damaged header still leads to every slice that lies inside the file.
    const macho::FatTable table = macho::read_fat(data);
    for (const auto& problem : table.problems) {
      report.findings.push_back(make_finding(findings::kMachoMalformed, problem));
    }
    for (const auto& slice : table.slices) report.macho_slices.push_back({slice, {}, {}});
  } else {
    report.format = FileFormat::kMacho;
    report.macho_slices.push_back({macho::FatSlice{0, 0, 0, data.size(), 0}, {}, {}});
  }

  std::vector<RangeHistogram> histograms;
  std::size_t parsed = 0;
  for (auto& s : report.macho_slices) {
    auto bytes = macho::slice_bytes(data, s.slice);
    auto image = bytes ? macho::parse_macho(*bytes)
                       : Result<macho::MachoImage>(
                             make_error(ErrorCode::kTruncated, "slice lies outside the file"));
    if (!image) {
      s.error = image.error().message;
      report.findings.push_back(
          make_finding(findings::kMachoMalformed,
                       "slice at offset " + std::to_string(s.slice.offset) + ": " + s.error));
      continue;
    }
    ++parsed;
    s.image = std::move(image).value();
    for (const auto& seg : s.image->segments) {
      for (const auto& sec : seg.sections) {
        // Zero-fill sections (offset 0) have no bytes in the file.
        const std::uint64_t size = sec.offset == 0 || !options.section_entropy ? 0 : sec.size;
        histograms.push_back(file_range(s.slice.offset + sec.offset, size, data.size()));
      }
    }
  }
  if (parsed == 0 && !report.macho_slices.empty() && report.format == FileFormat::kMacho) {
    report.error = report.macho_slices.front().error;
    report.findings.push_back(make_finding(findings::kFileUnreadable, "Mach-O: " + report.error));
  }

  single_pass(data, options, {}, histograms, false, report);
  std::size_t next = 0;
  for (auto& s : report.macho_slices) {
    if (!s.image) continue;
    for (auto& seg : s.image->segments) {
      for (auto& sec : seg.sections) sec.entropy = entropy_of(histograms[next++].counts);
    }
    if (auto bytes = macho::slice_bytes(data, s.slice)) {
      macho::verify_code_signature(*bytes, *s.image, trust_or_empty(options), options.now);
    }
  }
  add_macho_findings(report);
}

}  // namespace cascade
