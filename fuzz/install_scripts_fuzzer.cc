// diff's text views of hostile files: install scripts found in a package.json, a Debian
// control file and maintainer script, a setup.py and a .pth file made of the input, and the
// bounded line diff between the input's two halves.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "diff/install_scripts.h"
#include "diff/line_diff.h"
#include "diff/release.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Files in key order, as a loaded release holds them.
  cascade::diff::Release release;
  for (const char* key : {"DEBIAN/control", "DEBIAN/postinst", "package/package.json",
                          "pkg/setup.py", "resources/app/package.json", "site-packages/evil.pth"}) {
    cascade::diff::ReleaseFile file;
    file.key = key;
    file.content = std::string(text);
    release.files.push_back(std::move(file));
  }
  (void)cascade::diff::find_install_scripts(release);

  const std::size_t half = size / 2;
  cascade::diff::DiffCaps caps;
  caps.max_lines = 50;
  caps.max_bytes = 4096;
  (void)cascade::diff::unified_diff(text.substr(0, half), text.substr(half), caps);
  return 0;
}
