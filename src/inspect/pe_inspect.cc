// PE images: one pass over the file feeds the hashes, the Authenticode digests, the section and
// overlay entropy and the checksum; then the signatures and the pe.* findings.
#include <algorithm>

#include "core/entropy.h"
#include "core/finding_catalogue.h"
#include "formats/pe/pe_authenticode.h"
#include "inspect/format_inspectors.h"
#include "inspect/pe_findings.h"

namespace cascade {

void inspect_pe(Bytes data, const InspectOptions& options, FileReport& report) {
  report.format = FileFormat::kPe;
  auto parsed = pe::parse_pe(data);
  if (!parsed) {
    report.error = parsed.error().message;
    report.findings.push_back(make_finding(findings::kFileUnreadable, "PE: " + report.error));
    report.hashes = hash_file(data, options.legacy_hashes);
    return;
  }
  report.pe = std::move(parsed).value();
  pe::PeImage& image = *report.pe;
  report.imphash = pe::imphash(image);
  auto authenticode = authenticode::AuthenticodeAnalysis::read(data, image);
  report.certificate_table = authenticode.table();

  // The overlay is what follows the sections, up to the certificate table when one follows.
  // (A table whose stated offset lies past the end of a truncated file ends nothing.)
  std::uint64_t overlay_end = data.size();
  if (report.certificate_table &&
      report.certificate_table->region.offset >= image.end_of_sections) {
    overlay_end = std::min<std::uint64_t>(report.certificate_table->region.offset, data.size());
  }
  if (overlay_end > image.end_of_sections) {
    report.overlay = pe::Region{image.end_of_sections, overlay_end - image.end_of_sections};
  }

  // One pass over the file feeds the file hashes, every image digest the signatures need, the
  // section and overlay byte counts and the checksum sum, so the file streams from memory once.
  std::vector<RangeHistogram> histograms;
  for (const auto& s : image.sections) {
    const std::uint64_t begin = s.raw_size == 0 || !options.section_entropy ? 0 : s.raw_offset;
    const std::uint64_t size = options.section_entropy ? s.raw_size : 0;
    histograms.push_back({begin, begin + size, {}});
  }
  if (report.overlay) {
    histograms.push_back(
        {report.overlay->offset, report.overlay->offset + report.overlay->size, {}});
  }
  // Catalogs list PE files by their Authenticode image hash: the algorithms they use join the
  // signatures' in the same pass.
  std::vector<HashJob> jobs = authenticode.digest_jobs();
  const std::size_t signature_jobs = jobs.size();
  if (options.catalogs != nullptr) {
    for (DigestAlgorithm algorithm : options.catalogs->image_algorithms()) {
      if (std::none_of(jobs.begin(), jobs.end(),
                       [&](const HashJob& j) { return j.algorithm == algorithm; })) {
        jobs.push_back(
            {algorithm, authenticode::authenticode_exclusions(image, report.certificate_table)});
      }
    }
  }
  std::vector<std::pair<DigestAlgorithm, Digest>> image_digests;
  image_digests.reserve(jobs.size());
  for (const auto& job : jobs) image_digests.emplace_back(job.algorithm, Digest{});
  SinglePass pass = single_pass(data, options, std::move(jobs), histograms, true, report);
  for (std::size_t i = 0; i < image_digests.size() && i < pass.extra_digests.size(); ++i) {
    image_digests[i].second = pass.extra_digests[i];
  }
  pass.extra_digests.resize(std::min(pass.extra_digests.size(), signature_jobs));
  if (authenticode::needs_catalog_padding(data, report.certificate_table)) {
    for (auto& [algorithm, digest] : image_digests) {
      digest = authenticode::catalog_image_digest(data, image, algorithm);
    }
  }
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    image.sections[i].entropy = entropy_of(histograms[i].counts);
  }
  if (report.overlay) report.overlay_entropy = entropy_of(histograms.back().counts);
  image.checksum_computed = pe::finish_checksum(data, pass.dword_sum, image.checksum_field_offset);
  const authenticode::TrustStore& trust = trust_or_empty(options);
  report.signatures = authenticode.verify(pass.extra_digests, trust, options.now);
  add_catalog_signatures(image_digests, true, options, report);
  add_pe_findings(report);
}

}  // namespace cascade
