// Paging of large trace answers: the first request computes the whole answer once and keeps it
// for a while under a random id; its cursor names that answer and an offset, so every page of
// one walk comes from the same graph state (pages are disjoint and their union is the answer)
// even while documents keep arriving.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cascade::serve {

struct TracePage {
  std::string body;         // cascade.trace/1 with only this page's affected nodes, serialised
  std::size_t total = 0;    // affected nodes of the whole answer
  std::string next_cursor;  // empty on the last page
};

class TracePages {
 public:
  // Keeps `answer` (a cascade.trace/1 document) and returns its first page.
  TracePage first(nlohmann::json answer, std::size_t limit);
  // The page a cursor names; an error (kUsage) for a malformed, unknown or expired cursor.
  Result<TracePage> next(std::string_view cursor, std::size_t limit);

 private:
  struct Kept {
    std::shared_ptr<const nlohmann::json> answer;
    std::chrono::steady_clock::time_point expires;
  };
  TracePage page(const std::string& id, const nlohmann::json& answer, std::size_t offset,
                 std::size_t limit) const;
  void forget_expired(std::chrono::steady_clock::time_point now);
  void make_room();  // drops the oldest answers until one more fits

  std::mutex mutex_;
  std::map<std::string, Kept, std::less<>> kept_;
};

}  // namespace cascade::serve
