#include "scan/walk_order.h"

namespace cascade::scan {

void WalkOrder::open(const WalkKey& key) {
  std::lock_guard lock(state_);
  slots_.try_emplace(key);
}

void WalkOrder::add(const WalkKey& key, OrderedStep step) {
  bool first = false;
  {
    std::lock_guard lock(state_);
    slots_[key].steps.push_back(std::move(step));
    ++waiting_;
    first = slots_.begin()->first == key;
  }
  // Only a change at the head can release anything; a step behind it waits for the head's
  // close, whose release collects it (both happen under state_, so neither is missed).
  if (first) release();
}

void WalkOrder::close(const WalkKey& key) {
  bool first = false;
  {
    std::lock_guard lock(state_);
    slots_[key].closed = true;
    first = slots_.begin()->first == key;
  }
  if (first) release();
}

std::size_t WalkOrder::waiting() const {
  std::lock_guard lock(state_);
  return waiting_;
}

bool WalkOrder::is_first(const WalkKey& key) const {
  std::lock_guard lock(state_);
  return slots_.empty() || slots_.begin()->first == key;
}

void WalkOrder::release() {
  bool changed = false;
  {
    std::lock_guard run(running_);
    std::vector<OrderedStep> ready;
    {
      std::lock_guard lock(state_);
      while (!slots_.empty()) {
        auto head = slots_.begin();
        for (auto& step : head->second.steps) ready.push_back(std::move(step));
        head->second.steps.clear();
        if (!head->second.closed) break;
        slots_.erase(head);
        changed = true;
      }
      waiting_ -= ready.size();
    }
    changed = changed || !ready.empty();
    for (auto& step : ready) {
      if (step) step();
    }
  }
  if (changed && on_release_) on_release_();
}

}  // namespace cascade::scan
