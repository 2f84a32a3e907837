#include "inspect/inspect.h"

#include <algorithm>
#include <limits>
#include <map>

#include "core/entropy.h"
#include "core/file_loader.h"
#include "core/finding_catalogue.h"
#include "formats/pe/pe_authenticode.h"
#include "inspect/format_inspectors.h"
#include "inspect/format_table.h"
#include "inspect/pe_findings.h"

namespace cascade {

namespace {

constexpr std::size_t kUnmeasured = std::numeric_limits<std::size_t>::max();

// The finding a damaged structure of a file of this format gets (single_pass only measures the
// sections of PE, ELF and Mach-O files, so only they reach it today).
const FindingKind& malformed_kind(FileFormat format) {
  switch (format) {
    case FileFormat::kPe:
      return findings::kPeMalformed;
    case FileFormat::kElf:
      return findings::kElfMalformed;
    case FileFormat::kMacho:
    case FileFormat::kMachoFat:
      return findings::kMachoMalformed;
    case FileFormat::kMsi:
      return findings::kMsiMalformed;
    case FileFormat::kCatalog:
      return findings::kSignatureMalformed;
    case FileFormat::kArchive:
    case FileFormat::kAsar:
      return findings::kContainerMalformed;
    case FileFormat::kUnknown:
      break;
  }
  return findings::kFileUnreadable;
}

}  // namespace

const authenticode::TrustStore& trust_or_empty(const InspectOptions& options) {
  // Without a caller's store, signatures are still checked, against no roots at all.
  static const auto kNoRoots =
      authenticode::TrustStore::from_anchors(authenticode::AnchorSet::kUser, {});
  return options.trust != nullptr ? *options.trust : kNoRoots;
}

RangeHistogram file_range(std::uint64_t offset, std::uint64_t size, std::uint64_t file_size) {
  if (offset >= file_size) return {0, 0, {}};
  return {offset, offset + std::min(size, file_size - offset), {}};
}

SinglePass single_pass(Bytes data, const InspectOptions& options, std::vector<HashJob> extra_jobs,
                       std::vector<RangeHistogram>& histograms, bool dword_sum,
                       FileReport& report) {
  std::vector<HashJob> jobs{{DigestAlgorithm::kSha256, {}}};
  if (options.legacy_hashes) {
    jobs.push_back({DigestAlgorithm::kSha1, {}});
    jobs.push_back({DigestAlgorithm::kMd5, {}});
  }
  const std::size_t first_extra = jobs.size();
  for (auto& job : extra_jobs) jobs.push_back(std::move(job));
  // Crafted headers can make thousands of sections cover the same bytes: identical ranges are
  // counted once, and distinct ones only within a budget a few times the file's size.
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> unique_index;
  std::vector<RangeHistogram> unique;
  std::vector<std::size_t> source(histograms.size(), kUnmeasured);
  const std::uint64_t budget = 4 * static_cast<std::uint64_t>(data.size()) + (1U << 20);
  std::uint64_t spent = 0;
  std::size_t unmeasured = 0;
  for (std::size_t i = 0; i < histograms.size(); ++i) {
    const std::uint64_t end = std::min<std::uint64_t>(histograms[i].end, data.size());
    const auto key = std::make_pair(std::min(histograms[i].begin, end), end);
    if (auto it = unique_index.find(key); it != unique_index.end()) {
      source[i] = it->second;
      continue;
    }
    const std::uint64_t size = key.second - key.first;
    if (size > budget - spent) {
      ++unmeasured;
      continue;
    }
    spent += size;
    source[i] = unique.size();
    unique_index.emplace(key, unique.size());
    unique.push_back({key.first, key.second, {}});
  }
  FilePassResult result = run_file_pass(data, jobs, unique, dword_sum);
  for (std::size_t i = 0; i < histograms.size(); ++i) {
    if (source[i] != kUnmeasured) histograms[i].counts = unique[source[i]].counts;
  }
  if (unmeasured > 0) {
    report.findings.push_back(make_finding(
        malformed_kind(report.format),
        std::to_string(unmeasured) +
            " overlapping sections left unmeasured (entropy 0): they cover the file many times"));
  }
  report.hashes.sha256 = to_hex(result.digests[0]);
  if (options.legacy_hashes) {
    report.hashes.sha1 = to_hex(result.digests[1]);
    report.hashes.md5 = to_hex(result.digests[2]);
  }
  SinglePass pass;
  pass.dword_sum = result.dword_sum;
  pass.extra_digests.assign(
      std::make_move_iterator(result.digests.begin() + static_cast<std::ptrdiff_t>(first_extra)),
      std::make_move_iterator(result.digests.end()));
  return pass;
}

FileReport inspect_bytes(const std::string& path, Bytes data, const InspectOptions& options) {
  FileReport report;
  report.path = path;
  report.size = data.size();
  if (const FormatEntry* entry = find_format(data)) {
    entry->inspect(data, options, report);
  } else {
    report.hashes = hash_file(data, options.legacy_hashes);
  }
  if (report.format != FileFormat::kPe && options.catalogs != nullptr &&
      !options.catalogs->empty()) {
    // Any other file a catalog may list by the hash of its whole content.
    const auto jobs = catalog_flat_jobs(options);
    const auto digests = run_hash_jobs(data, jobs);
    std::vector<std::pair<DigestAlgorithm, Digest>> flat;
    for (std::size_t i = 0; i < jobs.size() && i < digests.size(); ++i) {
      flat.emplace_back(jobs[i].algorithm, digests[i]);
    }
    const std::size_t before = report.signatures.size();
    add_catalog_signatures(flat, false, options, report);
    // A file with no signature of its own: its catalog signatures are judged as any other.
    if (before == 0 && !report.signatures.empty()) add_authenticode_findings(report);
  }
  std::sort(report.findings.begin(), report.findings.end(), finding_before);
  return report;
}

FileReport inspect_file(const std::string& path, const InspectOptions& options) {
  // One loader per thread: its buffer is reused from file to file.
  thread_local FileLoader loader;
  auto bytes = loader.load(path);
  if (!bytes) {
    FileReport report;
    report.path = path;
    report.error = bytes.error().message;
    report.findings.push_back(make_finding(findings::kFileUnreadable, report.error));
    return report;
  }
  return inspect_bytes(path, *bytes, options);
}

std::optional<Severity> worst_severity(const FileReport& report) {
  std::optional<Severity> worst;
  for (const auto& f : report.findings) {
    if (!worst || f.severity > *worst) worst = f.severity;
  }
  return worst;
}

}  // namespace cascade
