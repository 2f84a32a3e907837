// Catalogs in two roles: a .cat file inspected as itself (its members and its own signature,
// judged like any Windows signature), and the catalogs given to an inspection, which vouch for
// the files they list by hash.
#include <algorithm>
#include <filesystem>

#include "authenticode/catalog.h"
#include "core/finding_catalogue.h"
#include "formats/pe/pe_authenticode.h"
#include "inspect/format_inspectors.h"
#include "inspect/pe_findings.h"

namespace cascade {

void inspect_catalog(Bytes data, const InspectOptions& options, FileReport& report) {
  std::vector<RangeHistogram> no_ranges;
  single_pass(data, options, {}, no_ranges, false, report);
  report.format = FileFormat::kCatalog;
  authenticode::Catalog catalog =
      authenticode::read_catalog(report.path, data, trust_or_empty(options), options.now);
  CatalogFacts facts;
  facts.members = catalog.members.size();
  facts.named = static_cast<std::size_t>(
      std::count_if(catalog.members.begin(), catalog.members.end(),
                    [](const authenticode::CatalogMember& m) { return !m.file_name.empty(); }));
  if (catalog.this_update != 0) facts.this_update = authenticode::format_time(catalog.this_update);
  report.catalog = facts;
  if (!catalog.error.empty()) {
    report.findings.push_back(make_finding(findings::kSignatureMalformed,
                                           "catalog: " + catalog.error + "; it covers nothing"));
    return;
  }
  if (!catalog.note.empty()) {
    report.findings.push_back(
        make_finding(findings::kSignatureMalformed, "catalog: " + catalog.note));
  }
  authenticode::Signature own = catalog.signature;
  own.kind = authenticode::SignatureKind::kEmbedded;  // the catalog's own, in its own file
  own.catalog.clear();
  // The algorithm its members are listed by: a SHA-1 catalog is as weak as a SHA-1 signature.
  if (!catalog.members.empty()) {
    own.digest_algorithm = std::string(digest_name(catalog.members.front().algorithm));
  }
  if (!own.signature_ok) {
    report.findings.push_back(
        make_finding(findings::kSignatureInvalid,
                     "catalog: " + own.signature_error +
                         " (changed after signing, or not signed by its signer); it "
                         "covers nothing"));
  }
  report.signatures.push_back(std::move(own));
  add_authenticode_findings(report);
}

void add_catalog_signatures(const std::vector<std::pair<DigestAlgorithm, Digest>>& digests,
                            bool pe_image, const InspectOptions& options, FileReport& report) {
  if (options.catalogs == nullptr || options.catalogs->empty()) return;
  const std::size_t before = report.signatures.size();
  for (const auto& [algorithm, digest] : digests) {
    for (auto& sig : options.catalogs->signatures_for(
             algorithm, Bytes(digest.data(), digest.size()), pe_image)) {
      const bool listed = std::any_of(
          report.signatures.begin() + static_cast<std::ptrdiff_t>(before), report.signatures.end(),
          [&](const authenticode::Signature& s) { return s.catalog == sig.catalog; });
      if (!listed) report.signatures.push_back(std::move(sig));
    }
  }
  if (report.signatures.size() != before) return;
  // No catalog lists this content. One that lists a file of this name vouched for other
  // content: the file changed after that catalog was signed (or belongs to another build).
  const std::string name = std::filesystem::path(report.path).filename().string();
  for (const authenticode::Catalog* catalog : options.catalogs->naming(name)) {
    report.findings.push_back(
        make_finding(findings::kSignatureCatalogMismatch,
                     "catalog " + catalog->path + " lists a file named " + name +
                         " with another hash: its content changed after the catalog was signed"));
  }
}

std::vector<HashJob> catalog_flat_jobs(const InspectOptions& options) {
  std::vector<HashJob> jobs;
  if (options.catalogs == nullptr) return jobs;
  for (DigestAlgorithm algorithm : options.catalogs->flat_algorithms()) {
    jobs.push_back({algorithm, {}});
  }
  return jobs;
}

}  // namespace cascade
