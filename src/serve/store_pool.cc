#include "serve/store_pool.h"

#include <algorithm>

namespace cascade::serve {

Result<std::unique_ptr<StorePool>> StorePool::open(const std::string& spec, std::size_t size) {
  auto pool = std::make_unique<StorePool>();
  for (std::size_t i = 0; i < std::max<std::size_t>(size, 1); ++i) {
    auto store = graph::open_store(spec, graph::OpenMode::kExisting);
    if (!store) return store.error();
    // A 2xx for a posted document promises a commit that outlives a power loss.
    if (auto durable = (*store)->make_commits_durable(); !durable) return durable.error();
    pool->description_ = (*store)->describe();
    pool->idle_.push_back(std::move(store).value());
  }
  return pool;
}

StorePool::Lease::~Lease() {
  if (pool_ == nullptr || !store_) return;
  {
    const std::lock_guard lock(pool_->mutex_);
    pool_->idle_.push_back(std::move(store_));
  }
  pool_->returned_.notify_one();
}

StorePool::Lease StorePool::borrow() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty(); });
  std::unique_ptr<graph::GraphStore> store = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(store));
}

}  // namespace cascade::serve
