// One budget of memory for buffering expanded entries, shared by every worker of a scan, so that
// peak memory does not grow with the thread count: eight workers each inflating a bomb entry
// draw from the same pool as one worker would.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace cascade::scan {

class ExpansionMemory {
 public:
  // What one top-level file's expansion (one worker at a time) holds of the pool.
  struct Account {
    std::uint64_t held = 0;
  };

  explicit ExpansionMemory(std::uint64_t limit) : limit_(limit) {}
  ExpansionMemory(const ExpansionMemory&) = delete;
  ExpansionMemory& operator=(const ExpansionMemory&) = delete;

  // Reserves `bytes` for `account`, waiting while other expansions hold the memory. Refuses
  // (false, nothing reserved) instead of waiting when the request can never fit beside what
  // the account already holds, or when waiting could deadlock: the account already holds
  // memory and every other account that holds memory is waiting too (nested expansions on
  // several workers). A refused entry is skipped and reported by the caller.
  bool reserve(Account& account, std::uint64_t bytes);
  void release(Account& account, std::uint64_t bytes);

  std::uint64_t limit() const { return limit_; }
  // For tests and reports: bytes reserved now, the highest ever reserved at once, and how many
  // reservations had to wait or were refused.
  std::uint64_t in_use() const;
  std::uint64_t peak() const;
  std::uint64_t waits() const;
  std::uint64_t refusals() const;

 private:
  const std::uint64_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::uint64_t in_use_ = 0;
  std::uint64_t peak_ = 0;
  std::uint64_t waits_ = 0;
  std::uint64_t refusals_ = 0;
  std::uint64_t holders_ = 0;          // accounts holding more than nothing
  std::uint64_t holders_waiting_ = 0;  // of those, how many wait in reserve()
};

// The reservation behind one growing buffer: reserves as the buffer grows, gives everything
// back when reset or destroyed. Without a pool (a direct library call), every request is granted.
class MemoryReservation {
 public:
  MemoryReservation(ExpansionMemory* pool, ExpansionMemory::Account& account)
      : pool_(pool), account_(account) {}
  ~MemoryReservation() { reset(); }
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;

  // Makes the reservation `total` bytes (growing only); false when the pool refuses.
  bool grow_to(std::uint64_t total);
  void reset();
  std::uint64_t bytes() const { return bytes_; }

 private:
  ExpansionMemory* pool_;
  ExpansionMemory::Account& account_;
  std::uint64_t bytes_ = 0;
};

}  // namespace cascade::scan
