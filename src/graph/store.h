// Where the inventory graph lives: one SQLite file (default) or a shared PostgreSQL database,
// with the same schema (schema.h) and the same SQL. Writers store one document per transaction;
// readers stream nodes and edges into memory (csr.h) and look up the few rows an answer shows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"
#include "graph/facts.h"
#include "graph/model.h"

namespace cascade::graph {

struct DocRow {
  std::int64_t id = 0;  // first 63 bits of the document's SHA-256 (as node ids)
  std::string sha256;   // of the document's bytes, lower-case hex
  std::string format;   // document_format_name()
  std::string path;     // as given to ingest
  std::int64_t ingested_at = 0;
};

struct NodeRow {
  std::int64_t id = 0;  // node_id(ref)
  NodeKind kind = NodeKind::kArtifact;
  std::string key;
};

// A node row to store, its key borrowed: ingest points it into the parsed document, so a
// bulk load copies no keys (about 75% of the node rows it makes are already stored).
struct NodeWrite {
  std::int64_t id = 0;
  NodeKind kind = NodeKind::kArtifact;
  std::string_view key;
};

// Absent times are nullopt (SQL NULL).
struct EdgeRow {
  std::int64_t src = 0;
  std::int64_t dst = 0;
  EdgeKind kind = EdgeKind::kRanOn;
  std::optional<std::int64_t> time;
  std::optional<std::int64_t> until;
  std::int64_t doc = 0;
  std::string note;  // non-empty notes go to edge_note
};

struct NameRow {
  std::int64_t node = 0;
  std::string name;
  std::int64_t doc = 0;
};

struct SignalRow {
  std::int64_t node = 0;
  std::string finding;
  std::string severity;
  std::int64_t doc = 0;
};

// A certificate of a node's signatures (facts.h SignerFact), as stored.
struct SignerRow {
  std::int64_t node = 0;
  CertificateRole role = CertificateRole::kSigner;
  CertificateFact certificate;
  std::int64_t doc = 0;
};

// What a database engine's own consistency check said (graph check): which checks ran and each
// problem it reported, at most the number asked for (`truncated` says more were cut).
struct EngineCheck {
  std::vector<std::string> checks;    // e.g. "PRAGMA integrity_check"
  std::vector<std::string> problems;  // empty: the engine found nothing
  bool truncated = false;
};

struct StoreCounts {
  std::int64_t documents = 0;
  std::int64_t nodes = 0;
  std::int64_t edges = 0;
  std::int64_t signals = 0;
};

// What a cascade serve token may do (docs/serve.md): ingest = post documents only; read = the
// GET routes and hunt; admin = everything.
enum class TokenScope { kIngest, kRead, kAdmin };
std::string_view token_scope_name(TokenScope scope);  // "ingest", "read", "admin"
std::optional<TokenScope> token_scope_from_name(std::string_view name);

// A token as stored: never its text, only the SHA-256 of it (lower-case hex). The id is the
// first 63 bits of that digest, as document ids are.
struct TokenRow {
  std::int64_t id = 0;
  std::string name;
  TokenScope scope = TokenScope::kRead;
  std::string sha256;
  std::int64_t created = 0;
  std::optional<std::int64_t> revoked;
};

// One authenticated request to cascade serve.
struct AuditRow {
  std::int64_t at = 0;   // Unix seconds
  std::string token;     // the token's name
  std::string address;   // the client's IP address
  std::string method;    // GET, POST
  std::string route;     // the route's pattern, e.g. /api/v1/documents/{sha256}
  std::string document;  // SHA-256 of a posted document, else empty
  int status = 0;        // the HTTP status answered
};

class GraphStore {
 public:
  virtual ~GraphStore() = default;
  GraphStore() = default;
  GraphStore(const GraphStore&) = delete;
  GraphStore& operator=(const GraphStore&) = delete;

  // --- writing: begin_document, then any put_*, then commit_document (or rollback) ---
  // Opens a transaction and records the document. Returns false, with no transaction left
  // open, when a document with the same SHA-256 is already stored (ingest is idempotent).
  virtual Result<bool> begin_document(const DocRow& doc) = 0;
  virtual Status put_nodes(std::span<const NodeWrite> rows) = 0;  // existing ids are kept
  Status put_nodes(std::span<const NodeRow> rows);                // the same, owned keys
  virtual Status put_edges(std::span<const EdgeRow> rows) = 0;
  virtual Status put_names(std::span<const NameRow> rows) = 0;
  virtual Status put_signals(std::span<const SignalRow> rows) = 0;
  virtual Status put_signers(std::span<const SignerRow> rows) = 0;
  virtual Status commit_document() = 0;
  virtual void rollback() = 0;

  // Bulk mode for a first load of a large inventory (the bench): the backend may relax
  // durability while it holds, never atomicity (a failed document still rolls back). SQLite:
  // journal in memory and no syncs until end_bulk; PostgreSQL: asynchronous commits.
  virtual Status begin_bulk() = 0;
  virtual Status end_bulk() = 0;
  // From now on commit_document returns only once the document would also survive a power
  // loss or an operating system crash, not only the writer's own crash: for a server whose 2xx
  // promises a durable commit. SQLite in WAL mode then syncs the log at every commit (by default
  // it syncs at checkpoints only); PostgreSQL waits for the WAL flush (its default, asked for
  // explicitly in case the database's settings turned it off). The default does nothing.
  virtual Status make_commits_durable();

  // --- reading ---
  // A snapshot: until end_snapshot, every read sees the one committed state the store had at
  // begin_snapshot, whatever other connections commit meanwhile, so a trace's node scan, edge
  // scan and lookups agree (whole documents or none). The backend also takes its read locks
  // once instead of once a query. Snapshots nest (only the outermost pair counts); no document
  // can be written while one is open. Hold one through StoreSnapshot.
  Status begin_snapshot();
  Status end_snapshot();

  // Every node id and kind, in no particular order.
  virtual Status scan_nodes(const std::function<void(std::int64_t id, NodeKind kind)>& visit) = 0;
  // Every edge (note left empty), in no particular order.
  virtual Status scan_edges(const std::function<void(const EdgeRow& edge)>& visit) = 0;
  virtual Result<std::optional<NodeRow>> find_node(std::int64_t id) = 0;
  virtual Result<std::vector<std::string>> node_names(std::int64_t id, std::size_t limit) = 0;
  // Batch forms for large answers. The defaults loop over the single-row calls; a networked
  // backend overrides them to save round trips. Unknown ids are left out.
  virtual Result<std::vector<NodeRow>> find_nodes(std::span<const std::int64_t> ids);
  virtual Result<std::vector<std::pair<std::int64_t, std::vector<std::string>>>> names_of(
      std::span<const std::int64_t> ids, std::size_t limit_per_node);
  virtual Result<std::optional<DocRow>> find_document(std::int64_t id) = 0;
  // The note of one edge (empty if none), for the few edges an answer shows.
  virtual Result<std::string> edge_note(const EdgeRow& edge) = 0;
  virtual Result<std::vector<SignalRow>> all_signals() = 0;
  // Every signer row, in no particular order; a row whose role this build does not know (a
  // newer writer's) is skipped, as scan_nodes skips unknown kinds.
  virtual Status scan_signers(const std::function<void(const SignerRow& row)>& visit) = 0;
  virtual Result<StoreCounts> counts() = 0;
  // counts().documents alone, without counting the large tables: what a server polls to learn
  // whether another writer added documents (they are never deleted). The default asks counts().
  virtual Result<std::int64_t> document_count();
  virtual Result<int> schema_version() = 0;

  // The lookups an answer shows its nodes and documents through. A row is believed only when
  // its id is the hash of its content (node_id, document_id): anyone who can write the store
  // could otherwise rename a node in every answer by editing its key and keeping its id and
  // edges. A mismatch is an error (ErrorCode::kMalformed) naming the row, never an answer.
  // Unknown ids are left out, as in find_nodes.
  Result<std::vector<NodeRow>> find_checked_nodes(std::span<const std::int64_t> ids);
  Result<std::optional<DocRow>> find_checked_document(std::int64_t id);

  // --- checking the whole store (graph check, store_check.h) ---
  // The engine's own consistency check, reporting at most `max_problems` problems.
  virtual Result<EngineCheck> engine_check(std::size_t max_problems) = 0;
  // Every node row as stored, its kind column unconverted (a forged row may hold any number).
  virtual Status scan_node_rows(const std::function<void(std::int64_t id, std::int64_t kind,
                                                         std::string_view key)>& visit) = 0;
  virtual Status scan_documents(const std::function<void(const DocRow& doc)>& visit) = 0;

  // --- cascade serve's tokens and audit log (schema version 4) ---
  // Each is one short transaction of its own; none may be called while a document or a
  // snapshot is open. The defaults answer ErrorCode::kUnsupported (stores that are not a real
  // inventory: the bench's discarding store, tests' wrappers).
  // Stores a new token; false when its name or digest is already taken (nothing stored).
  virtual Result<bool> put_token(const TokenRow& row);
  // Every token, revoked ones too, by name; a row whose scope this build does not know is
  // skipped.
  virtual Result<std::vector<TokenRow>> tokens();
  // Marks the token revoked at `at`; false when no unrevoked token has that name.
  virtual Result<bool> revoke_token(std::string_view name, std::int64_t at);
  virtual Status put_audit(const AuditRow& row);
  // Nodes whose key or one of whose names contains `text` (bytes, case as given: a digest
  // prefix, a purl, a host or file name): the `limit` of them with the lowest ids (an order
  // every engine agrees on), sorted by key. Scans the node and name
  // tables: for an analyst's search, not for a loop.
  virtual Result<std::vector<NodeRow>> search_nodes(std::string_view text, std::size_t limit);

  // "sqlite:PATH" or "postgresql://..."; used in messages.
  virtual std::string describe() const = 0;

 protected:
  // The outermost begin_snapshot and end_snapshot: start and end the backend's read-only
  // transaction (refusing while a document is open).
  virtual Status open_snapshot() = 0;
  virtual Status close_snapshot() = 0;
  bool snapshot_open() const { return snapshot_depth_ > 0; }

 private:
  int snapshot_depth_ = 0;
};

// Holds a snapshot of `store` for a scope and ends it however the scope is left.
class StoreSnapshot {
 public:
  static Result<StoreSnapshot> take(GraphStore& store);
  StoreSnapshot(StoreSnapshot&& other) noexcept : store_(std::exchange(other.store_, nullptr)) {}
  StoreSnapshot& operator=(StoreSnapshot&&) = delete;
  StoreSnapshot(const StoreSnapshot&) = delete;
  StoreSnapshot& operator=(const StoreSnapshot&) = delete;
  ~StoreSnapshot();

 private:
  explicit StoreSnapshot(GraphStore& store) : store_(&store) {}
  GraphStore* store_;
};

// Whether opening may make a new, empty store: writers may, a check of a store must not (a
// mistyped path would otherwise check a fresh empty file and call it clean).
enum class OpenMode { kCreateIfMissing, kExisting };

// Checks one row an answer is about to show against its id: an error (kMalformed) naming the
// row and the store when they disagree, made printable (a forged key may hold anything).
Status check_node(const NodeRow& row, const GraphStore& store);
Status check_document(const DocRow& row, const GraphStore& store);

// `spec` is a file path (SQLite) or a postgresql:// / postgres:// URI. Opening runs pending
// schema migrations (schema.h) in one transaction.
Result<std::unique_ptr<GraphStore>> open_store(std::string_view spec,
                                               OpenMode mode = OpenMode::kCreateIfMissing);

Result<std::unique_ptr<GraphStore>> open_sqlite_store(const std::string& path,
                                                      OpenMode mode = OpenMode::kCreateIfMissing);
// Defined in pg_store.cc.
Result<std::unique_ptr<GraphStore>> open_postgres_store(const std::string& uri);

}  // namespace cascade::graph
