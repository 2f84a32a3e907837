#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/input_paths.h"
#include "cli/output.h"
#include "core/parallel.h"
#include "core/user_cache.h"
#include "report/scan_report.h"
#include "scan/cache/scan_cache.h"
#include "scan/catalogs.h"
#include "scan/container/expansion_memory.h"
#include "scan/packages/advisory_match.h"
#include "scan/scanner.h"
#include "serve/report_sender.h"

namespace cascade::cli {

void add_scan_command(CLI::App& app, ScanArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "scan", "Scan trees, installers and archives: inspect every file, match indicators");
  cmd->add_option("paths", args.paths,
                  "Files and directories to scan; - reads one file from standard input")
      ->required();
  cmd->add_option("--ioc", args.iocs,
                  "Indicator feed (hash list, CSV, STIX 2.1, signer list, OSV advisory or array, "
                  "or a directory of OSV *.json advisories against the installed packages)")
      ->check(CLI::ExistingPath)
      ->allow_extra_args(false);
  cmd->add_option("--rules", args.rules, "YARA rule file or directory of rule files")
      ->check(CLI::ExistingPath)
      ->allow_extra_args(false);
  add_trust_options(cmd, args.trust);
  cmd->add_option("--host", args.host, "Host name recorded in the report (default: this host)");
  add_threads_option(cmd, args.threads);
  cmd->add_option("--exclude", args.excludes, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--one-file-system", args.one_file_system,
                "Do not descend into other file systems");
  cmd->add_option("--max-depth", args.max_depth, "Container nesting levels to open (default 8)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--expansion-memory", args.expansion_memory_mib,
                  "MiB for buffering container entries, shared by all workers (default 1024)")
      ->check(CLI::Range(16, 1 << 20));
  auto* json = add_json_flag(cmd, args.json, "cascade.scan/1");
  auto* jsonl = cmd->add_flag("--jsonl", args.jsonl,
                              "Stream JSON Lines, one record per file (cascade.scan-jsonl/1)");
  json->excludes(jsonl);
  cmd->add_option("--sarif", args.sarif, "Also write SARIF 2.1.0 to this file");
  add_fail_on_option(cmd, args.fail_on);
  cmd->add_option("--top", args.top, "Findings listed in the text summary (default 25)")
      ->check(CLI::Range(0, 100000));
  add_color_option(cmd, args.color);
  auto* cache = cmd->add_option("--cache", args.cache,
                                "Reuse the results of files unchanged since the last scan, kept "
                                "in this SQLite file (alone: ~/.cache/cascade/scan.sqlite)")
                    ->expected(0, 1)
                    ->allow_extra_args(false);
  args.cache_option = cache;
  cmd->add_flag("--no-cache", args.no_cache, "Read every file: no scan cache (the default)")
      ->excludes(cache);
  auto* report_to =
      add_server_options(cmd, args.report_to, "--report-to",
                         "When the scan ends, also post its cascade.scan/1 report to this server");
  add_spool_option(cmd, args.report_to, report_to);
  set_help_footer(cmd,
                  {"Scan a release folder and fail on anything medium or worse",
                   "cascade scan --fail-on medium release/"},
                  {"Save a machine's scan as JSON, for `diff` or `graph ingest`",
                   "cascade scan --host build-7 --json release/ > scan.json"},
                  kFindingExitCodes);
}

namespace {

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// $XDG_CACHE_HOME/cascade/scan.sqlite, else ~/.cache/cascade/scan.sqlite; the folders are made
// (0700) when missing. Empty when there is no home to put it in.
std::string default_cache_path() {
  const std::string folder = user_cache_directory();
  if (folder.empty()) return "";
  const std::string parent = folder.substr(0, folder.rfind('/'));
  for (const std::string& made : {parent, folder}) ::mkdir(made.c_str(), 0700);
  return folder + "/scan.sqlite";
}

// The client and spool --report-to needs, made before the scan so that a bad URL, token file or
// spool stops the run at once.
struct Reporting {
  serve::Client client;
  serve::Spool spool;
};

Result<std::optional<Reporting>> open_reporting(const ServerArgs& args) {
  if (args.url.empty()) return std::optional<Reporting>();
  auto client = open_server(args);
  if (!client) return client.error();
  const std::string directory = args.spool.empty() ? serve::Spool::default_directory() : args.spool;
  if (directory.empty()) {
    return make_error(ErrorCode::kUsage,
                      "--report-to: no XDG_CACHE_HOME or HOME to keep a spool in; name one "
                      "(--spool DIR)");
  }
  auto spool = serve::Spool::open(directory);
  if (!spool) return spool.error();
  return std::optional<Reporting>(Reporting{std::move(client).value(), std::move(spool).value()});
}

// The scan's outcome does not depend on the server: what could not be sent is spooled, and
// the user hears of it on standard error.
void report_scan(Reporting& reporting, std::string_view report) {
  auto sent = serve::send_through_spool(reporting.client, reporting.spool, report);
  if (!sent) {
    std::cerr << "cascade: warning: the report was neither sent to " << reporting.client.url()
              << " nor spooled: " << sent.error().message << '\n';
    return;
  }
  if (sent->spooled_sent > 0) {
    std::cerr << "cascade: sent " << sent->spooled_sent << " spooled report"
              << (sent->spooled_sent == 1 ? "" : "s") << " to " << reporting.client.url() << '\n';
  }
  for (const std::string& warning : sent->warnings) std::cerr << "cascade: " << warning << '\n';
}

}  // namespace

int run_scan(const ScanArgs& args) {
  bool any_missing = false;
  std::vector<std::string> roots = existing_named_paths(args.paths, any_missing);
  if (roots.empty()) return kExitUsage;
  // Feeds, rules and trust are loaded before any file is read: a typo stops the run at once.
  // The rules compile on a second core while the feeds load; a feed's error is still said
  // first. (A re-scan from the cache spends a fifth of its time on these two.)
  std::optional<Result<scan::YaraRules>> compiled;
  std::jthread compiler;
  if (!args.rules.empty()) {
    try {
      compiler = std::jthread([&] { compiled.emplace(scan::YaraRules::compile(args.rules)); });
    } catch (const std::system_error&) {  // no thread to be had: compiled below instead
    }
  }
  scan::IndicatorSet indicators;
  ScanRun run;
  for (const auto& path : args.iocs) {
    auto feed = indicators.load(path);
    if (!feed) {
      std::cerr << "cascade: " << feed.error().message << '\n';
      return kExitUsage;
    }
  }
  run.feeds = indicators.feeds();
  std::optional<scan::YaraRules> rules;
  if (!args.rules.empty()) {
    if (compiler.joinable()) compiler.join();
    if (!compiled) compiled.emplace(scan::YaraRules::compile(args.rules));
    if (!*compiled) {
      // One error a line, each shown printable on its own (see guard_stderr).
      std::cerr << "cascade: YARA rules do not compile:\n";
      std::istringstream errors(compiled->error().message);
      for (std::string line; std::getline(errors, line);) std::cerr << line << '\n';
      return kExitUsage;
    }
    rules.emplace(std::move(*compiled).value());
    run.rules = rules->files();
    run.rule_count = rules->rule_count();
  }
  auto trust = make_trust_store(args.trust);
  if (!trust) {
    std::cerr << "cascade: " << trust.error().message << '\n';
    return kExitUsage;
  }
  std::ofstream sarif_file;
  if (!open_sarif(args.sarif, sarif_file)) return kExitUsage;
  auto reporting = open_reporting(args.report_to);
  if (!reporting) {
    std::cerr << "cascade: " << reporting.error().message << '\n';
    return kExitUsage;
  }
  std::unique_ptr<scan::ScanCache> cache;
  if (!args.no_cache && args.cache_option != nullptr && args.cache_option->count() > 0) {
    const std::string path = args.cache.empty() ? default_cache_path() : args.cache;
    if (path.empty()) {
      std::cerr << "cascade: --cache: no XDG_CACHE_HOME or HOME to keep the cache in; name a "
                   "file (--cache=FILE)\n";
      return kExitUsage;
    }
    std::vector<std::string> notes;
    auto opened = scan::ScanCache::open(path, scan::scanner_build_id(), notes);
    for (const auto& note : notes) std::cerr << "cascade: " << note << '\n';
    if (!opened) {
      std::cerr << "cascade: " << opened.error().message << '\n';
      return kExitUsage;
    }
    cache = std::move(opened).value();
  }

  scan::ScanOptions options;
  // Standard input is buffered whole, under the cap of one buffered container entry.
  std::vector<std::uint8_t> stdin_bytes;
  if (!read_named_stdin(roots, options.limits.max_entry_size, stdin_bytes)) return kExitUsage;
  const bool scan_stdin = std::erase(roots, std::string(kStdinPath)) > 0;
  options.inspect.trust = &trust.value();
  options.inspect.now = std::time(nullptr);
  const scan::CatalogSet catalogs = scan::load_scan_catalogs(roots, args.trust.catalogs, true,
                                                             trust.value(), options.inspect.now);
  for (const auto& note : catalogs.notes) std::cerr << "cascade: " << note << '\n';
  if (!catalogs.index.empty()) options.inspect.catalogs = &catalogs.index;
  // Section entropy appears only in the JSON records; a cached result serves every output, so
  // with the cache it is always measured.
  options.inspect.section_entropy =
      args.json || args.jsonl || cache != nullptr || reporting->has_value();
  options.cache = cache.get();
  // Only JSON records (printed or reported) hold a reused file's facts.
  options.cached_facts = args.json || args.jsonl || reporting->has_value();
  // Only the hash kinds some feed needs are computed.
  options.inspect.legacy_hashes =
      indicators.needs(scan::HashKind::kMd5) || indicators.needs(scan::HashKind::kSha1);
  options.indicators = &indicators;
  options.rules = rules ? &*rules : nullptr;
  options.limits.max_depth = args.max_depth;
  options.limits.max_memory = std::uint64_t(args.expansion_memory_mib) << 20;
  options.walk.excludes = args.excludes;
  options.walk.one_file_system = args.one_file_system;
  options.walk.threads =
      args.threads > 0 ? static_cast<unsigned>(args.threads) : default_thread_count();

  run.version = std::string(kVersion);
  run.host = args.host.empty() ? this_host() : args.host;
  run.started = utc_now_rfc3339();
  run.roots = roots;
  if (scan_stdin) run.roots.insert(run.roots.begin(), kStdinName);
  for (const auto& catalog : catalogs.index.catalogs()) {
    if (catalog.covers()) run.catalogs.push_back(catalog.path);
  }

  std::ios::sync_with_stdio(false);
  const auto threshold = severity_from_name(args.fail_on);
  const bool color = use_color(args.color);
  const bool progress = ::isatty(STDERR_FILENO) != 0;
  const bool machine = args.json || args.jsonl;
  ScanJsonWriter writer(std::cout, args.jsonl, cache != nullptr);
  // --report-to sends what --json prints, whatever this run prints.
  std::ostringstream report_json;
  ScanJsonWriter report_writer(report_json, false, cache != nullptr);
  const bool send_report = reporting->has_value();
  const bool report_own_record = send_report && !args.json;
  SarifCollector sarif;
  TextSummary summary(static_cast<std::size_t>(args.top));
  scan::PackageInventory packages;
  ScanTotals totals;
  bool over_threshold = false;
  auto last_progress = std::chrono::steady_clock::now();
  scan::ScanStats stats;
  if (machine) writer.begin(run);
  if (send_report) report_writer.begin(run);

  // Serialised on the worker; counted and written in walk order, so two runs of one tree
  // print the same whatever the thread count.
  const scan::ReportSink on_report = [&](scan::ScannedFile&& scanned) -> scan::OrderedStep {
    auto file = std::make_shared<const FileReport>(std::move(scanned.report));
    auto manifest = scanned.manifest.empty()
                        ? nullptr
                        : std::make_shared<scan::ManifestFacts>(std::move(scanned.manifest));
    std::string record =
        machine ? writer.serialize(*file, scanned.cached_facts.get()) : std::string();
    std::string report_record = report_own_record
                                    ? report_writer.serialize(*file, scanned.cached_facts.get())
                                    : std::string();
    return [&, file, manifest, record = std::move(record),
            report_record = std::move(report_record)] {
      const FileReport& report = *file;
      if (manifest) packages.add(std::move(*manifest));
      for (const auto& f : report.findings) ++totals.findings[f.severity];
      if (auto worst = worst_severity(report); worst && threshold && *worst >= *threshold) {
        over_threshold = true;
      }
      if (machine) writer.write(record);
      if (send_report) report_writer.write(report_own_record ? report_record : record);
      if (!args.sarif.empty()) sarif.add(report);
      if (!machine) summary.add(report);
      if (progress) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_progress > std::chrono::milliseconds(100)) {
          last_progress = now;
          progress_stream() << "\r\033[K" << stats.files.load() << " files, " << stats.nested.load()
                            << " nested, " << (stats.bytes.load() >> 20) << " MiB" << std::flush;
        }
      }
    };
  };
  // One pool for the entry buffers of standard input's file and of every worker's.
  scan::ExpansionMemory memory(options.limits.max_memory);
  options.memory = &memory;
  if (scan_stdin) scan::scan_bytes(kStdinName, stdin_bytes, options, stats, on_report);
  if (!roots.empty()) scan::run_scan(roots, options, stats, on_report);
  if (progress) progress_stream() << "\r\033[K" << std::flush;

  run.finished = utc_now_rfc3339();
  totals.files = stats.files;
  totals.nested = stats.nested;
  totals.bytes = stats.bytes;
  totals.containers = stats.containers;
  totals.errors = stats.errors;
  if (cache) {
    totals.reused = stats.reused;
    if (auto finished = cache->finish(roots); !finished) {
      std::cerr << "cascade: scan cache: " << finished.error().message << '\n';
    }
    for (const auto& note : cache->take_notes()) std::cerr << "cascade: " << note << '\n';
  }
  std::vector<scan::InstalledPackage> installed = packages.finish();
  // The advisories' findings count like the files': in the summary and against --fail-on.
  scan::match_package_advisories(installed, indicators);
  for (const auto& package : installed) {
    for (const auto& finding : package.findings) {
      ++totals.findings[finding.severity];
      if (threshold && finding.severity >= *threshold) over_threshold = true;
    }
    if (!args.sarif.empty()) sarif.add(package);
  }
  if (machine) {
    writer.end(run, totals, installed);
  } else {
    summary.write(std::cout, run, totals, installed, color);
  }
  if (send_report) {
    report_writer.end(run, totals, installed);
    std::cout.flush();
    report_scan(**reporting, report_json.str());
  }
  if (!args.sarif.empty() && !write_sarif(args.sarif, sarif_file, sarif.document(run, totals))) {
    return kExitUsage;
  }
  // Nothing could be read at all: that is an error, not a clean result.
  if (any_missing || (totals.files == 0 && totals.errors > 0)) return kExitUsage;
  return over_threshold ? kExitFindings : kExitClean;
}

}  // namespace cascade::cli
