// verify: every file of a release (a directory, or an installer or archive opened with scan's
// container readers) against the verified attestations and the policy.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "core/finding.h"
#include "provenance/attestations.h"
#include "provenance/policy.h"
#include "scan/container/container.h"

namespace cascade::provenance {

// One file of the release, as read.
struct ReleaseEntry {
  std::string path;            // as scan names it (nested with '!')
  std::string key;             // install path inside the release (diff's rules)
  std::string sha256;          // empty when unreadable
  std::string error;           // why it could not be read
  std::string parent;          // the path of the container it was found in; empty at the top
  bool media_cabinet = false;  // an MSI's cabinet: its entries are checked one by one
  // The release itself when it is an archive (zip, tar, 7z, ...) with entries: its bytes hold
  // nothing but them, so a statement about its files attests it without naming the archive.
  // Installers (MSI, self-extracting PE) are files of their own and stay checked.
  bool release_archive = false;
};

struct ReleaseReadOptions {
  unsigned threads = 1;
  scan::ContainerLimits limits;
};

struct ReleaseContents {
  std::vector<ReleaseEntry> entries;  // sorted by path
  std::uint64_t bytes = 0;
  bool root_is_file = false;
};

ReleaseContents read_release(const std::string& root, const ReleaseReadOptions& options);

enum class FileVerdict {
  kAttested,  // a verified statement from an allowed builder passes every rule
  kCovered,   // inside a container that is attested
  kPinned,    // a third-party file whose digest the policy pins
  kIgnored,   // the policy exempts it
  kFailed,    // see findings
};

std::string_view verdict_name(FileVerdict verdict);

struct FileResult {
  std::string path;
  std::string key;
  std::string sha256;
  FileVerdict verdict = FileVerdict::kFailed;
  std::vector<std::string> evidence;  // sources of the statements that attested it
  std::vector<Finding> findings;
};

struct VerifyResult {
  std::vector<FileResult> files;
};

// `at`: the time statements' ages are measured at.
VerifyResult verify_release(const ReleaseContents& release,
                            const std::vector<Attestation>& attestations, const Policy& policy,
                            std::time_t at);

}  // namespace cascade::provenance
