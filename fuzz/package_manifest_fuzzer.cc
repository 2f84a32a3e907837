// Installed-package records as attacker input: the first byte picks which manifest the rest is
// read as (dpkg status, npm lockfile or package.json, Python metadata, os-release), under small
// caps so the cap paths are reached; then the inventory builds its purls.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scan/packages/installed_package.h"
#include "scan/packages/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::string_view, 7> kPaths = {
      "root/var/lib/dpkg/status",
      "app/package-lock.json",
      "app/node_modules/.package-lock.json",
      "app/node_modules/@scope/name/package.json",
      "site-packages/x-1.0.dist-info/METADATA",
      "site-packages/x.egg-info/PKG-INFO",
      "root/etc/os-release",
  };
  if (size == 0) return 0;
  const std::string_view path = kPaths[data[0] % kPaths.size()];
  cascade::scan::ManifestLimits limits;
  limits.max_packages = 64;
  limits.max_field_length = 64;
  const cascade::Bytes bytes(data + 1, size - 1);
  cascade::scan::PackageInventory inventory;
  inventory.add(cascade::scan::recognise_manifest(path, bytes, limits));
  // The dpkg records again, with the vendor taken from a tree's os-release of the same bytes.
  inventory.add(cascade::scan::recognise_manifest("root/etc/os-release", bytes, limits));
  (void)inventory.finish();
  return 0;
}
