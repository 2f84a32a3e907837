#include "graph/store_check.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <utility>

namespace cascade::graph {
namespace {

constexpr std::array<std::string_view, kStoreProblemKindCount> kProblemNames = {
    "engine",
    "unreadable",
    "forged-node",
    "malformed-node",
    "duplicate-node",
    "forged-document",
    "duplicate-document",
    "dangling-edge",
    "edge-kind-mismatch",
    "edge-without-document",
    "dangling-signal",
    "dangling-signer",
    "malformed-signer"};

// Node ids and kinds sorted by id: what every reference is looked up in. 16 bytes a node, where
// a hash map would spend several times that on a store of millions.
class NodeTable {
 public:
  void add(std::int64_t id, NodeKind kind) { rows_.emplace_back(id, kind); }
  // Sorts, then calls `duplicate(id)` once for each id stored more than once.
  template <typename OnDuplicate>
  void seal(OnDuplicate duplicate) {
    std::sort(rows_.begin(), rows_.end());
    for (std::size_t i = 1; i < rows_.size(); ++i) {
      if (rows_[i].first == rows_[i - 1].first && (i < 2 || rows_[i - 2].first != rows_[i].first)) {
        duplicate(rows_[i].first);
      }
    }
  }
  std::optional<NodeKind> kind_of(std::int64_t id) const {
    const auto found =
        std::lower_bound(rows_.begin(), rows_.end(), std::pair(id, NodeKind{}),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    if (found == rows_.end() || found->first != id) return std::nullopt;
    return found->second;
  }

 private:
  std::vector<std::pair<std::int64_t, NodeKind>> rows_;
};

class Checker {
 public:
  explicit Checker(GraphStore& store) : store_(store) { report_.store = store.describe(); }

  Status run() {
    if (auto done = stage(engine(), "the engine's check"); !done) return done;
    nodes_complete_ = true;
    if (auto done = stage(nodes(), "table node"); !done) return done;
    documents_complete_ = true;
    if (auto done = stage(documents(), "table source_doc"); !done) return done;
    if (auto done = stage(edges(), "table edge"); !done) return done;
    if (auto done = stage(signals(), "table signal"); !done) return done;
    if (auto done = stage(signers(), "table signer"); !done) return done;
    return ok_status();
  }

  StoreCheckReport take() { return std::move(report_); }

 private:
  void add(StoreProblemKind kind, std::string subject, std::string detail) {
    auto& count = report_.found[static_cast<std::size_t>(kind)];
    if (count++ < kMaxListedProblems) {
      report_.problems.push_back(StoreProblem{kind, std::move(subject), std::move(detail)});
    }
  }

  // A damaged table is a finding and the check goes on; other failures end it (see the header).
  Status stage(Status status, std::string_view what) {
    if (status) return status;
    const bool damaged = status.error().code == ErrorCode::kMalformed ||
                         report_.found[static_cast<std::size_t>(StoreProblemKind::kUnreadable)] > 0;
    if (!damaged) return status;
    // Rows after the damage were not seen, so references to them are not judged.
    if (what == "table node") nodes_complete_ = false;
    if (what == "table source_doc") documents_complete_ = false;
    add(StoreProblemKind::kUnreadable, std::string(what), status.error().message);
    return ok_status();
  }

  Status engine() {
    auto engine = store_.engine_check(kMaxListedProblems);
    if (!engine) return engine.error();
    report_.engine_checks = std::move(engine->checks);
    for (std::string& problem : engine->problems) {
      add(StoreProblemKind::kEngine, report_.store, std::move(problem));
    }
    report_.engine_truncated = engine->truncated;
    return ok_status();
  }

  Status nodes() {
    auto visited =
        store_.scan_node_rows([&](std::int64_t id, std::int64_t kind, std::string_view key) {
          ++report_.nodes;
          const std::string subject = "node " + std::to_string(id);
          if (kind < 0 || kind >= kNodeKindCount) {
            add(StoreProblemKind::kMalformedNode, subject,
                "kind " + std::to_string(kind) + " is not a node kind");
            return;
          }
          const auto node_kind = static_cast<NodeKind>(kind);
          nodes_.add(id, node_kind);
          const NodeRef stored{node_kind, std::string(key)};
          if (node_id(node_kind, key) != id || key.size() > kMaxKeyLength) {
            add(StoreProblemKind::kForgedNode, subject,
                "stored as " + format_node(stored) + ", whose id is " +
                    std::to_string(node_id(stored)));
            return;
          }
          // What ingest writes is what make_node accepts, unchanged (artifacts in lower case).
          auto valid = make_node(node_kind, key);
          if (!valid || valid->key != key) {
            add(StoreProblemKind::kMalformedNode, subject,
                format_node(stored) + ": " +
                    (valid ? std::string("not in the stored spelling") : valid.error().message));
          }
        });
    nodes_.seal([&](std::int64_t id) {
      add(StoreProblemKind::kDuplicateNode, "node " + std::to_string(id),
          "more than one row has this id");
    });
    return visited;
  }

  Status documents() {
    auto visited = store_.scan_documents([&](const DocRow& doc) {
      ++report_.documents;
      document_ids_.push_back(doc.id);
      if (!is_sha256_hex(doc.sha256) || document_id(doc.sha256) != doc.id) {
        add(StoreProblemKind::kForgedDocument, "document " + std::to_string(doc.id),
            "stored with SHA-256 " + doc.sha256 + " (path " + doc.path +
                "), which does not give its id");
      }
    });
    std::sort(document_ids_.begin(), document_ids_.end());
    for (std::size_t i = 1; i < document_ids_.size(); ++i) {
      if (document_ids_[i] == document_ids_[i - 1] &&
          (i < 2 || document_ids_[i - 2] != document_ids_[i])) {
        add(StoreProblemKind::kDuplicateDocument, "document " + std::to_string(document_ids_[i]),
            "more than one row has this id");
      }
    }
    return visited;
  }

  bool document_stored(std::int64_t id) const {
    return std::binary_search(document_ids_.begin(), document_ids_.end(), id);
  }

  Status edges() {
    return store_.scan_edges([&](const EdgeRow& edge) {
      ++report_.edges;
      const auto subject = [&] {
        return "edge " + std::to_string(edge.src) + " -> " + std::to_string(edge.dst) + " (" +
               std::string(edge_kind_name(edge.kind)) + ", document " + std::to_string(edge.doc) +
               ")";
      };
      if (nodes_complete_) {
        const auto src = nodes_.kind_of(edge.src);
        const auto dst = nodes_.kind_of(edge.dst);
        if (!src || !dst) {
          add(StoreProblemKind::kDanglingEdge, subject(),
              "no node row with id " + std::to_string(!src ? edge.src : edge.dst));
        } else if (!edge_joins(edge.kind, *src, *dst)) {
          add(StoreProblemKind::kEdgeKindMismatch, subject(),
              "joins a " + std::string(node_kind_name(*src)) + " to a " +
                  std::string(node_kind_name(*dst)) + "; " +
                  std::string(edge_kind_name(edge.kind)) + " joins a " + edge_ends_text(edge.kind));
        }
      }
      if (documents_complete_ && !document_stored(edge.doc)) {
        add(StoreProblemKind::kEdgeWithoutDocument, subject(),
            "no document row with id " + std::to_string(edge.doc));
      }
    });
  }

  Status signals() {
    auto rows = store_.all_signals();
    if (!rows) return rows.error();
    for (const SignalRow& row : *rows) {
      ++report_.signals;
      const std::string subject = "signal " + row.finding + " on node " + std::to_string(row.node);
      if (nodes_complete_ && !nodes_.kind_of(row.node)) {
        add(StoreProblemKind::kDanglingSignal, subject,
            "no node row with id " + std::to_string(row.node));
      } else if (documents_complete_ && !document_stored(row.doc)) {
        add(StoreProblemKind::kDanglingSignal, subject,
            "no document row with id " + std::to_string(row.doc));
      }
    }
    return ok_status();
  }

  Status signers() {
    return store_.scan_signers([&](const SignerRow& row) {
      ++report_.signers;
      const std::string subject = "signer " + row.certificate.sha256.substr(0, 64) + " (" +
                                  std::string(certificate_role_name(row.role)) + ") on node " +
                                  std::to_string(row.node);
      const std::optional<NodeKind> kind = nodes_.kind_of(row.node);  // none: not read through
      if (nodes_complete_ && !kind.has_value()) {
        add(StoreProblemKind::kDanglingSigner, subject,
            "no node row with id " + std::to_string(row.node));
      } else if (documents_complete_ && !document_stored(row.doc)) {
        add(StoreProblemKind::kDanglingSigner, subject,
            "no document row with id " + std::to_string(row.doc));
      } else if (kind.value_or(NodeKind::kArtifact) != NodeKind::kArtifact) {
        add(StoreProblemKind::kMalformedSigner, subject,
            "on a " + std::string(node_kind_name(kind.value_or(NodeKind::kArtifact))) +
                ", not an artifact");
      } else if (auto valid = check_certificate_fact(row.certificate); !valid) {
        add(StoreProblemKind::kMalformedSigner, subject, valid.error().message);
      }
    });
  }

  GraphStore& store_;
  StoreCheckReport report_;
  NodeTable nodes_;
  std::vector<std::int64_t> document_ids_;
  bool nodes_complete_ = false;
  bool documents_complete_ = false;
};

}  // namespace

std::string_view store_problem_name(StoreProblemKind kind) {
  return kProblemNames[static_cast<std::size_t>(kind)];
}

std::uint64_t StoreCheckReport::total_found() const {
  return std::accumulate(found.begin(), found.end(), std::uint64_t{0});
}

Result<StoreCheckReport> check_store(GraphStore& store) {
  auto snapshot = StoreSnapshot::take(store);
  if (!snapshot) return snapshot.error();
  Checker checker(store);
  if (auto done = checker.run(); !done) return done.error();
  return checker.take();
}

}  // namespace cascade::graph
