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

Result<std::unique_ptr<HotGraph>> HotGraph::start(const std::string& spec,
                                                  std::unique_ptr<graph::GraphStore> store,
                                                  std::chrono::milliseconds poll) {
  std::unique_ptr<HotGraph> hot(new HotGraph(std::move(store), poll));
  if (graph::is_postgres_spec(spec)) {
    auto listener = graph::DocumentListener::start(
        spec, [raw = hot.get()](graph::DocumentListener::Cause /*cause*/) { raw->changed(); });
    // An engine without LISTEN leaves the poll to find other writers' documents.
    if (listener) hot->listener_ = std::move(listener).value();
  }
  auto first = hot->load(1);
  if (!first) return first.error();
  hot->current_ = std::move(first).value();
  hot->thread_ = std::thread([raw = hot.get()] { raw->run(); });
  return hot;
}

HotGraph::~HotGraph() {
  listener_.reset();
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

std::string_view HotGraph::refresh() const {
  return listener_ && listener_->listening() ? "listen" : "poll";
}

std::string HotGraph::last_error() const {
  const std::lock_guard lock(mutex_);
  return last_error_;
}

void HotGraph::run() {
  for (;;) {
    std::uint64_t next_generation = 0;
    std::int64_t known_documents = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, poll_, [&] { return dirty_ || stopping_; });
      if (stopping_) return;
      dirty_ = false;
      next_generation = current_->generation + 1;
      known_documents = current_->documents;
    }
    // Told or polling: documents are never deleted, so a changed count means new ones, and an
    // unchanged one that the graph already holds them.
    auto documents = store_->document_count();
    if (!documents || *documents == known_documents) continue;
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
