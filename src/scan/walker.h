// The parallel tree walk under scan: every worker both lists directories and processes files,
// so a deep tree and a flat one keep all cores busy alike.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "scan/walk_order.h"

namespace cascade::scan {

struct WalkOptions {
  std::vector<std::string> excludes;  // fnmatch globs, against the whole path and the base name
  bool one_file_system = false;       // do not descend into other file systems than the roots'
  unsigned threads = 1;
};

// Something the walk could not look at; the walk goes on.
struct WalkProblem {
  std::string path;
  std::string message;
};

struct WalkStats {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t skipped_special = 0;  // sockets, devices, fifos
  std::uint64_t skipped_links = 0;    // symbolic links below a root are never followed
  std::uint64_t excluded = 0;
};

// Hands one file's results to the walk: `step` runs in walk order (see walk_order.h), after
// every step of the files before this one, one step at a time.
using DeliverStep = std::function<void(OrderedStep step)>;

// Calls on_file(path, worker, deliver) for every regular file under the roots (a root that is a
// file is visited itself; a root given as a symbolic link is followed, links below it never are,
// so the walk cannot loop). `worker` is in [0, threads) and stable for the thread, so callers
// can keep per-thread state. on_file runs on the workers, several at once; what it delivers
// runs in walk order. on_problem, and on_special (when given) for each FIFO, socket or device
// below a root (those are never opened, only named), run in walk order too.
WalkStats walk_parallel(
    const std::vector<std::string>& roots, const WalkOptions& options,
    const std::function<void(const std::string&, unsigned, const DeliverStep&)>& on_file,
    const std::function<void(const WalkProblem&)>& on_problem,
    const std::function<void(const WalkProblem&)>& on_special = {});

// Whether `path` matches one of the globs (the whole path or its last component).
bool is_excluded(const std::string& path, const std::vector<std::string>& globs);

}  // namespace cascade::scan
