// Ordered parallel map: work(i) runs on a pool of threads, emit(i, result) runs on the calling
// thread strictly in index order, as soon as each result is ready (so output streams).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace cascade {

inline unsigned default_thread_count() {
  return std::max(1u, std::thread::hardware_concurrency());
}

template <typename Work, typename Emit>
void parallel_ordered(std::size_t count, unsigned threads, Work work, Emit emit) {
  using Result = decltype(work(std::size_t{0}));
  threads = std::max(
      1u, std::min<unsigned>(threads, static_cast<unsigned>(std::max<std::size_t>(count, 1))));
  if (threads == 1) {
    for (std::size_t i = 0; i < count; ++i) emit(i, work(i));
    return;
  }
  std::vector<std::optional<Result>> slots(count);
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<std::size_t> next{0};
  // Workers stay at most `window` items ahead of the printer, bounding memory on huge inputs.
  const std::size_t window = std::size_t{threads} * 64;
  std::size_t emitted = 0;
  std::condition_variable drained;
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= count) return;
      {
        std::unique_lock lock(mutex);
        drained.wait(lock, [&] { return i < emitted + window; });
      }
      Result r = work(i);
      {
        std::lock_guard lock(mutex);
        slots[i].emplace(std::move(r));
      }
      ready.notify_all();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::size_t i = 0; i < count; ++i) {
    Result r = [&] {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return slots[i].has_value(); });
      Result out = std::move(*slots[i]);
      slots[i].reset();
      return out;
    }();
    emit(i, std::move(r));
    {
      std::lock_guard lock(mutex);
      emitted = i + 1;
    }
    drained.notify_all();
  }
  for (auto& t : pool) t.join();
}

}  // namespace cascade
