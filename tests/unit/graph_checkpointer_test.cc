// The SQLite store's checkpoint thread: committed pages reach the database file while the store
// is open, and a writer that never pauses still keeps the WAL within its bound.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "graph/sqlite_checkpointer.h"

namespace cascade::graph {
namespace {

constexpr std::int64_t kPageSize = 4096;
constexpr int kRounds = 20;
constexpr int kRowsPerRound = 40;  // a 3,000-byte row each: about 40 pages a commit

int on_commit(void* frames, sqlite3* /*db*/, const char* /*name*/, int wal_frames) {
  *static_cast<int*>(frames) = wal_frames;
  return SQLITE_OK;
}

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("cascade-checkpointer-test-" + std::to_string(::getpid()) + ".db"))
                .string();
    remove_files();
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    exec("PRAGMA page_size=4096");
    exec("PRAGMA journal_mode=WAL");
    exec("CREATE TABLE t (x BLOB)");
    sqlite3_wal_hook(db_, &on_commit, &frames_);  // no automatic checkpoints, as in the store
  }
  void TearDown() override {
    sqlite3_close(db_);
    remove_files();
  }
  void exec(const char* sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  }
  void commit_round() {
    exec("BEGIN IMMEDIATE");
    for (int i = 0; i < kRowsPerRound; ++i) exec("INSERT INTO t VALUES (randomblob(3000))");
    exec("COMMIT");
  }
  static std::uintmax_t size_of(const std::string& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    return error ? 0 : size;
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  int frames_ = 0;
};

TEST_F(WalCheckpointerTest, CopiesCommittedPagesAndKeepsTheWalBounded) {
  const std::int64_t max_frames = 64;
  auto checkpointer = WalCheckpointer::start(path_, kPageSize, max_frames * kPageSize);
  ASSERT_NE(checkpointer, nullptr);
  const std::uintmax_t frame_bytes = kPageSize + 24;
  std::uintmax_t largest_wal = 0;
  for (int round = 0; round < kRounds; ++round) {
    commit_round();
    checkpointer->committed(frames_);
    largest_wal = std::max(largest_wal, size_of(path_ + "-wal"));
  }
  // Without the waits the WAL would hold every round: about 800 frames.
  EXPECT_LE(largest_wal, (max_frames + 2 * kRowsPerRound) * frame_bytes + 32);
  EXPECT_GT(checkpointer->passes(), 0u);
  // With the store still open, the database file holds the rows: without checkpoints it would
  // stay at its first pages until the last connection closed.
  checkpointer.reset();  // the pass under way finishes
  EXPECT_GE(size_of(path_), std::uintmax_t{kRounds - 2} * kRowsPerRound * 3000);
}

}  // namespace
}  // namespace cascade::graph
