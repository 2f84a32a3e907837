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
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "graph/trace.h"

namespace cascade::serve {

struct TracePage {
  std::string body;         // cascade.trace/1 with only this page's affected nodes, serialised
  std::size_t total = 0;    // affected nodes of the whole answer
  std::string next_cursor;  // empty on the last page
};

class TracePages {
 public:
  // Keeps `answer` and returns its first page.
  TracePage first(graph::TraceResult answer, std::size_t limit);
  // The page a cursor names; an error (kUsage) for a malformed, unknown or expired cursor.
  Result<TracePage> next(std::string_view cursor, std::size_t limit);

 private:
  // The answer as trace gave it, not as JSON: a JSON tree of a large answer takes several times
  // its serialised size, and only the page asked for is ever serialised. The part every page
  // repeats (summary, seed, graph) is serialised once.
  struct Answer {
    graph::TraceResult result;
    std::string head;  // trace_head_json serialised, without its opening brace
  };
  struct Kept {
    std::shared_ptr<const Answer> answer;
    std::chrono::steady_clock::time_point expires;
  };
  static TracePage page(const std::string& id, const Answer& answer, std::size_t offset,
                        std::size_t limit);
  void forget_expired(std::chrono::steady_clock::time_point now);
  void make_room(std::size_t nodes);  // drops the oldest answers until one of `nodes` fits

  std::mutex mutex_;
  std::map<std::string, Kept, std::less<>> kept_;
};

}  // namespace cascade::serve
