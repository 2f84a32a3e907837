// `cascade graph check`: whether a store still holds what ingest wrote. The database engine's
// own consistency check, then cascade's checks of every row against what it can prove: node and
// document ids are hashes of their content, every edge joins two stored nodes of the kinds its
// fact connects and names a stored document, every signal hangs from a stored node.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "graph/store.h"

namespace cascade::graph {

// A closed set; the names (store_problem_name) are stable, documented in docs/graph.md.
enum class StoreProblemKind : std::uint8_t {
  kEngine,          // the engine's own check reported a problem
  kUnreadable,      // a table could not be read through (a damaged page)
  kForgedNode,      // a node's id is not the hash of its kind and key
  kMalformedNode,   // a node's kind or key is one ingest never writes
  kDuplicateNode,   // two node rows share one id
  kForgedDocument,  // a document's id is not the prefix of its SHA-256
  kDuplicateDocument,
  kDanglingEdge,      // an edge names a node the store does not hold
  kEdgeKindMismatch,  // an edge joins nodes of other kinds than its fact connects
  kEdgeWithoutDocument,
  kDanglingSignal,   // a signal on a node (or from a document) the store does not hold
  kDanglingSigner,   // a signer fact on a node (or from a document) the store does not hold
  kMalformedSigner,  // a signer fact ingest never writes (not on an artifact, bad spelling)
};
inline constexpr std::size_t kStoreProblemKindCount = 13;

std::string_view store_problem_name(StoreProblemKind kind);  // "forged-node", ...

struct StoreProblem {
  StoreProblemKind kind = StoreProblemKind::kEngine;
  std::string subject;  // the row: "node 123", "edge 4 -> 5 (ran-on, document 6)", ...
  std::string detail;   // raw text from the store (made printable by whoever shows it)
};

struct StoreCheckReport {
  std::string store;  // GraphStore::describe()
  std::vector<std::string> engine_checks;
  std::uint64_t nodes = 0;  // rows read
  std::uint64_t documents = 0;
  std::uint64_t edges = 0;
  std::uint64_t signals = 0;
  std::uint64_t signers = 0;
  // Every problem found, by kind; `problems` lists the first kMaxListedProblems of each kind
  // (the engine's own list is also cut by the engine: engine_truncated).
  std::array<std::uint64_t, kStoreProblemKindCount> found{};
  std::vector<StoreProblem> problems;
  bool engine_truncated = false;

  std::uint64_t total_found() const;
  bool clean() const { return total_found() == 0; }
};

inline constexpr std::size_t kMaxListedProblems = 50;

// Runs every check inside one snapshot. A table the store cannot read because it is damaged is
// a problem (kUnreadable) and the check goes on, without the reference checks that needed that
// table's rows; any other failure (connection, permission) is the error returned, unless a
// damaged table was already found (it is then the likelier cause, and reported as unreadable).
Result<StoreCheckReport> check_store(GraphStore& store);

}  // namespace cascade::graph
