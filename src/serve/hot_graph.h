// The graph a server answers from: both CSR directions of the inventory, loaded once at start and
// then rebuilt aside on a thread of its own whenever a document was committed (here or, for a
// shared PostgreSQL store, by another replica: the document count is polled) and swapped in.
// Requests take an immutable snapshot, so no trace ever waits for a load.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"
#include "graph/csr.h"
#include "graph/store.h"

namespace cascade::serve {

struct GraphSnapshot {
  graph::CsrGraph propagation;   // forward traces and hunt
  graph::CsrGraph reverse;       // root-cause traces
  std::uint64_t generation = 0;  // 1 for the first load, +1 for every swap
  std::int64_t documents = 0;    // documents stored when it was loaded
  std::chrono::steady_clock::time_point loaded_at;
};

class HotGraph {
 public:
  // Loads the graph from `store` (a connection the rebuild thread then owns) and starts the
  // thread, which also polls the document count every `poll`.
  static Result<std::unique_ptr<HotGraph>> start(std::unique_ptr<graph::GraphStore> store,
                                                 std::chrono::milliseconds poll);
  HotGraph(const HotGraph&) = delete;
  HotGraph& operator=(const HotGraph&) = delete;
  ~HotGraph();

  std::shared_ptr<const GraphSnapshot> current() const;
  // A document was committed: rebuild as soon as the running rebuild (if any) is done. Several
  // commits during one rebuild cost one more rebuild, not one each.
  void changed();
  // The last rebuild's failure, if it failed (the previous graph stays in use meanwhile).
  std::string last_error() const;

 private:
  HotGraph(std::unique_ptr<graph::GraphStore> store, std::chrono::milliseconds poll)
      : store_(std::move(store)), poll_(poll) {}
  Result<std::shared_ptr<const GraphSnapshot>> load(std::uint64_t generation);
  void run();

  std::unique_ptr<graph::GraphStore> store_;  // used only by the constructor and then run()
  std::chrono::milliseconds poll_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const GraphSnapshot> current_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::string last_error_;
  std::thread thread_;
};

}  // namespace cascade::serve
