#include "scan/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/input_file.h"

namespace cascade::scan {

namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

// Results held back at most, unless the worker takes the walk's first open item: enough to
// keep every worker busy behind one slow file without holding a whole tree's results.
constexpr std::size_t kMaxWaitingSteps = 4096;

// Work shared by the workers: directories still to list and files still to process, taken in
// walk order (the smallest key first), so work runs close to the order its results are
// released in and the reorder buffer stays short.
class WorkQueue {
 public:
  struct Item {
    bool is_dir = false;
    std::string path;
    dev_t device = 0;
  };
  void push(WalkKey key, Item item) {
    {
      std::lock_guard lock(mutex_);
      items_.emplace(std::move(key), std::move(item));
    }
    ready_.notify_one();
  }
  // Blocks until there is work it may take, or returns false once everything is done. While
  // too many results wait for an earlier one, only the walk's first open item may be taken:
  // it is either being worked on or queued first, so the walk never stalls.
  bool pop(const WalkOrder& order, WalkKey& key, Item& item) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] {
      if (items_.empty()) return busy_ == 0;
      return order.waiting() < kMaxWaitingSteps || order.is_first(items_.begin()->first);
    });
    if (items_.empty()) return false;
    auto next = items_.begin();
    key = next->first;
    item = std::move(next->second);
    items_.erase(next);
    ++busy_;
    return true;
  }
  void done() {
    std::lock_guard lock(mutex_);
    if (--busy_ == 0 && items_.empty()) ready_.notify_all();
  }
  // Results were released: a worker held back by the buffer's size may go on.
  void wake() {
    { std::lock_guard lock(mutex_); }
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::map<WalkKey, Item> items_;
  int busy_ = 0;
};

WalkKey child_key(const WalkKey& parent, std::size_t index) {
  WalkKey key = parent;
  key.push_back(static_cast<std::uint32_t>(index));
  return key;
}

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

WalkStats walk_parallel(
    const std::vector<std::string>& roots, const WalkOptions& options,
    const std::function<void(const std::string&, unsigned, const DeliverStep&)>& on_file,
    const std::function<void(const WalkProblem&)>& on_problem,
    const std::function<void(const WalkProblem&)>& on_special) {
  WorkQueue queue;
  WalkOrder order([&queue] { queue.wake(); });
  std::atomic<std::uint64_t> files{0}, directories{0}, special{0}, links{0}, excluded{0};
  // Something found at `key` that is only named, never read: reported in its place.
  auto report_at = [&](const WalkKey& key, const std::function<void(const WalkProblem&)>& to,
                       WalkProblem what) {
    order.open(key);
    order.add(key, [&to, what = std::move(what)] { to(what); });
    order.close(key);
  };
  // Roots are followed if they are links (the user named them); their device bounds the walk.
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const std::string& root = roots[i];
    const WalkKey key{static_cast<std::uint32_t>(i)};
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
      report_at(key, on_problem, {root, std::strerror(errno)});
    } else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
      order.open(key);
      queue.push(key, {S_ISDIR(st.st_mode), root, st.st_dev});
    } else {
      ++special;
      report_at(key, on_problem,
                {root, std::string(file_type_name(st.st_mode)) +
                           ", not a regular file or directory; skipped"});
    }
  }

  auto list_directory = [&](const WalkKey& key, const WorkQueue::Item& item) {
    ++directories;
    std::unique_ptr<DIR, DirCloser> dir(::opendir(item.path.c_str()));
    if (!dir) {
      order.add(key, [&on_problem, what = WalkProblem{item.path, std::strerror(errno)}] {
        on_problem(what);
      });
      return;
    }
    // Read whole, then sorted: readdir's order is the file system's, not the same twice.
    std::vector<std::string> names;
    while (const dirent* entry = ::readdir(dir.get())) {
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
      names.emplace_back(entry->d_name);
    }
    std::sort(names.begin(), names.end());
    const int fd = ::dirfd(dir.get());
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string path = join(item.path, names[i].c_str());
      if (!options.excludes.empty() && is_excluded(path, options.excludes)) {
        ++excluded;
        continue;
      }
      struct stat st {};
      if (::fstatat(fd, names[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        report_at(child_key(key, i), on_problem, {path, std::strerror(errno)});
        continue;
      }
      if (S_ISLNK(st.st_mode)) {
        ++links;
      } else if (S_ISDIR(st.st_mode)) {
        if (options.one_file_system && st.st_dev != item.device) {
          ++excluded;
          continue;
        }
        order.open(child_key(key, i));
        queue.push(child_key(key, i), {true, std::move(path), item.device});
      } else if (S_ISREG(st.st_mode)) {
        order.open(child_key(key, i));
        queue.push(child_key(key, i), {false, std::move(path), 0});
      } else {
        // Never opened (a FIFO would block its reader), but named: nothing in the tree is
        // passed over in silence.
        ++special;
        if (on_special) {
          report_at(
              child_key(key, i), on_special,
              {path, std::string(file_type_name(st.st_mode)) + ", not a regular file; not read"});
        }
      }
    }
  };

  auto worker = [&](unsigned index) {
    WalkKey key;
    WorkQueue::Item item;
    while (queue.pop(order, key, item)) {
      if (item.is_dir) {
        list_directory(key, item);
      } else {
        ++files;
        on_file(item.path, index, [&](OrderedStep step) { order.add(key, std::move(step)); });
      }
      // A directory closes only after its entries were opened: nothing after it slips ahead.
      order.close(key);
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
