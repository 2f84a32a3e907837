#include "scan/scanner.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "core/file_loader.h"
#include "scan/container/msi_expansion.h"

namespace cascade::scan {

namespace {

using Renames = std::map<std::string, std::string>;

void add_ioc_findings(const ScanOptions& options, FileReport& report) {
  if (options.indicators == nullptr || options.indicators->empty()) return;
  std::set<std::string> seen;  // one finding per feed and value, however often it is reached
  auto add = [&](const IocMatch& match) {
    if (!seen.insert(match.id + '\n' + match.feed + '\n' + match.value).second) return;
    std::string message = match.feed + ": " + match.value;
    if (!match.label.empty()) message += " (" + match.label + ")";
    report.findings.push_back(make_finding(match.id, std::move(message)));
  };
  if (!report.hashes.sha256.empty()) {
    for (const auto& match : options.indicators->match_file(report.hashes)) add(match);
  }
  auto check_certificate = [&](const authenticode::CertificateInfo& cert) {
    for (const auto& match : options.indicators->match_certificate(cert)) add(match);
  };
  for (const auto& signature : report.signatures) {
    if (signature.signer) check_certificate(*signature.signer);
    for (const auto& cert : signature.chain.chain) check_certificate(cert);
    for (const auto& stamp : signature.timestamps) {
      if (stamp.signer) check_certificate(*stamp.signer);
    }
  }
  for (const auto& slice : report.macho_slices) {
    if (!slice.image || !slice.image->code_signature) continue;
    const auto& signature = *slice.image->code_signature;
    if (signature.signer) check_certificate(*signature.signer);
    for (const auto& cert : signature.chain.chain) check_certificate(cert);
  }
}

void add_yara_findings(const ScanOptions& options, Bytes data, FileReport& report) {
  if (options.rules == nullptr) return;
  auto matches = options.rules->match(data);
  if (!matches) {
    report.findings.push_back(make_finding("scan.incomplete", "YARA: " + matches.error().message));
    return;
  }
  for (const auto& match : *matches) {
    std::string message = match.rule;
    if (!match.tags.empty()) {
      message += " [";
      for (std::size_t i = 0; i < match.tags.size(); ++i) {
        message.append(i == 0 ? "" : ", ").append(match.tags[i]);
      }
      message += ']';
    }
    for (const auto& [key, value] : match.meta)
      message.append("; ").append(key).append("=").append(value);
    report.findings.push_back(make_finding("ioc.yara", std::move(message)));
  }
}

// Where a buffer sits: its top-level file and how deep in containers.
struct Place {
  const std::string& top_path;
  int depth;
};

// `keep`, when set, receives a copy of this file's own report (not of the files inside it).
void scan_place(const std::string& path, Bytes data, Place place, const ScanOptions& options,
                ContainerBudget& budget, ScanStats& stats, const ReportSink& sink,
                const Renames* renames, FileReport* keep = nullptr);

std::string_view finding_id(NoteKind kind) {
  switch (kind) {
    case NoteKind::kMalformed:
      return "container.malformed";
    case NoteKind::kEntrySkipped:
      return "container.limit";
    case NoteKind::kIncomplete:
      return "container.incomplete";
    case NoteKind::kAmbiguous:
      return "container.ambiguous";
  }
  return "container.incomplete";
}

// Opens `data` as a container when it is one and scans every entry in it.
void expand(const std::string& path, Bytes data, Place place, const ScanOptions& options,
            ContainerBudget& budget, ScanStats& stats, const ReportSink& sink, FileReport& report,
            const Renames* renames) {
  ContainerKind kind = ContainerKind::kNone;
  Bytes payload = data;
  std::string prefix = path;
  const bool is_msi = report.format == FileFormat::kMsi;
  if (report.format == FileFormat::kUnknown) {
    kind = detect_container(data);
    if (kind == ContainerKind::kArchive) report.format = FileFormat::kArchive;
    if (kind == ContainerKind::kAsar) report.format = FileFormat::kAsar;
  } else if (report.format == FileFormat::kPe && report.overlay && report.overlay->size > 0) {
    // Self-extracting installers keep their payload in the overlay.
    payload = data.subspan(report.overlay->offset, report.overlay->size);
    if (archive_recognised(payload)) kind = ContainerKind::kArchive;
  }
  if (kind == ContainerKind::kNone && !is_msi) return;
  if (place.depth >= options.limits.max_depth) {
    // Whatever this container holds is unexamined: as loud as any other cap that stops one.
    report.findings.push_back(make_finding(
        "container.incomplete", "nested " + std::to_string(place.depth) +
                                    " containers deep, at the cap of " +
                                    std::to_string(options.limits.max_depth) +
                                    " levels (--max-depth): not opened, so its " +
                                    std::to_string(payload.size()) + " bytes were not examined"));
    return;
  }
  ++stats.containers;
  // Cabinets inside an MSI store files under File-table keys; name them by install path.
  const Renames* child_renames = is_msi && report.msi ? &report.msi->install_names : nullptr;
  // The results of entries whose bytes later entries name again (asar), by the span they
  // share: a repeat is reported under its own name without being scanned again.
  std::map<std::pair<const std::uint8_t*, std::size_t>, FileReport> shared;
  const EntryVisitor visit = [&](const ContainerEntry& entry) {
    std::string name = entry.name;
    if (renames != nullptr) {
      if (auto it = renames->find(name); it != renames->end()) name = it->second;
    }
    ++stats.nested;
    const std::string child = prefix + kNestSeparator + name;
    const auto span = std::make_pair(entry.data.data(), entry.data.size());
    if (entry.sharing == EntrySharing::kRepeat) {
      if (auto it = shared.find(span); it != shared.end()) {
        FileReport repeat = it->second;
        repeat.path = child;
        sink({std::move(repeat), place.top_path, place.depth + 1});
        return;
      }
    }
    FileReport* keep = entry.sharing == EntrySharing::kShared ? &shared[span] : nullptr;
    scan_place(child, entry.data, {place.top_path, place.depth + 1}, options, budget, stats, sink,
               child_renames, keep);
  };
  std::vector<ContainerNote> notes;
  if (is_msi) {
    expand_msi(data, options.limits, budget, visit, notes);
  } else {
    expand_container(kind, payload, options.limits, budget, visit, notes);
  }
  for (const auto& note : notes) {
    report.findings.push_back(make_finding(std::string(finding_id(note.kind)), note.message));
  }
}

void scan_place(const std::string& path, Bytes data, Place place, const ScanOptions& options,
                ContainerBudget& budget, ScanStats& stats, const ReportSink& sink,
                const Renames* renames, FileReport* keep) {
  FileReport report = inspect_bytes(path, data, options.inspect);
  add_ioc_findings(options, report);
  add_yara_findings(options, data, report);
  expand(path, data, place, options, budget, stats, sink, report, renames);
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  if (keep != nullptr) *keep = report;
  sink({std::move(report), place.top_path, place.depth});
}

FileReport error_report(const std::string& path, const std::string& message) {
  FileReport report;
  report.path = path;
  report.error = message;
  report.findings.push_back(make_finding("file.unreadable", message));
  return report;
}

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ino == b.st_ino;
}

}  // namespace

void scan_buffer(const std::string& path, Bytes data, const ScanOptions& options,
                 ContainerBudget& budget, ScanStats& stats, const ReportSink& sink) {
  if (budget.memory == nullptr) budget.memory = options.memory;
  scan_place(path, data, {path, 0}, options, budget, stats, sink, nullptr);
}

void run_scan(const std::vector<std::string>& roots, const ScanOptions& options, ScanStats& stats,
              const ReportSink& sink) {
  const unsigned threads = std::max(1u, options.walk.threads);
  std::vector<FileLoader> loaders(threads);
  // One pool for every worker's entry buffers, however many workers there are.
  ExpansionMemory own_memory(options.limits.max_memory);
  ExpansionMemory& memory = options.memory != nullptr ? *options.memory : own_memory;
  auto on_file = [&](const std::string& path, unsigned worker) {
    struct stat before {};
    struct stat after {};
    if (::stat(path.c_str(), &before) != 0) {
      ++stats.errors;
      sink({error_report(path, "vanished before it could be read"), path, 0});
      return;
    }
    auto bytes = loaders[worker].load(path);
    if (!bytes) {
      ++stats.errors;
      sink({error_report(path, bytes.error().message), path, 0});
      return;
    }
    ++stats.files;
    stats.bytes += bytes->size();
    const bool changed = ::stat(path.c_str(), &after) != 0 || !same_file_state(before, after) ||
                         static_cast<std::uint64_t>(before.st_size) != bytes->size();
    ContainerBudget budget;
    budget.memory = &memory;
    const ReportSink mark_changed = [&](ScannedFile&& scanned) {
      if (changed && scanned.depth == 0) {
        scanned.report.findings.push_back(
            make_finding("file.changed",
                         "modified while it was read: the results describe the bytes read, "
                         "which may mix two versions"));
      }
      sink(std::move(scanned));
    };
    scan_place(path, *bytes, {path, 0}, options, budget, stats, changed ? mark_changed : sink,
               nullptr);
  };
  auto on_problem = [&](const WalkProblem& problem) {
    ++stats.errors;
    sink({error_report(problem.path, problem.message), problem.path, 0});
  };
  auto on_special = [&](const WalkProblem& special) {
    FileReport report;
    report.path = special.path;
    report.findings.push_back(make_finding("file.special", special.message));
    sink({std::move(report), special.path, 0});
  };
  WalkOptions walk = options.walk;
  walk.threads = threads;
  walk_parallel(roots, walk, on_file, on_problem, on_special);
}

}  // namespace cascade::scan
