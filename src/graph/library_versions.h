// The versions of the libraries the inventory stores link: SQLite and libpq.
#pragma once

#include "core/library_version.h"

namespace cascade::graph {

// sqlite3_libversion() of the SQLite in use.
LibraryVersion sqlite_version();

// PQlibVersion() of the libpq in use, as MAJOR.MINOR.
LibraryVersion libpq_version();

}  // namespace cascade::graph
