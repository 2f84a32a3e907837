#include "serve/hot_graph.h"

#include <utility>

namespace cascade::serve {

Result<std::shared_ptr<const GraphSnapshot>> HotGraph::load(std::uint64_t generation) {
  // One snapshot for the count and both directions, so they describe one committed state.
  auto snapshot = graph::StoreSnapshot::take(*store_);
  if (!snapshot) return snapshot.error();
  auto counts = store_->counts();
  if (!counts) return counts.error();
  auto propagation = graph::load_graph(*store_, graph::Direction::kPropagation);
  if (!propagation) return propagation.error();
  auto reverse = graph::load_graph(*store_, graph::Direction::kReverse);
  if (!reverse) return reverse.error();
  auto loaded = std::make_shared<GraphSnapshot>();
  loaded->propagation = std::move(propagation).value();
  loaded->reverse = std::move(reverse).value();
  loaded->generation = generation;
  loaded->documents = counts->documents;
  loaded->loaded_at = std::chrono::steady_clock::now();
  return std::shared_ptr<const GraphSnapshot>(std::move(loaded));
}

Result<std::unique_ptr<HotGraph>> HotGraph::start(std::unique_ptr<graph::GraphStore> store,
                                                  std::chrono::milliseconds poll) {
  std::unique_ptr<HotGraph> hot(new HotGraph(std::move(store), poll));
  auto first = hot->load(1);
  if (!first) return first.error();
  hot->current_ = std::move(first).value();
  hot->thread_ = std::thread([raw = hot.get()] { raw->run(); });
  return hot;
}

HotGraph::~HotGraph() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const GraphSnapshot> HotGraph::current() const {
  const std::lock_guard lock(mutex_);
  return current_;
}

void HotGraph::changed() {
  {
    const std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_all();
}

std::string HotGraph::last_error() const {
  const std::lock_guard lock(mutex_);
  return last_error_;
}

void HotGraph::run() {
  for (;;) {
    std::uint64_t next_generation = 0;
    std::int64_t known_documents = 0;
    bool told = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, poll_, [&] { return dirty_ || stopping_; });
      if (stopping_) return;
      told = std::exchange(dirty_, false);
      next_generation = current_->generation + 1;
      known_documents = current_->documents;
    }
    if (!told) {
      // Another writer (a replica, graph ingest) may have added documents: documents are never
      // deleted, so a changed count means new ones.
      auto counts = store_->counts();
      if (!counts || counts->documents == known_documents) continue;
    }
    auto loaded = load(next_generation);
    const std::lock_guard lock(mutex_);
    if (loaded) {
      current_ = std::move(loaded).value();
      last_error_.clear();
    } else {
      last_error_ = loaded.error().message;
    }
  }
}

}  // namespace cascade::serve
