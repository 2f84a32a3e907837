// A release, the thing diff compares: a directory tree, an installer or archive scan can open,
// or a saved `scan --json`/`--jsonl` report. Every file gets an install key (its path inside
// the release, normalised) that pairs it with its counterpart in the other release.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "authenticode/trust_store.h"
#include "core/result.h"
#include "diff/facts.h"
#include "scan/container/container.h"

namespace cascade::diff {

struct ReleaseOptions {
  const authenticode::TrustStore* trust = nullptr;
  std::time_t now = 0;
  unsigned threads = 1;
  scan::ContainerLimits limits;
  // Catalogs (files or folders) for both releases; each tree's own CatRoot folders join them.
  std::vector<std::string> catalogs;
};

struct ReleaseFile {
  std::string key;  // normalised install path: '/' separators, lower case unless that collides
  FileFacts facts;
};

// What the user named as a release.
enum class ReleaseKind {
  kDirectory,
  kFile,    // one installer, archive or binary
  kReport,  // a saved scan or inspect report
};
constexpr std::string_view release_kind_name(ReleaseKind kind) {
  switch (kind) {
    case ReleaseKind::kDirectory:
      return "directory";
    case ReleaseKind::kFile:
      return "file";
    case ReleaseKind::kReport:
      return "report";
  }
  return "file";
}

struct Release {
  std::string source;  // what the user named
  ReleaseKind kind = ReleaseKind::kFile;
  std::vector<ReleaseFile> files;  // sorted by key
  std::vector<std::string> notes;  // catalogs that cover nothing, and the like
};

// Largest saved report read (its parsed form takes several times this much memory).
inline constexpr std::size_t kMaxReportBytes = std::size_t{512} << 20;

Result<Release> load_release(const std::string& path, const ReleaseOptions& options);

// A saved report's text (cascade.scan/1, cascade.scan-jsonl/1 or cascade.inspect/1).
Result<Release> release_from_report(std::string_view text, const std::string& source);

// The install key of `path` in a release rooted at `root` (a directory, or one file that may be
// a container): the root prefix is dropped, '\' becomes '/', and an MSI's media cabinet
// ("setup.msi!media1.cab!dir/x.dll") is dropped because the MSI's install names already place
// its files. The root file itself gets the key "".
std::string install_path(const std::string& path, const std::string& root, bool root_is_file);

}  // namespace cascade::diff
