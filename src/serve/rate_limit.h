// Per-token rate limits: a token bucket per token name, refilled continuously.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace cascade::serve {

class RateLimiter {
 public:
  // `per_second` requests a second on average, bursts of up to `burst`; 0 per second: no limit.
  RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(burst) {}
  // Takes one request from the token's bucket; false when it is empty (answer 429).
  bool allow(std::string_view token, std::chrono::steady_clock::time_point now);

 private:
  struct Bucket {
    double level = 0;
    std::chrono::steady_clock::time_point updated;
  };
  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace cascade::serve
