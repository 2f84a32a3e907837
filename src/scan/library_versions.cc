#include "scan/library_versions.h"

#include <archive.h>
#include <yara.h>

#include <string_view>

namespace cascade::scan {

LibraryVersion yara_version() {
  return {"libyara", YR_VERSION};
}

LibraryVersion libarchive_version() {
  // "libarchive 3.6.2": the version follows the name.
  std::string_view text = archive_version_string();
  if (text.starts_with("libarchive ")) text.remove_prefix(11);
  return {"libarchive", std::string(text)};
}

}  // namespace cascade::scan
