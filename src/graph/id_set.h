// A set of stored node ids (non-negative 63-bit hashes, so the id is its own hash), flat and
// open-addressed: a few bytes an id where std::unordered_set spends forty.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "core/huge_pages.h"

namespace cascade::graph {

class IdSet {
 public:
  bool contains(std::int64_t id) const {
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t slot = static_cast<std::size_t>(id) & mask; slots_[slot] != kEmpty;
         slot = (slot + 1) & mask) {
      if (slots_[slot] == id) return true;
    }
    return false;
  }
  void insert(std::int64_t id) {
    if (id < 0) return;
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    std::size_t slot = static_cast<std::size_t>(id) & mask;
    while (slots_[slot] != kEmpty) {
      if (slots_[slot] == id) return;
      slot = (slot + 1) & mask;
    }
    slots_[slot] = id;
    ++count_;
  }
  std::size_t size() const { return count_; }
  void clear() {
    slots_ = {};
    count_ = 0;
  }

 private:
  static constexpr std::int64_t kEmpty = -1;
  void grow() {
    HugeVector<std::int64_t> old(std::max<std::size_t>(64, slots_.size() * 2), kEmpty);
    old.swap(slots_);
    count_ = 0;
    for (const std::int64_t id : old) {
      if (id != kEmpty) insert(id);
    }
  }
  HugeVector<std::int64_t> slots_;
  std::size_t count_ = 0;
};

}  // namespace cascade::graph
