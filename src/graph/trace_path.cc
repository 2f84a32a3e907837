#include "graph/trace_path.h"

#include <algorithm>
#include <utility>

namespace cascade::graph {

Path::Path(std::initializer_list<PathHop> hops) {
  for (const PathHop& hop : hops) *this = followed_by(hop);
}

Path::Path(const std::vector<PathHop>& hops) {
  for (const PathHop& hop : hops) *this = followed_by(hop);
}

Path& Path::operator=(Path other) noexcept {
  // The old chain leaves with `other`, whose destructor frees it without recursing.
  std::swap(link_, other.link_);
  std::swap(size_, other.size_);
  return *this;
}

Path::~Path() {
  // Freeing a chain link by link from the shared_ptr destructors would recurse once per hop,
  // and a path may be as long as the graph is deep: unlink the part only this path owns first.
  std::shared_ptr<const Link> link = std::move(link_);
  while (link != nullptr && link.use_count() == 1) link = std::move(link->rest);
}

Path Path::followed_by(PathHop hop) const {
  Path longer;
  longer.link_ = std::make_shared<const Link>(Link{std::move(hop), link_, false});
  longer.size_ = size_ + 1;
  return longer;
}

Path Path::preceded_by(PathHop hop) const {
  Path longer;
  longer.link_ = std::make_shared<const Link>(Link{std::move(hop), link_, true});
  longer.size_ = size_ + 1;
  return longer;
}

std::vector<const PathHop*> Path::hops() const {
  // Walking inwards, hops put first come out in order and hops put last in reverse order; the
  // walk is a loop, not a recursion, because a path may be as long as the graph is deep.
  std::vector<const PathHop*> first;
  std::vector<const PathHop*> last;
  for (const Link* link = link_.get(); link != nullptr; link = link->rest.get()) {
    (link->hop_first ? first : last).push_back(&link->hop);
  }
  first.insert(first.end(), last.rbegin(), last.rend());
  return first;
}

}  // namespace cascade::graph
