#include "serve/rate_limit.h"

#include <algorithm>

namespace cascade::serve {

bool RateLimiter::allow(std::string_view token, std::chrono::steady_clock::time_point now) {
  if (per_second_ <= 0) return true;
  const std::lock_guard lock(mutex_);
  auto found = buckets_.find(token);
  if (found == buckets_.end()) {
    found = buckets_.emplace(std::string(token), Bucket{burst_, now}).first;
  }
  Bucket& bucket = found->second;
  const std::chrono::duration<double> elapsed = now - bucket.updated;
  bucket.level = std::min(burst_, bucket.level + elapsed.count() * per_second_);
  bucket.updated = now;
  if (bucket.level < 1) return false;
  bucket.level -= 1;
  return true;
}

}  // namespace cascade::serve
