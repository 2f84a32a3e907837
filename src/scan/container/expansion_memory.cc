#include "scan/container/expansion_memory.h"

#include <algorithm>

namespace cascade::scan {

bool ExpansionMemory::reserve(Account& account, std::uint64_t bytes) {
  std::unique_lock lock(mutex_);
  if (bytes > limit_ || account.held > limit_ - bytes) {
    ++refusals_;
    return false;
  }
  bool waited = false;
  while (bytes > limit_ - in_use_) {
    // A worker that holds nothing can always wait: everything held is held by workers that are
    // running or will be refused rather than wait forever. One that holds memory may wait only
    // while some other holder is still running and so will release.
    if (account.held > 0 && holders_waiting_ + 1 >= holders_) {
      ++refusals_;
      return false;
    }
    if (!waited) ++waits_;
    waited = true;
    if (account.held > 0) ++holders_waiting_;
    released_.wait(lock);
    if (account.held > 0) --holders_waiting_;
  }
  if (account.held == 0) ++holders_;
  account.held += bytes;
  in_use_ += bytes;
  peak_ = std::max(peak_, in_use_);
  return true;
}

void ExpansionMemory::release(Account& account, std::uint64_t bytes) {
  {
    const std::lock_guard lock(mutex_);
    bytes = std::min(bytes, account.held);
    account.held -= bytes;
    in_use_ -= bytes;
    if (account.held == 0 && bytes > 0) --holders_;
  }
  released_.notify_all();
}

std::uint64_t ExpansionMemory::in_use() const {
  const std::lock_guard lock(mutex_);
  return in_use_;
}

std::uint64_t ExpansionMemory::peak() const {
  const std::lock_guard lock(mutex_);
  return peak_;
}

std::uint64_t ExpansionMemory::waits() const {
  const std::lock_guard lock(mutex_);
  return waits_;
}

std::uint64_t ExpansionMemory::refusals() const {
  const std::lock_guard lock(mutex_);
  return refusals_;
}

bool MemoryReservation::grow_to(std::uint64_t total) {
  if (total <= bytes_) return true;
  if (pool_ != nullptr && !pool_->reserve(account_, total - bytes_)) return false;
  bytes_ = total;
  return true;
}

void MemoryReservation::reset() {
  if (pool_ != nullptr && bytes_ > 0) pool_->release(account_, bytes_);
  bytes_ = 0;
}

}  // namespace cascade::scan
