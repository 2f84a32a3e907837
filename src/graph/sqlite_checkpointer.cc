#include "graph/sqlite_checkpointer.h"

#include <algorithm>
#include <system_error>

namespace cascade::graph {

std::unique_ptr<WalCheckpointer> WalCheckpointer::start(const std::string& path,
                                                        std::int64_t page_size,
                                                        std::int64_t max_wal_bytes) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close_v2(db);
    return nullptr;
  }
  // A connection opens the WAL only when it first reads; until then (SQLite 3.40) a checkpoint
  // through it silently does nothing.
  if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    sqlite3_close_v2(db);
    return nullptr;
  }
  try {
    return std::unique_ptr<WalCheckpointer>(
        new WalCheckpointer(db, max_wal_bytes / std::max<std::int64_t>(page_size, 512)));
  } catch (const std::system_error&) {
    sqlite3_close_v2(db);  // no thread to be had
    return nullptr;
  }
}

WalCheckpointer::WalCheckpointer(sqlite3* db, std::int64_t max_frames)
    : db_(db), max_frames_(max_frames), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::committed(int frames) {
  std::uint64_t mine = 0;
  {
    const std::lock_guard lock(mutex_);
    mine = ++requested_;
  }
  changed_.notify_all();
  if (frames < max_frames_) return;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return finished_ >= mine; });
}

std::uint64_t WalCheckpointer::passes() const {
  const std::lock_guard lock(mutex_);
  return finished_;
}

void WalCheckpointer::run() {
  for (;;) {
    std::uint64_t target = 0;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || requested_ > finished_; });
      if (requested_ == finished_) return;  // stopping, nothing asked
      target = requested_;
    }
    // Passive: never blocks the writer or readers. What it cannot copy now (pages a reader's
    // snapshot still needs) the next pass copies, or the last connection's close.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    {
      const std::lock_guard lock(mutex_);
      finished_ = target;
    }
    changed_.notify_all();
  }
}

}  // namespace cascade::graph
