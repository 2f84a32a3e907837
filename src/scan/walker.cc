#include "scan/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/input_file.h"

namespace cascade::scan {

namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

// Work shared by the workers: directories still to list and files still to process. Files are
// taken first, so the queue of listed-but-unprocessed paths stays short.
class WorkQueue {
 public:
  void push_dir(std::string path, dev_t device) {
    {
      std::lock_guard lock(mutex_);
      dirs_.push_back({std::move(path), device});
    }
    ready_.notify_one();
  }
  void push_file(std::string path) {
    {
      std::lock_guard lock(mutex_);
      files_.push_back(std::move(path));
    }
    ready_.notify_one();
  }
  struct Item {
    bool is_dir = false;
    std::string path;
    dev_t device = 0;
  };
  // Blocks until there is work, or returns false once everything is done.
  bool pop(Item& item) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !files_.empty() || !dirs_.empty() || busy_ == 0; });
    if (files_.empty() && dirs_.empty()) return false;
    if (!files_.empty()) {
      item = {false, std::move(files_.front()), 0};
      files_.pop_front();
    } else {
      item = {true, std::move(dirs_.back().first), dirs_.back().second};
      dirs_.pop_back();
    }
    ++busy_;
    return true;
  }
  void done() {
    std::lock_guard lock(mutex_);
    if (--busy_ == 0 && files_.empty() && dirs_.empty()) ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<std::string, dev_t>> dirs_;  // depth first: bounded by the tree's depth
  std::deque<std::string> files_;
  int busy_ = 0;
};

std::string join(const std::string& dir, const char* name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + '/' + name;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool is_excluded(const std::string& path, const std::vector<std::string>& globs) {
  const std::string base = base_name(path);
  for (const auto& glob : globs) {
    if (::fnmatch(glob.c_str(), path.c_str(), 0) == 0) return true;
    if (::fnmatch(glob.c_str(), base.c_str(), 0) == 0) return true;
  }
  return false;
}

WalkStats walk_parallel(const std::vector<std::string>& roots, const WalkOptions& options,
                        const std::function<void(const std::string&, unsigned)>& on_file,
                        const std::function<void(const WalkProblem&)>& on_problem,
                        const std::function<void(const WalkProblem&)>& on_special) {
  WorkQueue queue;
  std::mutex problem_mutex;
  std::atomic<std::uint64_t> files{0}, directories{0}, special{0}, links{0}, excluded{0};
  auto problem = [&](const std::string& path, const std::string& message) {
    std::lock_guard lock(problem_mutex);
    on_problem({path, message});
  };
  // Roots are followed if they are links (the user named them); their device bounds the walk.
  for (const auto& root : roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
      problem(root, std::strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      queue.push_dir(root, st.st_dev);
    } else if (S_ISREG(st.st_mode)) {
      queue.push_file(root);
    } else {
      ++special;
      problem(root, std::string(file_type_name(st.st_mode)) +
                        ", not a regular file or directory; skipped");
    }
  }

  auto list_directory = [&](const WorkQueue::Item& item) {
    ++directories;
    std::unique_ptr<DIR, DirCloser> dir(::opendir(item.path.c_str()));
    if (!dir) {
      problem(item.path, std::strerror(errno));
      return;
    }
    const int fd = ::dirfd(dir.get());
    while (const dirent* entry = ::readdir(dir.get())) {
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
      std::string path = join(item.path, entry->d_name);
      if (!options.excludes.empty() && is_excluded(path, options.excludes)) {
        ++excluded;
        continue;
      }
      struct stat st {};
      if (::fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        problem(path, std::strerror(errno));
        continue;
      }
      if (S_ISLNK(st.st_mode)) {
        ++links;
      } else if (S_ISDIR(st.st_mode)) {
        if (options.one_file_system && st.st_dev != item.device) {
          ++excluded;
          continue;
        }
        queue.push_dir(std::move(path), item.device);
      } else if (S_ISREG(st.st_mode)) {
        queue.push_file(std::move(path));
      } else {
        // Never opened (a FIFO would block its reader), but named: nothing in the tree is
        // passed over in silence.
        ++special;
        if (on_special) {
          std::lock_guard lock(problem_mutex);
          on_special(
              {path, std::string(file_type_name(st.st_mode)) + ", not a regular file; not read"});
        }
      }
    }
  };

  auto worker = [&](unsigned index) {
    WorkQueue::Item item;
    while (queue.pop(item)) {
      if (item.is_dir) {
        list_directory(item);
      } else {
        ++files;
        on_file(item.path, index);
      }
      queue.done();
    }
  };
  const unsigned threads = std::max(1u, options.threads);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back(worker, i);
  worker(0);
  for (auto& t : pool) t.join();
  return {files.load(), directories.load(), special.load(), links.load(), excluded.load()};
}

}  // namespace cascade::scan
