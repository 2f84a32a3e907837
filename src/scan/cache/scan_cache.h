// The scan cache: one SQLite file that remembers, per file on disk, what scanning it found, so a
// re-scan reads only the files whose identity changed (docs/scan.md, "The scan cache").
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "scan/cache/cached_entry.h"

namespace cascade::scan {

// A file on disk as one stat() sees it. ctime cannot be set by a user process, so a rewrite
// that restores size and mtime still changes it.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};
FileIdentity file_identity(const struct stat& status);

// One file on disk and every file inside it, as the scan that read it found them.
struct CachedFile {
  FileIdentity identity;
  std::string context;         // digest of the options results depend on (cache_context.h)
  std::string rules;           // digest of the rule set its entries' YARA findings are from; ""
  bool legacy_hashes = false;  // its entries carry MD5 and SHA-1 too
  // Signature verdicts depend on the time they are judged at: they hold between these two
  // instants (seconds since the epoch, exclusive), where no certificate starts or ends.
  std::int64_t judged_after = std::numeric_limits<std::int64_t>::min();
  std::int64_t judged_before = std::numeric_limits<std::int64_t>::max();
  std::uint64_t containers = 0;      // containers opened at all levels
  std::vector<CachedEntry> entries;  // in the order scanned: the file on disk last
};

// The build of the scanner that writes a cache: the executable's GNU build-id when it has one,
// else its version. A cache written by another build is not read.
std::string scanner_build_id();

class ScanCache {
 public:
  // Opens or creates the cache at `path` (0600 whatever the umask). A cache another user owns
  // or that others may read or write is refused: what it says is trusted. A file that is not a
  // cache of this schema and build is rebuilt empty; why goes to `notes`, one line each.
  static Result<std::unique_ptr<ScanCache>> open(const std::string& path,
                                                 const std::string& build_id,
                                                 std::vector<std::string>& notes);
  ~ScanCache();
  ScanCache(const ScanCache&) = delete;
  ScanCache& operator=(const ScanCache&) = delete;

  // Whether a lookup reads the entries' facts (CachedEntry::facts), which only a caller that
  // prints whole records needs: they are most of a row's bytes.
  enum class Facts { kRead, kSkip };
  // Thread-safe. The cached file at `path`, counted as present; nullopt when there is none or
  // its row is damaged (the row is dropped and a note kept). With Facts::kSkip its entries'
  // facts are empty.
  std::optional<CachedFile> find(const std::string& path, Facts facts = Facts::kRead);
  // Thread-safe; written in batches, and by finish().
  void store(const std::string& path, CachedFile file);

  // YARA findings per (content SHA-256, rule set digest, file variables digest).
  std::optional<std::vector<Finding>> find_yara(const std::string& sha256, const std::string& rules,
                                                const std::string& variables);
  void store_yara(const std::string& sha256, const std::string& rules, const std::string& variables,
                  const std::vector<Finding>& findings);

  // Writes what is pending and drops the files under `roots` that this run did not find (they
  // are gone, or excluded now), and YARA results unused for kYaraRetentionDays.
  Status finish(const std::vector<std::string>& roots);

  // Problems met since the last call (damaged rows), for the caller to report.
  std::vector<std::string> take_notes();

  static constexpr int kYaraRetentionDays = 30;

  struct Database;

 private:
  ScanCache(std::unique_ptr<Database> db, std::string path);
  Status flush_locked();

  std::mutex mutex_;
  std::unique_ptr<Database> db_;
  std::string path_;
  std::vector<std::pair<std::string, CachedFile>> pending_files_;
  // By "sha256 rules variables".
  std::map<std::string, std::vector<Finding>> pending_yara_;
  std::set<std::string> seen_;
  std::vector<std::string> notes_;
};

}  // namespace cascade::scan
