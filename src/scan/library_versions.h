// The versions of the libraries the scan engine links: libyara (rules) and libarchive
// (containers).
#pragma once

#include "core/library_version.h"

namespace cascade::scan {

// libyara offers no run-time version call: this is the version of the headers built against,
// which the shared library's soname pins to the same major release.
LibraryVersion yara_version();

// archive_version_string() of the libarchive in use.
LibraryVersion libarchive_version();

}  // namespace cascade::scan
