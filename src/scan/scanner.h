// scan: every file of trees, installers and archives, inspected and checked against indicator
// feeds and YARA rules from one read of its bytes; containers are opened recursively.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "inspect/inspect.h"
#include "scan/container/container.h"
#include "scan/ioc/indicators.h"
#include "scan/ioc/yara_rules.h"
#include "scan/packages/installed_package.h"
#include "scan/walker.h"

namespace cascade::scan {

class ScanCache;

struct ScanOptions {
  InspectOptions inspect;                    // trust store and time; legacy hashes as feeds need
  const IndicatorSet* indicators = nullptr;  // optional
  const YaraRules* rules = nullptr;          // optional
  ContainerLimits limits;
  // The memory pool for entry buffers that all workers share; run_scan makes one of
  // limits.max_memory bytes when none is given (a test may pass its own to look at it).
  ExpansionMemory* memory = nullptr;
  WalkOptions walk;
  // Files whose bytes the caller wants back (diff reads install scripts and text files): asked
  // with each file's nested path and bytes; true copies them into ScannedFile::bytes.
  std::function<bool(const std::string& path, Bytes data)> keep_bytes;
  // Optional, for run_scan without keep_bytes: files on disk whose identity, options and rules
  // are unchanged since a scan stored them are reported from it without being read.
  ScanCache* cache = nullptr;
  // Whether files reused from the cache come with their facts (ScannedFile::cached_facts). A
  // caller that prints findings only skips them: they are most of what a re-scan would read.
  bool cached_facts = true;
};

// Counters for the summary; updated from every worker.
struct ScanStats {
  std::atomic<std::uint64_t> files{0};       // top-level regular files read
  std::atomic<std::uint64_t> nested{0};      // files found inside containers
  std::atomic<std::uint64_t> bytes{0};       // top-level bytes read
  std::atomic<std::uint64_t> containers{0};  // files opened as containers (all levels)
  std::atomic<std::uint64_t> errors{0};      // unreadable files and walk problems
  std::atomic<std::uint64_t> reused{0};      // of `files`: taken from the scan cache, not read
};

// The separator between a container's path and an entry's name in nested paths, e.g.
// "ExamplePhone.msi!app.cab!ffmpeg.dll".
inline constexpr char kNestSeparator = '!';

// One file's result: on disk (depth 0) or inside a container of the top-level file `top_path`.
struct ScannedFile {
  FileReport report;  // report.path is the full nested path
  std::string top_path;
  int depth = 0;
  // The packages it states when it is a package manager's record (scan/packages/manifest.h).
  ManifestFacts manifest;
  std::optional<std::string> bytes;  // a copy, when ScanOptions::keep_bytes asked for one
  // Set when the scan cache supplied this file without reading it: `report` then holds its
  // path, size, format, hashes, error and findings (this run's), and everything else the
  // report prints is in these facts (scan/cache/cached_entry.h). Null when the caller asked
  // for no facts (ScanOptions::cached_facts).
  std::shared_ptr<const std::string> cached_facts;
};

// Receives every file's result (nested ones too) as soon as it is complete, on the worker
// that scanned it, possibly several at once: the place for costly work such as serialising it.
// What it returns (may be empty) runs in walk order, one step at a time: top-level files as
// the walk orders them (walk_order.h), each after the files inside it, which come in their
// container's order. So the same tree gives the same sequence whatever the thread count.
using ReportSink = std::function<OrderedStep(ScannedFile&&)>;

// Scans a file already in memory (standard input, say) as the top-level file `path`, with the
// files inside it, as run_scan scans a file it read; counted in `stats` as one file. Entry
// buffers come from options.memory, else from a pool of limits.max_memory of its own.
void scan_bytes(const std::string& path, Bytes data, const ScanOptions& options, ScanStats& stats,
                const ReportSink& sink);

// Walks the roots and scans every regular file; problems of the walk itself (unreadable
// directories, missing roots) become reports with an error, so nothing is silently lost.
void run_scan(const std::vector<std::string>& roots, const ScanOptions& options, ScanStats& stats,
              const ReportSink& sink);

}  // namespace cascade::scan
