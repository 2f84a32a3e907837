// The recognisers behind manifest.h, one per ManifestKind (internal to scan/packages).
#pragma once

#include <string>
#include <string_view>

#include "scan/packages/installed_package.h"
#include "scan/packages/manifest.h"

namespace cascade::scan {

// One manifest being read: its path, its bytes as text, the caps, and what it has given.
class ManifestReading {
 public:
  ManifestReading(std::string_view path, std::string_view text, const ManifestLimits& limits,
                  ManifestFacts& facts)
      : path_(path), text_(text), limits_(limits), facts_(facts) {}

  std::string_view path() const { return path_; }
  std::string_view text() const { return text_; }
  const ManifestLimits& limits() const { return limits_; }
  ManifestFacts& facts() { return facts_; }

  // Records a package; false (and a note, once) when the manifest is at the package cap, so
  // the caller stops.
  bool add(RecognisedPackage package);
  // Why part or all of the manifest was not read (a scan.incomplete finding).
  void incomplete(std::string message);

 private:
  std::string_view path_;
  std::string_view text_;
  const ManifestLimits& limits_;
  ManifestFacts& facts_;
  bool capped_ = false;
};

void read_dpkg_status(ManifestReading& reading);
void read_npm_lock(ManifestReading& reading);
void read_npm_package_json(ManifestReading& reading);
void read_python_metadata(ManifestReading& reading);
void read_os_release(ManifestReading& reading);

// Whether `path` ends with `suffix` at a component boundary ('/' or '!' before it, or
// nothing); the prefix before the suffix when it does.
std::optional<std::string_view> prefix_before(std::string_view path, std::string_view suffix);

}  // namespace cascade::scan
