#include "scan/scanner.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/file_loader.h"
#include "core/finding_catalogue.h"
#include "scan/container_formats.h"
#include "scan/packages/manifest.h"

namespace cascade::scan {

namespace {

using Renames = std::map<std::string, std::string>;
// Where a scanned file goes next: through the walk's order to the caller's sink.
using Emit = std::function<void(ScannedFile&&)>;

void add_ioc_findings(const ScanOptions& options, FileReport& report) {
  if (options.indicators == nullptr || options.indicators->empty()) return;
  std::set<std::string> seen;  // one finding per feed and value, however often it is reached
  auto add = [&](const IocMatch& match) {
    if (!seen.insert(std::string(match.kind.id) + '\n' + match.feed + '\n' + match.value).second) {
      return;
    }
    std::string message = match.feed + ": " + match.value;
    if (!match.label.empty()) message += " (" + match.label + ")";
    report.findings.push_back(make_finding(match.kind, std::move(message)));
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

// A rule's `meta: severity = "..."` sets its finding's severity; a value that names none is
// kept in the message, so a typo in a rule set shows instead of silently rating it high.
Finding yara_finding(const YaraMatch& match) {
  std::string message = match.rule;
  if (!match.tags.empty()) {
    message += " [";
    for (std::size_t i = 0; i < match.tags.size(); ++i) {
      message.append(i == 0 ? "" : ", ").append(match.tags[i]);
    }
    message += ']';
  }
  std::optional<std::string> unknown_severity;
  std::optional<Severity> severity;
  for (const auto& [key, value] : match.meta) {
    message.append("; ").append(key).append("=").append(value);
    if (key != "severity") continue;
    std::string name = value;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (auto known = severity_from_name(name)) {
      severity = known;
    } else {
      unknown_severity = value;
    }
  }
  Finding finding = make_finding(findings::kIocYara, "");
  if (severity) {
    finding.severity = *severity;
  } else if (unknown_severity) {
    message.append(" (meta severity \"")
        .append(*unknown_severity)
        .append("\" is not info, low, medium, high or critical: kept ")
        .append(severity_name(finding.severity))
        .append(")");
  }
  finding.message = std::move(message);
  return finding;
}

void add_yara_findings(const ScanOptions& options, Bytes data, bool nested, FileReport& report) {
  if (options.rules == nullptr) return;
  auto matches = options.rules->match(
      data, yara_file_variables(report.path, nested, file_format_name(report.format)));
  if (!matches) {
    report.findings.push_back(
        make_finding(findings::kScanIncomplete, "YARA: " + matches.error().message));
    return;
  }
  for (const auto& match : *matches) report.findings.push_back(yara_finding(match));
}

// What every file found under one file on disk shares: the scan's options, the caps' budget
// of that file, the counters and where reports go.
struct ScanContext {
  const ScanOptions& options;
  ContainerBudget& budget;
  ScanStats& stats;
  const Emit& sink;
  const std::string& top_path;  // the file on disk
};

// Where one buffer sits under the file on disk.
struct Place {
  std::string path;  // the full nested path
  int depth = 0;     // containers above it; 0 for the file on disk
  // How the containers directly inside this buffer name their entries (an MSI's cabinets name
  // files by File-table key); nullptr: as stored.
  const Renames* renames = nullptr;
};

// A copy of the bytes when the caller asked for this file's (ScanOptions::keep_bytes).
std::optional<std::string> kept_bytes(const ScanOptions& options, const std::string& path,
                                      Bytes data) {
  if (!options.keep_bytes || !options.keep_bytes(path, data)) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(data.data()), data.size());
}

// `keep`, when set, receives a copy of this file's own report (not of the files inside it).
void scan_place(const ScanContext& context, const Place& place, Bytes data,
                FileReport* keep = nullptr);

const FindingKind& finding_kind(NoteKind kind) {
  switch (kind) {
    case NoteKind::kMalformed:
      return findings::kContainerMalformed;
    case NoteKind::kEntrySkipped:
      return findings::kContainerLimit;
    case NoteKind::kIncomplete:
      return findings::kContainerIncomplete;
    case NoteKind::kAmbiguous:
      return findings::kContainerAmbiguous;
  }
  return findings::kContainerIncomplete;
}

// Opens `data` as a container when it is one and scans every entry in it.
void expand(const ScanContext& context, const Place& place, Bytes data,
            const ContainerFormat* container, FileReport& report) {
  if (container == nullptr) return;
  const std::optional<Bytes> payload = container->payload(data, report);
  if (!payload) return;
  const ContainerLimits& limits = context.options.limits;
  if (place.depth >= limits.max_depth) {
    // Whatever this container holds is unexamined: as loud as any other cap that stops one.
    report.findings.push_back(make_finding(
        findings::kContainerIncomplete,
        "nested " + std::to_string(place.depth) + " containers deep, at the cap of " +
            std::to_string(limits.max_depth) + " levels (--max-depth): not opened, so its " +
            std::to_string(payload->size()) + " bytes were not examined"));
    return;
  }
  ++context.stats.containers;
  const Renames* child_renames =
      container->nested_names != nullptr ? container->nested_names(report) : nullptr;
  // The results of entries whose bytes later entries name again (asar), by the span they
  // share: a repeat is reported under its own name without being scanned again.
  std::map<std::pair<const std::uint8_t*, std::size_t>, FileReport> shared;
  const EntryVisitor visit = [&](const ContainerEntry& entry) {
    std::string name = entry.name;
    if (place.renames != nullptr) {
      if (auto it = place.renames->find(name); it != place.renames->end()) name = it->second;
    }
    ++context.stats.nested;
    Place child{place.path + kNestSeparator + name, place.depth + 1, child_renames};
    const auto span = std::make_pair(entry.data.data(), entry.data.size());
    if (entry.sharing == EntrySharing::kRepeat) {
      if (auto it = shared.find(span); it != shared.end()) {
        FileReport repeat = it->second;
        repeat.path = std::move(child.path);
        // The bytes are the same, the manifest's path (its source, its tree) is its own.
        ManifestFacts manifest = recognise_manifest(repeat.path, entry.data);
        std::optional<std::string> bytes = kept_bytes(context.options, repeat.path, entry.data);
        context.sink({std::move(repeat), context.top_path, child.depth, std::move(manifest),
                      std::move(bytes)});
        return;
      }
    }
    FileReport* keep = entry.sharing == EntrySharing::kShared ? &shared[span] : nullptr;
    scan_place(context, child, entry.data, keep);
  };
  std::vector<ContainerNote> notes;
  container->expand(*payload, limits, context.budget, visit, notes);
  for (const auto& note : notes) {
    report.findings.push_back(make_finding(finding_kind(note.kind), note.message));
  }
}

void scan_place(const ScanContext& context, const Place& place, Bytes data, FileReport* keep) {
  FileReport report = inspect_bytes(place.path, data, context.options.inspect);
  // Found before the rules run: it names archives and asar files, which YARA's `filetype` says.
  const ContainerFormat* container = find_container_format(data, report);
  add_ioc_findings(context.options, report);
  add_yara_findings(context.options, data, place.depth > 0, report);
  expand(context, place, data, container, report);
  ManifestFacts manifest = recognise_manifest(place.path, data);
  for (std::string& note : manifest.incomplete) {
    report.findings.push_back(make_finding(findings::kScanIncomplete, std::move(note)));
  }
  manifest.incomplete.clear();
  std::sort(report.findings.begin(), report.findings.end(), finding_before);
  if (keep != nullptr) *keep = report;
  context.sink({std::move(report), context.top_path, place.depth, std::move(manifest),
                kept_bytes(context.options, place.path, data)});
}

FileReport error_report(const std::string& path, const std::string& message) {
  FileReport report;
  report.path = path;
  report.error = message;
  report.findings.push_back(make_finding(findings::kFileUnreadable, message));
  return report;
}

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ino == b.st_ino;
}

}  // namespace

void scan_bytes(const std::string& path, Bytes data, const ScanOptions& options, ScanStats& stats,
                const ReportSink& sink) {
  ExpansionMemory own_memory(options.limits.max_memory);
  ContainerBudget budget;
  budget.memory = options.memory != nullptr ? options.memory : &own_memory;
  ++stats.files;
  stats.bytes += data.size();
  // One thread, in order: each report's step runs as soon as it is made.
  const Emit emit = [&](ScannedFile&& scanned) {
    if (auto step = sink(std::move(scanned))) step();
  };
  const ScanContext context{options, budget, stats, emit, path};
  scan_place(context, {path, 0, nullptr}, data);
}

void run_scan(const std::vector<std::string>& roots, const ScanOptions& options, ScanStats& stats,
              const ReportSink& sink) {
  const unsigned threads = std::max(1u, options.walk.threads);
  std::vector<FileLoader> loaders(threads);
  // One pool for every worker's entry buffers, however many workers there are.
  ExpansionMemory own_memory(options.limits.max_memory);
  ExpansionMemory& memory = options.memory != nullptr ? *options.memory : own_memory;
  auto on_file = [&](const std::string& path, unsigned worker, const DeliverStep& deliver) {
    const Emit emit = [&](ScannedFile&& scanned) {
      if (auto step = sink(std::move(scanned))) deliver(std::move(step));
    };
    struct stat before {};
    struct stat after {};
    if (::stat(path.c_str(), &before) != 0) {
      ++stats.errors;
      emit({error_report(path, "vanished before it could be read"), path, 0});
      return;
    }
    auto bytes = loaders[worker].load(path);
    if (!bytes) {
      ++stats.errors;
      emit({error_report(path, bytes.error().message), path, 0});
      return;
    }
    ++stats.files;
    stats.bytes += bytes->size();
    const bool changed = ::stat(path.c_str(), &after) != 0 || !same_file_state(before, after) ||
                         static_cast<std::uint64_t>(before.st_size) != bytes->size();
    ContainerBudget budget;
    budget.memory = &memory;
    const Emit mark_changed = [&](ScannedFile&& scanned) {
      if (changed && scanned.depth == 0) {
        auto& found = scanned.report.findings;
        found.push_back(make_finding(findings::kFileChanged,
                                     "modified while it was read: the results describe the "
                                     "bytes read, which may mix two versions"));
        std::sort(found.begin(), found.end(), finding_before);
      }
      emit(std::move(scanned));
    };
    const ScanContext context{options, budget, stats, changed ? mark_changed : emit, path};
    scan_place(context, {path, 0, nullptr}, *bytes);
  };
  auto on_problem = [&](const WalkProblem& problem) {
    ++stats.errors;
    if (auto step = sink({error_report(problem.path, problem.message), problem.path, 0})) step();
  };
  auto on_special = [&](const WalkProblem& special) {
    FileReport report;
    report.path = special.path;
    report.findings.push_back(make_finding(findings::kFileSpecial, special.message));
    if (auto step = sink({std::move(report), special.path, 0})) step();
  };
  WalkOptions walk = options.walk;
  walk.threads = threads;
  walk_parallel(roots, walk, on_file, on_problem, on_special);
}

}  // namespace cascade::scan
