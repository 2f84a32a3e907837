// The recognisers of installed-package records: one per manifest kind, chosen by what the
// file's path looks like (var/lib/dpkg/status, package-lock.json, *.dist-info/METADATA...), so
// the many files that are no manifest cost one look at their path. Each reads the bytes the
// scan already holds, within the caps below.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/byte_reader.h"
#include "scan/packages/installed_package.h"

namespace cascade::scan {

enum class ManifestKind {
  kDpkgStatus,      // .../var/lib/dpkg/status, or any status file in a directory named dpkg
  kNpmLock,         // package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json
  kNpmPackageJson,  // node_modules/<name>/package.json, node_modules/@scope/<name>/package.json
  kPythonMetadata,  // *.dist-info/METADATA, *.egg-info/PKG-INFO, a *.egg-info file
  kOsRelease,       // etc/os-release, usr/lib/os-release (the vendor of dpkg's packages)
};

// Caps on what one manifest may cost. Over a size cap the manifest is not read (a
// scan.incomplete finding says so); past the package cap the rest is not recorded (likewise).
struct ManifestLimits {
  std::size_t max_packages = 65536;       // per manifest
  std::size_t max_field_length = 256;     // a name, version or architecture kept
  std::size_t max_text_bytes = 64 << 20;  // dpkg status, lockfiles
  std::size_t max_package_json_bytes = 4 << 20;
  std::size_t max_header_bytes = 1 << 20;  // METADATA: only its header block is read
  std::size_t max_os_release_bytes = 64 << 10;
};

// The kind a path names, or nullopt; `path` is the scan's nested path (parts joined by '/' and
// '!').
std::optional<ManifestKind> manifest_kind(std::string_view path);

// What the manifest at `path` states; empty facts for a path that names no manifest. Malformed
// records are skipped without a note: a damaged manifest is not a finding.
ManifestFacts recognise_manifest(std::string_view path, Bytes data,
                                 const ManifestLimits& limits = {});

}  // namespace cascade::scan
