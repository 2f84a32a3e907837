// What the inventory benches measure each step with: wall and CPU seconds, peak memory, and the
// "metric NAME VALUE" lines their scripts read.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace cascade::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds of this process: on a shared machine wall time also measures the neighbours, so
// every figure is given both ways.
inline double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

inline long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

inline void metric(const char* name, double value) {
  std::printf("metric %s %.6g\n", name, value);
}
inline void metric(const char* name, std::uint64_t value) {
  std::printf("metric %s %llu\n", name, static_cast<unsigned long long>(value));
}

}  // namespace cascade::bench
