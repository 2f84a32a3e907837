// RAII owners for SQLite connections and statements, and the busy retry both SQLite files of
// cascade (the inventory store, the scan cache) need where SQLite calls no busy handler.
#pragma once

#include <sqlite3.h>

#include <memory>

namespace cascade::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// 30 s in all, the busy timeout both files set.
inline constexpr int kBusyRetries = 600;
inline constexpr int kBusyRetryMilliseconds = 50;

// Runs `sql`, waiting out another connection's lock as long as the busy timeout would: SQLite
// does not call the busy handler while it switches a file to WAL (which needs the file to
// itself) or for some lock upgrades.
inline int exec_retrying(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  for (int retry = 0; (rc & 0xff) == SQLITE_BUSY && retry < kBusyRetries; ++retry) {
    sqlite3_sleep(kBusyRetryMilliseconds);
    rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  }
  return rc;
}

}  // namespace cascade::sqlite
