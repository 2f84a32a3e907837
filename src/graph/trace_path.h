// An explaining path: the chain of facts, each with the document that proved it, along which
// compromise travelled between the seed and one affected node. Paths share their tails: a
// node's path is its parent's plus one hop, so a trace of millions of nodes stores each hop
// once rather than once per node downstream of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/model.h"

namespace cascade::graph {

// One edge of an explaining path, in the direction compromise travelled.
struct PathHop {
  NodeRef from;
  NodeRef to;
  EdgeKind edge = EdgeKind::kRanOn;  // the stored fact's kind
  std::optional<std::int64_t> time;  // the fact's t
  std::optional<std::int64_t> until;
  std::string source_path;  // the document that proved the fact
  std::string source_sha256;
  std::string source_format;
  std::string note;
};

class Path {
 public:
  Path() = default;
  // A path spelled out hop by hop (hand-built answers, tests).
  Path(std::initializer_list<PathHop> hops);  // NOLINT(google-explicit-constructor)
  Path(const std::vector<PathHop>& hops);     // NOLINT(google-explicit-constructor)
  Path(const Path& other) = default;
  Path(Path&& other) noexcept = default;
  Path& operator=(Path other) noexcept;
  ~Path();

  // This path followed by `hop` (forward paths grow away from the seed this way).
  Path followed_by(PathHop hop) const;
  // `hop` followed by this path (root-cause paths grow away from the seed this way).
  Path preceded_by(PathHop hop) const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The hops in order, first to last; valid while this path (or a copy) lives.
  std::vector<const PathHop*> hops() const;
  const PathHop& front() const { return *hops().front(); }
  const PathHop& back() const { return *hops().back(); }

 private:
  struct Link {
    PathHop hop;
    // Mutable only so that the last owner of a long chain can unlink it hop by hop (~Path).
    mutable std::shared_ptr<const Link> rest;
    bool hop_first;  // hop + rest, or rest + hop
  };
  std::shared_ptr<const Link> link_;
  std::size_t size_ = 0;
};

}  // namespace cascade::graph
