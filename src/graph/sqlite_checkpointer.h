// Checkpoints a WAL-mode SQLite store on a thread of its own: the writing connection's commits
// then only append to the WAL, and the copy of those pages into the database file (and its
// syncs) runs beside the next document's inserts instead of inside the commit.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace cascade::graph {

class WalCheckpointer {
 public:
  // The WAL may grow to about this many bytes before a commit waits for the checkpoint: large
  // enough that the wait (the copy of the last document's pages only, the earlier ones having
  // been copied meanwhile) comes every few large documents, small beside the stores it serves.
  static constexpr std::int64_t kMaxWalBytes = std::int64_t{256} << 20;

  // A second connection to `path` and its thread; nullptr when either cannot be had (the
  // writing connection then keeps SQLite's own checkpoints).
  static std::unique_ptr<WalCheckpointer> start(const std::string& path, std::int64_t page_size,
                                                std::int64_t max_wal_bytes = kMaxWalBytes);
  ~WalCheckpointer();  // lets the pass under way finish
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // After a commit that left the WAL `frames` pages long: asks for a pass. Past a bound, also
  // waits for it, because the WAL restarts from its beginning only once every frame is in the
  // database file; without the wait a writer that never pauses would grow it without end.
  void committed(int frames);

  // Passes finished, for tests.
  std::uint64_t passes() const;

 private:
  WalCheckpointer(sqlite3* db, std::int64_t max_frames);
  void run();

  sqlite3* db_;
  const std::int64_t max_frames_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t requested_ = 0;
  std::uint64_t finished_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cascade::graph
