// Connections to one inventory shared by the server's worker threads. A GraphStore is one
// connection and not thread-safe, so each request borrows one for its duration.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "graph/store.h"

namespace cascade::serve {

class StorePool {
 public:
  // Opens `size` connections to `spec` (at least one), each running pending migrations.
  static Result<std::unique_ptr<StorePool>> open(const std::string& spec, std::size_t size);

  // A borrowed connection, given back when destroyed.
  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<graph::GraphStore> store)
        : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    graph::GraphStore& operator*() const { return *store_; }
    graph::GraphStore* operator->() const { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<graph::GraphStore> store_;
  };

  // Waits until a connection is free.
  Lease borrow();
  std::string describe() const { return description_; }

 private:
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<graph::GraphStore>> idle_;
  std::string description_;
};

}  // namespace cascade::serve
