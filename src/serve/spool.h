// The spool of reports that could not reach the server yet (docs/serve.md, "Clients"): a
// private directory of whole documents, one a file, named so that the oldest sorts first.
// Files are written beside their final name and renamed, so a crash leaves a whole report or
// none; a report the server refused for good is moved to rejected/ rather than resent forever.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace cascade::serve {

class Spool {
 public:
  // $XDG_CACHE_HOME/cascade/spool, else ~/.cache/cascade/spool; empty when there is no home.
  static std::string default_directory();

  // Makes the directory (0700, with missing parents) when missing; refuses one that another
  // user owns or that its group or others may enter, and anything that is not a directory.
  static Result<Spool> open(const std::string& directory);

  const std::string& directory() const { return directory_; }

  // Keeps a document (0600); a document already waiting (same SHA-256) is kept once. Returns the
  // file's path.
  Result<std::string> keep(std::string_view document);
  // Keeps a document the server refused for good in rejected/, for the user to look at.
  Result<std::string> keep_rejected(std::string_view document);

  // The names of the waiting documents, oldest first.
  Result<std::vector<std::string>> waiting() const;
  // One waiting document, at most `max_bytes` (more: ErrorCode::kLimit).
  Result<std::string> read(const std::string& name, std::size_t max_bytes) const;
  Status remove(const std::string& name);
  // Moves a waiting document to rejected/; returns its new path.
  Result<std::string> reject(const std::string& name);

 private:
  explicit Spool(std::string directory) : directory_(std::move(directory)) {}
  Result<std::string> write_new(const std::string& folder, std::string_view document);
  std::string directory_;
};

// Held while a client works on the spool, so that two `--report-to` runs at once do not both
// send (and delete) the same report; released on destruction.
class SpoolLock {
 public:
  static Result<SpoolLock> take(const Spool& spool);
  SpoolLock(SpoolLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SpoolLock& operator=(SpoolLock&&) = delete;
  SpoolLock(const SpoolLock&) = delete;
  SpoolLock& operator=(const SpoolLock&) = delete;
  ~SpoolLock();

 private:
  explicit SpoolLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace cascade::serve
