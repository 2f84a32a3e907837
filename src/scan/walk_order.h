// The order the walk hands out its results in, whatever the number of workers: roots as given,
// the entries of each directory by name (bytewise), depth first. Workers finish in any order;
// this buffer releases an item's steps once everything before it is done, so output streams
// and two runs of the same tree can be compared byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace cascade::scan {

// An item's place: its index among the roots, then among each directory's sorted entries.
// Compared lexicographically, keys give the walk's order (a directory before what it holds).
using WalkKey = std::vector<std::uint32_t>;

// Work that must happen in walk order (writing a record, adding to a list).
using OrderedStep = std::function<void()>;

class WalkOrder {
 public:
  // `on_release` runs after steps were released (outside any lock), e.g. to wake workers
  // that wait for the buffer to shrink.
  explicit WalkOrder(std::function<void()> on_release) : on_release_(std::move(on_release)) {}

  // An item exists: nothing after it is released until it is closed. A directory's entries
  // are opened before the directory is closed.
  void open(const WalkKey& key);
  // Runs `step` after every step of the items before `key`, one step at a time.
  void add(const WalkKey& key, OrderedStep step);
  void close(const WalkKey& key);

  // Steps held back because something before them is not done yet.
  std::size_t waiting() const;
  // Whether nothing before `key` is still open.
  bool is_first(const WalkKey& key) const;

 private:
  struct Slot {
    std::vector<OrderedStep> steps;
    bool closed = false;
  };
  void release();

  std::function<void()> on_release_;
  mutable std::mutex state_;
  std::mutex running_;  // held while released steps run, so they never overlap or reorder
  std::map<WalkKey, Slot> slots_;
  std::size_t waiting_ = 0;
};

}  // namespace cascade::scan
