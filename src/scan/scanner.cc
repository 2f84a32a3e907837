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
#include "scan/cache/cache_keys.h"
#include "scan/cache/scan_cache.h"
#include "scan/container_formats.h"
#include "scan/packages/manifest.h"

namespace cascade::scan {

namespace {

using Renames = std::map<std::string, std::string>;
// Where a scanned file goes next: through the walk's order to the caller's sink.
using Emit = std::function<void(ScannedFile&&)>;

// `certificates`: the signers to match (signer_certificates()); nullptr: the report's own.
void add_ioc_findings(const ScanOptions& options, FileReport& report,
                      const std::vector<authenticode::CertificateInfo>* certificates = nullptr) {
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
  const auto own = certificates == nullptr ? signer_certificates(report)
                                           : std::vector<authenticode::CertificateInfo>();
  for (const auto& cert : certificates == nullptr ? own : *certificates) {
    for (const auto& match : options.indicators->match_certificate(cert)) add(match);
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

// The scan cache in one run: where results go and what they are keyed by besides identity.
struct CacheRun {
  ScanCache& store;
  std::string context;  // scan_context_digest
  std::string rules;    // rule_set_digest; "" without rules
  std::time_t now = 0;
};

// What one file on disk's scan leaves for the cache.
struct Recording {
  CachedFile file;
  bool complete = true;  // false: something (a YARA error) is not worth keeping
};

struct YaraOutcome {
  std::vector<Finding> findings;
  std::string variables;  // their digest, when caching
  bool complete = true;
};

YaraOutcome yara_findings(const ScanOptions& options, const CacheRun* cache, Bytes data,
                          bool nested, const FileReport& report) {
  YaraOutcome out;
  if (options.rules == nullptr && cache == nullptr) return out;
  const YaraFileVariables variables =
      yara_file_variables(report.path, nested, file_format_name(report.format));
  if (cache != nullptr) out.variables = yara_variables_digest(variables);
  if (options.rules == nullptr) return out;
  const bool keyed = cache != nullptr && !report.hashes.sha256.empty();
  if (keyed) {
    if (auto known = cache->store.find_yara(report.hashes.sha256, cache->rules, out.variables)) {
      out.findings = std::move(*known);
      return out;
    }
  }
  auto matches = options.rules->match(data, variables);
  if (!matches) {
    out.findings.push_back(
        make_finding(findings::kScanIncomplete, "YARA: " + matches.error().message));
    out.complete = false;
    return out;
  }
  for (const auto& match : *matches) out.findings.push_back(yara_finding(match));
  if (keyed)
    cache->store.store_yara(report.hashes.sha256, cache->rules, out.variables, out.findings);
  return out;
}

// The cache's entry for a file whose report holds only the findings of inspection, containers
// and manifests so far.
CachedEntry cached_entry(const FileReport& report, int depth, const ManifestFacts& manifest,
                         const YaraOutcome& yara) {
  return {report.path,
          depth,
          report.size,
          report.format,
          report.hashes,
          report.error,
          cacheable_facts(report),
          report.findings,
          signer_certificates(report),
          manifest,
          yara.variables,
          yara.findings};
}

// What every file found under one file on disk shares: the scan's options, the caps' budget
// of that file, the counters and where reports go.
struct ScanContext {
  const ScanOptions& options;
  ContainerBudget& budget;
  ScanStats& stats;
  const Emit& sink;
  const std::string& top_path;      // the file on disk
  const CacheRun* cache = nullptr;  // set when the scan has a cache
  Recording* recording = nullptr;   // set when this file's results are to be cached
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

// A file's own results (not the files' inside it), for a later entry that repeats its bytes.
struct Kept {
  FileReport report;
  std::optional<CachedEntry> entry;  // when caching
};

// `keep`, when set, receives a copy of this file's own results.
void scan_place(const ScanContext& context, const Place& place, Bytes data, Kept* keep = nullptr);

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
  if (context.recording != nullptr) ++context.recording->file.containers;
  const Renames* child_renames =
      container->nested_names != nullptr ? container->nested_names(report) : nullptr;
  // The results of entries whose bytes later entries name again (asar), by the span they
  // share: a repeat is reported under its own name without being scanned again.
  std::map<std::pair<const std::uint8_t*, std::size_t>, Kept> shared;
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
        FileReport repeat = it->second.report;
        repeat.path = std::move(child.path);
        // The bytes are the same, the manifest's path (its source, its tree) is its own.
        ManifestFacts manifest = recognise_manifest(repeat.path, entry.data);
        if (Recording* recording = context.recording; recording != nullptr) {
          if (it->second.entry) {
            CachedEntry cached = *it->second.entry;
            cached.path = repeat.path;
            cached.depth = child.depth;
            cached.manifest = manifest;
            recording->file.entries.push_back(std::move(cached));
          } else {
            recording->complete = false;
          }
        }
        std::optional<std::string> bytes = kept_bytes(context.options, repeat.path, entry.data);
        context.sink({std::move(repeat), context.top_path, child.depth, std::move(manifest),
                      std::move(bytes)});
        return;
      }
    }
    Kept* keep = entry.sharing == EntrySharing::kShared ? &shared[span] : nullptr;
    scan_place(context, child, entry.data, keep);
  };
  std::vector<ContainerNote> notes;
  container->expand(*payload, limits, context.budget, visit, notes);
  for (const auto& note : notes) {
    report.findings.push_back(make_finding(finding_kind(note.kind), note.message));
  }
}

void scan_place(const ScanContext& context, const Place& place, Bytes data, Kept* keep) {
  FileReport report = inspect_bytes(place.path, data, context.options.inspect);
  // Found before the rules run: it names archives and asar files, which YARA's `filetype` says.
  const ContainerFormat* container = find_container_format(data, report);
  YaraOutcome yara = yara_findings(context.options, context.cache, data, place.depth > 0, report);
  expand(context, place, data, container, report);
  ManifestFacts manifest = recognise_manifest(place.path, data);
  for (std::string& note : manifest.incomplete) {
    report.findings.push_back(make_finding(findings::kScanIncomplete, std::move(note)));
  }
  manifest.incomplete.clear();
  // Cached before the feeds' findings join: those are matched again on every run.
  std::optional<CachedEntry> entry;
  if (Recording* recording = context.recording; recording != nullptr) {
    entry = cached_entry(report, place.depth, manifest, yara);
    recording->complete = recording->complete && yara.complete;
    narrow_judged_window(report, context.cache->now, recording->file);
    recording->file.entries.push_back(*entry);
  }
  add_ioc_findings(context.options, report);
  report.findings.insert(report.findings.end(), yara.findings.begin(), yara.findings.end());
  std::sort(report.findings.begin(), report.findings.end(), finding_before);
  if (keep != nullptr) *keep = {report, std::move(entry)};
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

// Reports the file at `path` from the cache when what it holds still describes it under this
// run's options and rules; false when the file has to be read.
bool reuse_cached(const CacheRun& cache, const ScanOptions& options, const std::string& path,
                  const struct stat& status, ScanStats& stats, const Emit& emit) {
  const bool legacy = options.inspect.legacy_hashes;
  const auto usable = [&](const std::optional<CachedFile>& file) {
    return file && file->identity == file_identity(status) && file->context == cache.context &&
           (!legacy || file->legacy_hashes) && file->judged_after < cache.now &&
           cache.now < file->judged_before;
  };
  const auto facts = options.cached_facts ? ScanCache::Facts::kRead : ScanCache::Facts::kSkip;
  auto file = cache.store.find(path, facts);
  if (!usable(file)) return false;
  if (options.rules != nullptr && file->rules != cache.rules) {
    // Another rule set: reusable when every entry's bytes were matched with this one before.
    // The row is stored again with the new findings, so it is read whole.
    if (facts == ScanCache::Facts::kSkip) {
      file = cache.store.find(path, ScanCache::Facts::kRead);
      if (!usable(file)) return false;
    }
    for (auto& entry : file->entries) {
      auto known =
          entry.hashes.sha256.empty()
              ? std::nullopt
              : cache.store.find_yara(entry.hashes.sha256, cache.rules, entry.yara_variables);
      if (!known) return false;
      entry.yara = std::move(*known);
    }
    file->rules = cache.rules;
    cache.store.store(path, *file);
  }
  ++stats.files;
  ++stats.reused;
  stats.bytes += file->identity.size;
  stats.nested += file->entries.size() - 1;
  stats.containers += file->containers;
  for (auto& entry : file->entries) {
    FileReport report;
    report.path = entry.path;
    report.size = entry.size;
    report.format = entry.format;
    report.hashes = std::move(entry.hashes);
    if (!legacy) {
      report.hashes.sha1.reset();
      report.hashes.md5.reset();
    }
    report.error = std::move(entry.error);
    report.findings = std::move(entry.findings);
    add_ioc_findings(options, report, &entry.certificates);
    if (options.rules != nullptr) {
      report.findings.insert(report.findings.end(), entry.yara.begin(), entry.yara.end());
    }
    std::sort(report.findings.begin(), report.findings.end(), finding_before);
    ScannedFile scanned{std::move(report), path, entry.depth, std::move(entry.manifest)};
    if (options.cached_facts) {
      scanned.cached_facts = std::make_shared<const std::string>(std::move(entry.facts));
    }
    emit(std::move(scanned));
  }
  return true;
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
  std::optional<CacheRun> cache_run;
  if (options.cache != nullptr && !options.keep_bytes) {
    cache_run.emplace(CacheRun{*options.cache, scan_context_digest(options.inspect, options.limits),
                               options.rules != nullptr ? rule_set_digest(*options.rules) : "",
                               options.inspect.now});
  }
  const CacheRun* cache = cache_run ? &*cache_run : nullptr;
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
    if (cache != nullptr && reuse_cached(*cache, options, path, before, stats, emit)) return;
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
    // Bytes that may mix two versions are never cached.
    Recording recording;
    const ScanContext context{options,
                              budget,
                              stats,
                              changed ? mark_changed : emit,
                              path,
                              cache,
                              cache != nullptr && !changed ? &recording : nullptr};
    scan_place(context, {path, 0, nullptr}, *bytes);
    if (context.recording != nullptr && recording.complete) {
      recording.file.identity = file_identity(before);
      recording.file.context = cache->context;
      recording.file.rules = cache->rules;
      recording.file.legacy_hashes = options.inspect.legacy_hashes;
      cache->store.store(path, std::move(recording.file));
    }
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
