// The parallel walk: every regular file once, links never followed, special files and excluded
// paths skipped, problems reported and the walk continuing.
#include "scan/walker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cascade::scan {
namespace {

namespace fs = std::filesystem;

class WalkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("cascade-walk-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "a" / "b" / "c");
    fs::create_directories(root_ / "skipme");
    write("top.txt");
    write("a/one.dll");
    write("a/b/two.dll");
    write("a/b/c/three.bin");
    write("skipme/hidden.dll");
    write("a/b/notes.log");
    // A loop back to the root and a link to a file: neither may be followed.
    fs::create_directory_symlink(root_, root_ / "a" / "loop");
    fs::create_symlink(root_ / "top.txt", root_ / "a" / "link.txt");
    ASSERT_EQ(::mkfifo((root_ / "a" / "fifo").c_str(), 0600), 0);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& relative) { std::ofstream(root_ / relative) << relative; }

  std::set<std::string> walk(const WalkOptions& options, WalkStats* stats = nullptr,
                             std::vector<WalkProblem>* problems = nullptr) {
    std::mutex mutex;
    std::set<std::string> seen;
    std::vector<std::string> duplicates;
    const WalkStats result = walk_parallel(
        {root_.string()}, options,
        [&](const std::string& path, unsigned worker, const DeliverStep&) {
          EXPECT_LT(worker, std::max(1u, options.threads));
          std::lock_guard lock(mutex);
          const std::string relative = fs::relative(path, root_).string();
          if (!seen.insert(relative).second) duplicates.push_back(relative);
        },
        [&](const WalkProblem& problem) {
          if (problems != nullptr) problems->push_back(problem);
        });
    EXPECT_TRUE(duplicates.empty()) << duplicates.front();
    if (stats != nullptr) *stats = result;
    return seen;
  }

  fs::path root_;
};

TEST_F(WalkerTest, EveryRegularFileOnceAndNoLinkFollowed) {
  for (unsigned threads : {1u, 4u}) {
    WalkOptions options;
    options.threads = threads;
    WalkStats stats;
    const auto seen = walk(options, &stats);
    EXPECT_EQ(seen, (std::set<std::string>{"top.txt", "a/one.dll", "a/b/two.dll", "a/b/c/three.bin",
                                           "skipme/hidden.dll", "a/b/notes.log"}));
    EXPECT_EQ(stats.files, 6u);
    EXPECT_EQ(stats.skipped_links, 2u);
    EXPECT_EQ(stats.skipped_special, 1u);
    EXPECT_EQ(stats.directories, 5u);
  }
}

TEST_F(WalkerTest, ExcludesMatchPathsAndNames) {
  WalkOptions options;
  options.threads = 2;
  options.excludes = {"*.log", "skipme"};
  WalkStats stats;
  const auto seen = walk(options, &stats);
  EXPECT_FALSE(seen.contains("a/b/notes.log"));
  EXPECT_FALSE(seen.contains("skipme/hidden.dll"));
  EXPECT_TRUE(seen.contains("a/b/two.dll"));
  EXPECT_EQ(stats.excluded, 2u);
  EXPECT_TRUE(is_excluded("/x/y/z.log", {"*.log"}));
  EXPECT_TRUE(is_excluded("/x/node_modules", {"node_modules"}));
  EXPECT_FALSE(is_excluded("/x/y/z.dll", {"*.log"}));
}

TEST_F(WalkerTest, UnreadableDirectoriesAndMissingRootsAreReportedAndTheWalkGoesOn) {
  if (::geteuid() == 0) {
    // root reads any directory; only the missing root can be checked.
  } else {
    fs::permissions(root_ / "a" / "b", fs::perms::none);
  }
  std::vector<WalkProblem> problems;
  std::mutex mutex;
  std::set<std::string> seen;
  walk_parallel(
      {root_.string(), (root_ / "missing").string()}, WalkOptions{{}, false, 2},
      [&](const std::string& path, unsigned, const DeliverStep&) {
        std::lock_guard lock(mutex);
        seen.insert(path);
      },
      [&](const WalkProblem& p) { problems.push_back(p); });
  fs::permissions(root_ / "a" / "b", fs::perms::owner_all);
  ASSERT_FALSE(problems.empty());
  EXPECT_TRUE(std::any_of(problems.begin(), problems.end(), [&](const WalkProblem& p) {
    return p.path == (root_ / "missing").string();
  }));
  EXPECT_TRUE(seen.contains((root_ / "top.txt").string()));
}

TEST_F(WalkerTest, ARootThatIsAFileIsVisited) {
  std::vector<std::string> seen;
  walk_parallel(
      {(root_ / "top.txt").string()}, WalkOptions{},
      [&](const std::string& path, unsigned, const DeliverStep&) { seen.push_back(path); },
      [](const WalkProblem&) {});
  EXPECT_EQ(seen, std::vector<std::string>{(root_ / "top.txt").string()});
}

// Results come out in path order (each directory's entries by name, depth first) however many
// workers finish in whatever order; files that take long early on must not let later ones pass.
TEST_F(WalkerTest, StepsRunInPathOrderWhateverTheThreadCount) {
  fs::create_directories(root_ / "m" / "deep");
  for (int i = 0; i < 40; ++i) {
    write("m/f" + std::to_string(100 + i));
    write("m/deep/g" + std::to_string(100 + i));
  }
  std::vector<std::string> first;
  for (unsigned threads : {1u, 4u, 8u}) {
    std::vector<std::string> order;
    std::atomic<int> running{0};
    int overlapped = 0;
    walk_parallel(
        {root_.string()}, WalkOptions{{}, false, threads},
        [&](const std::string& path, unsigned, const DeliverStep& deliver) {
          // Early names work longest, so workers finish out of order.
          if (path.find("f10") != std::string::npos) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
          const std::string relative = fs::relative(path, root_).string();
          deliver([&, relative] {
            if (running.fetch_add(1) != 0) ++overlapped;
            order.push_back(relative);
            running.fetch_sub(1);
          });
        },
        [](const WalkProblem&) {});
    EXPECT_EQ(overlapped, 0);
    std::vector<std::string> sorted = order;
    // Component-wise order: a directory's files and subdirectories by name, bytewise.
    std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
      return std::lexicographical_compare(
          fs::path(a).begin(), fs::path(a).end(), fs::path(b).begin(), fs::path(b).end(),
          [](const fs::path& x, const fs::path& y) { return x.string() < y.string(); });
    });
    EXPECT_EQ(order, sorted) << threads << " threads";
    if (first.empty()) first = order;
    EXPECT_EQ(order, first) << threads << " threads";
    EXPECT_EQ(order.size(), 86u);
  }
}

}  // namespace
}  // namespace cascade::scan
