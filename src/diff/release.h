// A release, the thing diff compares: a directory tree, an installer or archive scan can open,
// or a saved `scan --json`/`--jsonl` report. Every file gets an install key (its path inside
// the release, normalised) that pairs it with its counterpart in the other release.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
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
  // Keep the bytes of every text file (up to kMaxTextBytes), for line diffs under --details.
  // Files that may hold install scripts are always kept.
  bool keep_text = false;
  // Leading path components dropped from the keys of a release that is one archive file
  // (patch -p; see strip_components), to pair a package with its unpacked tree.
  std::size_t strip_prefix = 0;
};

// Largest text file kept for line diffs, and the most bytes of one release kept in all (a note
// says when files went unread for it).
inline constexpr std::size_t kMaxTextBytes = std::size_t{1} << 20;
inline constexpr std::uint64_t kMaxKeptBytes = std::uint64_t{256} << 20;

struct ReleaseFile {
  std::string key;  // normalised install path: '/' separators, lower case unless that collides
  FileFacts facts;
  std::optional<std::string> content;  // the bytes, for install scripts and line diffs
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

// `key` without its first `count` components ('/' and '!' both separate; empty and "."
// components do not count), as patch -p drops them; a key with no more than `count` components
// is kept whole. In a Debian package (`root_is_deb`), the control archive's members become
// DEBIAN/<name>, as dpkg-deb --raw-extract lays them out, whatever `count` is.
std::string strip_components(const std::string& key, std::size_t count, bool root_is_deb);

}  // namespace cascade::diff
