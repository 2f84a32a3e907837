// The graph a server answers from: both CSR directions of the inventory, loaded once at start and
// then rebuilt aside on a thread of its own whenever a document was committed, and swapped in.
// Requests take an immutable snapshot, so no trace ever waits for a load. Documents committed by
// other writers (replicas over one PostgreSQL database, graph ingest) are heard of by LISTEN on
// PostgreSQL (graph/pg_listener.h) and, as a fallback and on SQLite, by polling the document
// count.
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
#include "graph/pg_listener.h"
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
  // Loads the graph from `store` (a connection the rebuild thread then owns, opened from `spec`)
  // and starts the thread, which also polls the document count every `poll`. On PostgreSQL it
  // LISTENs first, so every document committed after the load is heard of.
  static Result<std::unique_ptr<HotGraph>> start(const std::string& spec,
                                                 std::unique_ptr<graph::GraphStore> store,
                                                 std::chrono::milliseconds poll);
  HotGraph(const HotGraph&) = delete;
  HotGraph& operator=(const HotGraph&) = delete;
  ~HotGraph();

  std::shared_ptr<const GraphSnapshot> current() const;
  // A document was committed, here or (a notice) by another writer: as soon as the running
  // rebuild (if any) is done, rebuild if the document count moved. Several commits during one
  // rebuild cost one more rebuild, not one each, and a server hearing of its own document both
  // ways rebuilds once.
  void changed();
  // The last rebuild's failure, if it failed (the previous graph stays in use meanwhile).
  std::string last_error() const;
  // How other writers' documents are heard of: "listen" (PostgreSQL NOTIFY, connection up) or
  // "poll" (SQLite, an engine without LISTEN, or while the listening connection is down).
  std::string_view refresh() const;

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
  // Last: stopped first, so it never calls into a half-destroyed graph.
  std::unique_ptr<graph::DocumentListener> listener_;
};

}  // namespace cascade::serve
