#include "graph/library_versions.h"

#include <libpq-fe.h>
#include <sqlite3.h>

namespace cascade::graph {

LibraryVersion sqlite_version() {
  return {"SQLite", sqlite3_libversion()};
}

LibraryVersion libpq_version() {
  // From PostgreSQL 10 on, the number is MAJOR * 10000 + MINOR.
  const int number = PQlibVersion();
  return {"libpq", std::to_string(number / 10000) + "." + std::to_string(number % 10000)};
}

}  // namespace cascade::graph
