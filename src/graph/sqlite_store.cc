// The embedded store: one SQLite file. Writes are one transaction per document with prepared,
// multi-row INSERTs; reads are plain table scans (the traversal needs every edge, in any order).
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "core/input_file.h"
#include "core/sqlite_handles.h"
#include "graph/id_set.h"
#include "graph/schema.h"
#include "graph/sqlite_checkpointer.h"
#include "graph/store.h"

namespace cascade::graph {
namespace {

using sqlite::Db;
using sqlite::Statement;

// Rows per multi-row INSERT: the unrolled form is SQLite's fastest bound-parameter insert, and
// 128 rows x 6 columns stays far below SQLITE_MAX_VARIABLE_NUMBER.
constexpr std::size_t kRowsPerInsert = 128;

// The remembered node ids stop growing here (about 1 GiB of table); later nodes are still
// stored, through the INSERT's own conflict check.
constexpr std::size_t kMaxRememberedIds = std::size_t{64} << 20;

// SQLite's own checkpoint threshold (pages), for a connection without the checkpoint thread.
constexpr int kSqliteDefaultAutocheckpoint = 1000;

class SqliteStore final : public GraphStore {
 public:
  SqliteStore(Db db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  Status migrate();

  Result<bool> begin_document(const DocRow& doc) override;
  using GraphStore::put_nodes;
  Status put_nodes(std::span<const NodeWrite> rows) override;
  Status put_edges(std::span<const EdgeRow> rows) override;
  Status put_names(std::span<const NameRow> rows) override;
  Status put_signals(std::span<const SignalRow> rows) override;
  Status put_signers(std::span<const SignerRow> rows) override;
  Status commit_document() override;
  void rollback() override;
  Status begin_bulk() override;
  Status end_bulk() override;
  Status make_commits_durable() override;

  Status scan_nodes(const std::function<void(std::int64_t, NodeKind)>& visit) override;
  Status scan_edges(const std::function<void(const EdgeRow&)>& visit) override;
  Result<std::optional<NodeRow>> find_node(std::int64_t id) override;
  Result<std::vector<std::string>> node_names(std::int64_t id, std::size_t limit) override;
  Result<std::optional<DocRow>> find_document(std::int64_t id) override;
  Result<std::string> edge_note(const EdgeRow& edge) override;
  Result<std::vector<SignalRow>> all_signals() override;
  Status scan_signers(const std::function<void(const SignerRow&)>& visit) override;
  Result<StoreCounts> counts() override;
  Result<std::int64_t> document_count() override;
  Result<int> schema_version() override;
  Result<EngineCheck> engine_check(std::size_t max_problems) override;
  Status scan_node_rows(
      const std::function<void(std::int64_t, std::int64_t, std::string_view)>& visit) override;
  Status scan_documents(const std::function<void(const DocRow&)>& visit) override;
  Result<bool> put_token(const TokenRow& row) override;
  Result<std::vector<TokenRow>> tokens() override;
  Result<bool> revoke_token(std::string_view name, std::int64_t at) override;
  Status put_audit(const AuditRow& row) override;
  Result<std::vector<NodeRow>> search_nodes(std::string_view text, std::size_t limit) override;
  std::string describe() const override { return "sqlite:" + path_; }

 protected:
  Status open_snapshot() override;
  Status close_snapshot() override;

 private:
  Error sql_error(std::string_view what) const {
    // A damaged file is a finding about the store (graph check reports it as one), not an I/O
    // failure of this run.
    const int primary = sqlite3_errcode(db_.get()) & 0xff;
    const bool damaged = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
    return make_error(damaged ? ErrorCode::kMalformed : ErrorCode::kIo,
                      std::string(what) + " (" + describe() + "): " + sqlite3_errmsg(db_.get()));
  }
  // Undoing a failed transaction: the original error is what the caller reports.
  void rollback_quietly() { sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr); }
  Status exec(const char* sql, std::string_view what) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return sql_error(what);
    }
    return ok_status();
  }
  Result<sqlite3_stmt*> prepared(std::string_view sql);
  Status step_done(sqlite3_stmt* statement, std::string_view what);
  // One statement in a transaction of its own (tokens, audit rows): the number of rows changed.
  Result<int> write_alone(sqlite3_stmt* statement, std::string_view what);
  // Inserts rows through "INSERT ... VALUES" with `columns` placeholders per row, kRowsPerInsert
  // rows a statement, binding each row with `bind(statement, first_parameter, row)`.
  template <typename Row, typename Bind>
  Status insert_rows(std::string_view head, std::string_view tail, int columns,
                     std::span<const Row> rows, Bind bind, std::string_view what);
  Result<std::string> pragma_value(const char* pragma);
  // Moves checkpoints to their own thread, once, when the store is first written in WAL mode.
  void start_checkpointer();
  static int on_wal_commit(void* store, sqlite3* /*db*/, const char* /*name*/, int frames) {
    static_cast<SqliteStore*>(store)->wal_frames_ = frames;
    return SQLITE_OK;
  }

  Db db_;
  std::string path_;
  bool checkpointer_tried_ = false;
  int wal_frames_ = 0;  // the WAL's length after the last commit
  // Declared after db_, so destroyed first: its pass finishes before this connection closes.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::map<std::string, Statement, std::less<>> statements_;
  bool in_transaction_ = false;
  const char* synchronous_ = "PRAGMA synchronous=NORMAL";  // outside bulk mode
  // Node ids this connection has seen stored. Nodes are never deleted, so a node named again by
  // a later document (every host is, many times over) needs no insert: in a bulk load most node
  // rows are such repeats, and the set probe costs far less than the INSERT's index search.
  // Ids written by the open transaction wait in pending_ids_ until it commits.
  IdSet stored_ids_;
  std::vector<std::int64_t> pending_ids_;
};

Result<sqlite3_stmt*> SqliteStore::prepared(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) {
    sqlite3_reset(found->second.get());
    sqlite3_clear_bindings(found->second.get());
    return found->second.get();
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK) {
    return sql_error("prepare");
  }
  Statement statement(raw);
  auto [position, inserted] = statements_.emplace(std::string(sql), std::move(statement));
  return position->second.get();
}

Status SqliteStore::step_done(sqlite3_stmt* statement, std::string_view what) {
  const int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return sql_error(what);
  return ok_status();
}

void bind_optional(sqlite3_stmt* statement, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    sqlite3_bind_int64(statement, index, *value);
  } else {
    sqlite3_bind_null(statement, index);
  }
}

void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string_view column_text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column))};
}

std::optional<std::int64_t> column_optional(sqlite3_stmt* statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement, column);
}

template <typename Row, typename Bind>
Status SqliteStore::insert_rows(std::string_view head, std::string_view tail, int columns,
                                std::span<const Row> rows, Bind bind, std::string_view what) {
  std::string placeholders = "(";
  for (int c = 0; c < columns; ++c) placeholders += c == 0 ? "?" : ",?";
  placeholders += ")";
  auto statement_for = [&](std::size_t batch) {
    std::string sql(head);
    sql.reserve(head.size() + batch * (placeholders.size() + 1) + tail.size());
    for (std::size_t i = 0; i < batch; ++i) {
      if (i != 0) sql += ',';
      sql += placeholders;
    }
    sql += tail;
    return prepared(sql);
  };
  // One statement for all the full batches of this call, built and looked up once.
  sqlite3_stmt* full = nullptr;
  std::size_t done = 0;
  while (done < rows.size()) {
    const std::size_t batch = std::min(kRowsPerInsert, rows.size() - done);
    sqlite3_stmt* statement = batch == kRowsPerInsert ? full : nullptr;
    if (statement == nullptr) {
      auto made = statement_for(batch);
      if (!made) return made.error();
      statement = *made;
      if (batch == kRowsPerInsert) full = statement;
    }
    for (std::size_t i = 0; i < batch; ++i) {
      bind(statement, static_cast<int>(i) * columns + 1, rows[done + i]);
    }
    if (auto stepped = step_done(statement, what); !stepped) return stepped;
    done += batch;
  }
  return ok_status();
}

Status SqliteStore::migrate() {
  // A large page cache makes the full-table scans of a load cheap. Reads are not memory-mapped:
  // a load touches the whole file, and mapped pages would count a second copy of the store in
  // the process's memory (1.1 GB more peak at 20 million edges) for no measurable speed.
  // 16 KiB pages for a new file (an existing one keeps its size): a commit writes a quarter as
  // many pages, and a 20-million-edge ingest measured 14% faster than with the 4 KiB default
  // (medians of three alternating runs); 32 KiB was not clearly faster there and made the
  // random lookups of a trace's answer slower.
  for (const char* pragma :
       {"PRAGMA busy_timeout=30000", "PRAGMA page_size=16384", "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-262144", "PRAGMA temp_store=MEMORY",
        "PRAGMA mmap_size=0", "PRAGMA secure_delete=OFF"}) {
    // Two first opens at once see SQLITE_BUSY while one switches the new file to WAL.
    if (sqlite::exec_retrying(db_.get(), pragma) != SQLITE_OK) return sql_error("configure");
  }
  if (auto done = exec("BEGIN IMMEDIATE", "begin migration"); !done) return done;
  auto fail = [&](Error error) -> Status {
    rollback_quietly();
    return error;
  };
  if (auto done =
          exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
               "create meta");
      !done) {
    return fail(done.error());
  }
  auto version = schema_version();
  if (!version) return fail(version.error());
  const auto migrations = schema_migrations();
  if (*version > static_cast<int>(migrations.size())) {
    return fail(make_error(ErrorCode::kUnsupported,
                           describe() + " has schema version " + std::to_string(*version) +
                               "; this cascade knows up to " + std::to_string(migrations.size())));
  }
  for (auto step = static_cast<std::size_t>(*version); step < migrations.size(); ++step) {
    if (auto done = exec(std::string(migrations[step]).c_str(), "migrate"); !done) {
      return fail(done.error());
    }
  }
  if (static_cast<std::size_t>(*version) != migrations.size()) {
    const std::string update = "INSERT INTO meta (key, value) VALUES ('schema_version', '" +
                               std::to_string(migrations.size()) +
                               "') ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    if (auto done = exec(update.c_str(), "record schema version"); !done) return fail(done.error());
  }
  return exec("COMMIT", "commit migration");
}

Result<int> SqliteStore::schema_version() {
  auto statement = prepared("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!statement) return statement.error();
  const int rc = sqlite3_step(*statement);
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) return sql_error("read schema version");
  const std::string text(column_text(*statement, 0));
  sqlite3_reset(*statement);
  int version = 0;
  for (const char c : text) {
    if (c < '0' || c > '9' || version > 100000) {
      return make_error(ErrorCode::kMalformed, describe() + ": schema_version is not a number");
    }
    version = version * 10 + (c - '0');
  }
  return version;
}

Result<std::string> SqliteStore::pragma_value(const char* pragma) {
  auto statement = prepared(pragma);
  if (!statement) return statement.error();
  if (sqlite3_step(*statement) != SQLITE_ROW) return sql_error(pragma);
  std::string value(column_text(*statement, 0));
  sqlite3_reset(*statement);
  return value;
}

void SqliteStore::start_checkpointer() {
  checkpointer_tried_ = true;
  auto mode = pragma_value("PRAGMA journal_mode");
  auto page_size = pragma_value("PRAGMA page_size");
  if (!mode || *mode != "wal" || !page_size) return;  // bulk mode or a read-only file: SQLite's own
  checkpointer_ = WalCheckpointer::start(path_, std::atoll(page_size->c_str()));
  // The hook replaces SQLite's automatic checkpoints on this connection.
  if (checkpointer_) sqlite3_wal_hook(db_.get(), &SqliteStore::on_wal_commit, this);
}

Result<bool> SqliteStore::begin_document(const DocRow& doc) {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is already open");
  if (snapshot_open()) return make_error(ErrorCode::kUsage, "a snapshot is open");
  if (!checkpointer_tried_) start_checkpointer();
  if (auto done = exec("BEGIN IMMEDIATE", "begin document"); !done) return done.error();
  in_transaction_ = true;
  auto statement = prepared(
      "INSERT INTO source_doc (id, sha256, format, path, ingested_at) VALUES (?,?,?,?,?) "
      "ON CONFLICT (sha256) DO NOTHING");
  if (!statement) {
    rollback();
    return statement.error();
  }
  sqlite3_bind_int64(*statement, 1, doc.id);
  bind_text(*statement, 2, doc.sha256);
  bind_text(*statement, 3, doc.format);
  bind_text(*statement, 4, doc.path);
  sqlite3_bind_int64(*statement, 5, doc.ingested_at);
  if (auto done = step_done(*statement, "record document"); !done) {
    rollback();
    return done.error();
  }
  if (sqlite3_changes(db_.get()) == 0) {
    rollback();
    return false;
  }
  return true;
}

Status SqliteStore::put_nodes(std::span<const NodeWrite> rows) {
  std::vector<const NodeWrite*> fresh;
  fresh.reserve(rows.size());
  for (const NodeWrite& row : rows) {
    if (!stored_ids_.contains(row.id)) fresh.push_back(&row);
  }
  auto stored = insert_rows(
      "INSERT INTO node (id, kind, key) VALUES ", " ON CONFLICT (id) DO NOTHING", 3,
      std::span<const NodeWrite* const>(fresh),
      [](sqlite3_stmt* s, int i, const NodeWrite* row) {
        sqlite3_bind_int64(s, i, row->id);
        sqlite3_bind_int(s, i + 1, static_cast<int>(row->kind));
        bind_text(s, i + 2, row->key);
      },
      "store nodes");
  if (!stored) return stored;
  if (stored_ids_.size() + pending_ids_.size() < kMaxRememberedIds) {
    for (const NodeWrite* row : fresh) pending_ids_.push_back(row->id);
  }
  return ok_status();
}

Status SqliteStore::put_edges(std::span<const EdgeRow> rows) {
  auto stored = insert_rows(
      "INSERT INTO edge (src, dst, kind, t_from, t_until, doc) VALUES ", "", 6, rows,
      [](sqlite3_stmt* s, int i, const EdgeRow& row) {
        sqlite3_bind_int64(s, i, row.src);
        sqlite3_bind_int64(s, i + 1, row.dst);
        sqlite3_bind_int(s, i + 2, static_cast<int>(row.kind));
        bind_optional(s, i + 3, row.time);
        bind_optional(s, i + 4, row.until);
        sqlite3_bind_int64(s, i + 5, row.doc);
      },
      "store edges");
  if (!stored) return stored;
  for (const EdgeRow& row : rows) {
    if (row.note.empty()) continue;
    auto statement =
        prepared("INSERT INTO edge_note (src, dst, kind, doc, note) VALUES (?,?,?,?,?)");
    if (!statement) return statement.error();
    sqlite3_bind_int64(*statement, 1, row.src);
    sqlite3_bind_int64(*statement, 2, row.dst);
    sqlite3_bind_int(*statement, 3, static_cast<int>(row.kind));
    sqlite3_bind_int64(*statement, 4, row.doc);
    bind_text(*statement, 5, row.note);
    if (auto done = step_done(*statement, "store edge note"); !done) return done;
  }
  return ok_status();
}

Status SqliteStore::put_names(std::span<const NameRow> rows) {
  return insert_rows(
      "INSERT INTO node_name (node, name, doc) VALUES ", "", 3, rows,
      [](sqlite3_stmt* s, int i, const NameRow& row) {
        sqlite3_bind_int64(s, i, row.node);
        bind_text(s, i + 1, row.name);
        sqlite3_bind_int64(s, i + 2, row.doc);
      },
      "store names");
}

Status SqliteStore::put_signals(std::span<const SignalRow> rows) {
  return insert_rows(
      "INSERT INTO signal (node, finding, severity, doc) VALUES ", "", 4, rows,
      [](sqlite3_stmt* s, int i, const SignalRow& row) {
        sqlite3_bind_int64(s, i, row.node);
        bind_text(s, i + 1, row.finding);
        bind_text(s, i + 2, row.severity);
        sqlite3_bind_int64(s, i + 3, row.doc);
      },
      "store signals");
}

Status SqliteStore::put_signers(std::span<const SignerRow> rows) {
  return insert_rows(
      "INSERT INTO signer (node, role, sha256, sha1, serial, issuer, subject, doc) VALUES ", "", 8,
      rows,
      [](sqlite3_stmt* s, int i, const SignerRow& row) {
        sqlite3_bind_int64(s, i, row.node);
        sqlite3_bind_int(s, i + 1, static_cast<int>(row.role));
        bind_text(s, i + 2, row.certificate.sha256);
        bind_text(s, i + 3, row.certificate.sha1);
        bind_text(s, i + 4, row.certificate.serial);
        bind_text(s, i + 5, row.certificate.issuer);
        bind_text(s, i + 6, row.certificate.subject);
        sqlite3_bind_int64(s, i + 7, row.doc);
      },
      "store signers");
}

Status SqliteStore::commit_document() {
  if (!in_transaction_) return make_error(ErrorCode::kUsage, "no document is open");
  in_transaction_ = false;
  if (auto done = exec("COMMIT", "commit document"); !done) {
    rollback_quietly();
    pending_ids_.clear();
    return done;
  }
  for (const std::int64_t id : pending_ids_) stored_ids_.insert(id);
  pending_ids_.clear();
  if (checkpointer_) checkpointer_->committed(wal_frames_);
  return ok_status();
}

void SqliteStore::rollback() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  pending_ids_.clear();
  rollback_quietly();
}

Status SqliteStore::begin_bulk() {
  if (snapshot_open()) return make_error(ErrorCode::kUsage, "a snapshot is open");
  // A first load into a fresh file: a crash mid-load leaves a file to delete, not a corrupt
  // inventory someone relies on, so durability can wait until end_bulk. The journal stays, in
  // memory: without one a failed document could not be rolled back, and the next file's
  // ingest would go on over its half. Leaving WAL mode needs the only connection to the file.
  checkpointer_.reset();
  checkpointer_tried_ = false;
  sqlite3_wal_autocheckpoint(db_.get(), kSqliteDefaultAutocheckpoint);
  if (auto done = exec("PRAGMA journal_mode=MEMORY", "bulk mode"); !done) return done;
  return exec("PRAGMA synchronous=OFF", "bulk mode");
}

Status SqliteStore::end_bulk() {
  if (auto done = exec(synchronous_, "end bulk mode"); !done) return done;
  return exec("PRAGMA journal_mode=WAL", "end bulk mode");
}

Status SqliteStore::make_commits_durable() {
  synchronous_ = "PRAGMA synchronous=FULL";
  return exec(synchronous_, "durable commits");
}

Status SqliteStore::open_snapshot() {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is open");
  // A deferred transaction takes its WAL snapshot at its first read, so read once now. Outside
  // a transaction each statement would take and drop the file's lock itself (two fcntl calls and
  // an fstat a lookup, measurable over the million lookups of a large answer).
  if (auto begun = exec("BEGIN", "begin snapshot"); !begun) return begun;
  if (auto read = exec("SELECT count(*) FROM meta", "begin snapshot"); !read) {
    rollback_quietly();
    return read;
  }
  return ok_status();
}

Status SqliteStore::close_snapshot() {
  if (auto done = exec("COMMIT", "end snapshot"); !done) {
    rollback_quietly();
    return done;
  }
  return ok_status();
}

Status SqliteStore::scan_nodes(const std::function<void(std::int64_t, NodeKind)>& visit) {
  auto statement = prepared("SELECT id, kind FROM node");
  if (!statement) return statement.error();
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    const int kind = sqlite3_column_int(*statement, 1);
    if (kind < 0 || kind >= kNodeKindCount) continue;  // a row a newer writer added: skip
    visit(sqlite3_column_int64(*statement, 0), static_cast<NodeKind>(kind));
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read nodes");
  return ok_status();
}

Status SqliteStore::scan_edges(const std::function<void(const EdgeRow&)>& visit) {
  auto statement = prepared("SELECT src, dst, kind, t_from, t_until, doc FROM edge");
  if (!statement) return statement.error();
  int rc = 0;
  EdgeRow row;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    const int kind = sqlite3_column_int(*statement, 2);
    if (kind < 0 || kind >= kEdgeKindCount) continue;
    row.src = sqlite3_column_int64(*statement, 0);
    row.dst = sqlite3_column_int64(*statement, 1);
    row.kind = static_cast<EdgeKind>(kind);
    row.time = column_optional(*statement, 3);
    row.until = column_optional(*statement, 4);
    row.doc = sqlite3_column_int64(*statement, 5);
    visit(row);
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read edges");
  return ok_status();
}

Result<std::optional<NodeRow>> SqliteStore::find_node(std::int64_t id) {
  auto statement = prepared("SELECT kind, key FROM node WHERE id = ?");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, id);
  const int rc = sqlite3_step(*statement);
  std::optional<NodeRow> row;
  if (rc == SQLITE_ROW) {
    const int kind = sqlite3_column_int(*statement, 0);
    if (kind >= 0 && kind < kNodeKindCount) {
      row = NodeRow{id, static_cast<NodeKind>(kind), std::string(column_text(*statement, 1))};
    }
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_error("read node");
  return row;
}

Result<std::vector<std::string>> SqliteStore::node_names(std::int64_t id, std::size_t limit) {
  auto statement =
      prepared("SELECT DISTINCT name FROM node_name WHERE node = ? ORDER BY name LIMIT ?");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, id);
  sqlite3_bind_int64(*statement, 2, static_cast<std::int64_t>(limit));
  std::vector<std::string> names;
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    names.emplace_back(column_text(*statement, 0));
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read names");
  return names;
}

Result<std::optional<DocRow>> SqliteStore::find_document(std::int64_t id) {
  auto statement =
      prepared("SELECT sha256, format, path, ingested_at FROM source_doc WHERE id = ?");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, id);
  const int rc = sqlite3_step(*statement);
  std::optional<DocRow> row;
  if (rc == SQLITE_ROW) {
    row =
        DocRow{id, std::string(column_text(*statement, 0)), std::string(column_text(*statement, 1)),
               std::string(column_text(*statement, 2)), sqlite3_column_int64(*statement, 3)};
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_error("read document");
  return row;
}

Result<std::string> SqliteStore::edge_note(const EdgeRow& edge) {
  auto statement = prepared(
      "SELECT note FROM edge_note WHERE src = ? AND dst = ? AND kind = ? AND doc = ? LIMIT 1");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, edge.src);
  sqlite3_bind_int64(*statement, 2, edge.dst);
  sqlite3_bind_int(*statement, 3, static_cast<int>(edge.kind));
  sqlite3_bind_int64(*statement, 4, edge.doc);
  const int rc = sqlite3_step(*statement);
  std::string note;
  if (rc == SQLITE_ROW) note = column_text(*statement, 0);
  sqlite3_reset(*statement);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_error("read edge note");
  return note;
}

Result<std::vector<SignalRow>> SqliteStore::all_signals() {
  auto statement = prepared("SELECT node, finding, severity, doc FROM signal");
  if (!statement) return statement.error();
  std::vector<SignalRow> signals;
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    signals.push_back(
        SignalRow{sqlite3_column_int64(*statement, 0), std::string(column_text(*statement, 1)),
                  std::string(column_text(*statement, 2)), sqlite3_column_int64(*statement, 3)});
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read signals");
  return signals;
}

Status SqliteStore::scan_signers(const std::function<void(const SignerRow&)>& visit) {
  auto statement =
      prepared("SELECT node, role, sha256, sha1, serial, issuer, subject, doc FROM signer");
  if (!statement) return statement.error();
  int rc = 0;
  SignerRow row;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    const int role = sqlite3_column_int(*statement, 1);
    if (role < 0 || role >= kCertificateRoleCount) continue;  // a newer writer's: skip
    row.node = sqlite3_column_int64(*statement, 0);
    row.role = static_cast<CertificateRole>(role);
    row.certificate.sha256 = column_text(*statement, 2);
    row.certificate.sha1 = column_text(*statement, 3);
    row.certificate.serial = column_text(*statement, 4);
    row.certificate.issuer = column_text(*statement, 5);
    row.certificate.subject = column_text(*statement, 6);
    row.doc = sqlite3_column_int64(*statement, 7);
    visit(row);
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read signers");
  return ok_status();
}

Result<EngineCheck> SqliteStore::engine_check(std::size_t max_problems) {
  EngineCheck check;
  // integrity_check stops after N messages; asking for one more tells whether it was cut.
  const std::size_t asked = std::max<std::size_t>(1, max_problems) + 1;
  const std::string integrity = "PRAGMA integrity_check(" + std::to_string(asked) + ")";
  check.checks.emplace_back("PRAGMA integrity_check");
  auto statement = prepared(integrity);
  if (!statement) return statement.error();
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    const std::string_view message = column_text(*statement, 0);
    if (message == "ok") continue;
    if (check.problems.size() < max_problems) {
      check.problems.emplace_back(message);
    } else {
      check.truncated = true;
    }
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("integrity check");
  // The schema declares no foreign keys (graph check's own reference checks stand in for them),
  // but a store whose schema was edited to add some is held to them.
  check.checks.emplace_back("PRAGMA foreign_key_check");
  auto keys = prepared("PRAGMA foreign_key_check");
  if (!keys) return keys.error();
  while ((rc = sqlite3_step(*keys)) == SQLITE_ROW) {
    if (check.problems.size() >= max_problems) {
      check.truncated = true;
      continue;
    }
    check.problems.push_back("row " + std::to_string(sqlite3_column_int64(*keys, 1)) + " of " +
                             std::string(column_text(*keys, 0)) + " refers to a missing row of " +
                             std::string(column_text(*keys, 2)));
  }
  sqlite3_reset(*keys);
  if (rc != SQLITE_DONE) return sql_error("foreign key check");
  return check;
}

Status SqliteStore::scan_node_rows(
    const std::function<void(std::int64_t, std::int64_t, std::string_view)>& visit) {
  auto statement = prepared("SELECT id, kind, key FROM node");
  if (!statement) return statement.error();
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    visit(sqlite3_column_int64(*statement, 0), sqlite3_column_int64(*statement, 1),
          column_text(*statement, 2));
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read nodes");
  return ok_status();
}

Status SqliteStore::scan_documents(const std::function<void(const DocRow&)>& visit) {
  auto statement = prepared("SELECT id, sha256, format, path, ingested_at FROM source_doc");
  if (!statement) return statement.error();
  int rc = 0;
  DocRow row;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    row.id = sqlite3_column_int64(*statement, 0);
    row.sha256 = column_text(*statement, 1);
    row.format = column_text(*statement, 2);
    row.path = column_text(*statement, 3);
    row.ingested_at = sqlite3_column_int64(*statement, 4);
    visit(row);
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read documents");
  return ok_status();
}

Result<StoreCounts> SqliteStore::counts() {
  StoreCounts counts;
  const std::array<std::pair<const char*, std::int64_t*>, 4> queries = {{
      {"SELECT count(*) FROM source_doc", &counts.documents},
      {"SELECT count(*) FROM node", &counts.nodes},
      {"SELECT count(*) FROM edge", &counts.edges},
      {"SELECT count(*) FROM signal", &counts.signals},
  }};
  for (const auto& [sql, target] : queries) {
    auto statement = prepared(sql);
    if (!statement) return statement.error();
    if (sqlite3_step(*statement) != SQLITE_ROW) return sql_error("count");
    *target = sqlite3_column_int64(*statement, 0);
    sqlite3_reset(*statement);
  }
  return counts;
}

Result<std::int64_t> SqliteStore::document_count() {
  auto statement = prepared("SELECT count(*) FROM source_doc");
  if (!statement) return statement.error();
  if (sqlite3_step(*statement) != SQLITE_ROW) return sql_error("count documents");
  const std::int64_t count = sqlite3_column_int64(*statement, 0);
  sqlite3_reset(*statement);
  return count;
}

Result<int> SqliteStore::write_alone(sqlite3_stmt* statement, std::string_view what) {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is open");
  if (snapshot_open()) return make_error(ErrorCode::kUsage, "a snapshot is open");
  // Autocommit: the statement is its own transaction, waiting out a writer by the busy timeout.
  if (auto done = step_done(statement, what); !done) return done.error();
  return sqlite3_changes(db_.get());
}

Result<bool> SqliteStore::put_token(const TokenRow& row) {
  auto statement = prepared(
      "INSERT INTO token (id, name, scope, sha256, created, revoked) VALUES (?,?,?,?,?,NULL) "
      "ON CONFLICT DO NOTHING");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, row.id);
  bind_text(*statement, 2, row.name);
  bind_text(*statement, 3, token_scope_name(row.scope));
  bind_text(*statement, 4, row.sha256);
  sqlite3_bind_int64(*statement, 5, row.created);
  auto changed = write_alone(*statement, "store token");
  if (!changed) return changed.error();
  return *changed == 1;
}

Result<std::vector<TokenRow>> SqliteStore::tokens() {
  auto statement =
      prepared("SELECT id, name, scope, sha256, created, revoked FROM token ORDER BY name");
  if (!statement) return statement.error();
  std::vector<TokenRow> rows;
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    const auto scope = token_scope_from_name(column_text(*statement, 2));
    if (!scope) continue;  // a newer writer's scope: not one this build can enforce
    rows.push_back(TokenRow{sqlite3_column_int64(*statement, 0),
                            std::string(column_text(*statement, 1)), *scope,
                            std::string(column_text(*statement, 3)),
                            sqlite3_column_int64(*statement, 4), column_optional(*statement, 5)});
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("read tokens");
  return rows;
}

Result<bool> SqliteStore::revoke_token(std::string_view name, std::int64_t at) {
  auto statement = prepared("UPDATE token SET revoked = ? WHERE name = ? AND revoked IS NULL");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, at);
  bind_text(*statement, 2, name);
  auto changed = write_alone(*statement, "revoke token");
  if (!changed) return changed.error();
  return *changed == 1;
}

Status SqliteStore::put_audit(const AuditRow& row) {
  auto statement = prepared(
      "INSERT INTO audit (logged_at, token, address, method, route, document, status) VALUES "
      "(?,?,?,?,?,?,?)");
  if (!statement) return statement.error();
  sqlite3_bind_int64(*statement, 1, row.at);
  bind_text(*statement, 2, row.token);
  bind_text(*statement, 3, row.address);
  bind_text(*statement, 4, row.method);
  bind_text(*statement, 5, row.route);
  bind_text(*statement, 6, row.document);
  sqlite3_bind_int(*statement, 7, row.status);
  auto changed = write_alone(*statement, "store audit row");
  if (!changed) return changed.error();
  return ok_status();
}

Result<std::vector<NodeRow>> SqliteStore::search_nodes(std::string_view text, std::size_t limit) {
  // instr() compares bytes, as PostgreSQL's strpos() does: LIKE would fold ASCII case here only.
  // The rows are chosen by id and then put in key order, as the PostgreSQL store does.
  auto statement = prepared(
      "SELECT id, kind, key FROM node WHERE instr(key, ?1) > 0 OR id IN (SELECT node FROM "
      "node_name WHERE instr(name, ?1) > 0) ORDER BY id LIMIT ?2");
  if (!statement) return statement.error();
  bind_text(*statement, 1, text);
  sqlite3_bind_int64(*statement, 2, static_cast<std::int64_t>(limit));
  std::vector<NodeRow> rows;
  int rc = 0;
  while ((rc = sqlite3_step(*statement)) == SQLITE_ROW) {
    const int kind = sqlite3_column_int(*statement, 1);
    if (kind < 0 || kind >= kNodeKindCount) continue;
    rows.push_back(NodeRow{sqlite3_column_int64(*statement, 0), static_cast<NodeKind>(kind),
                           std::string(column_text(*statement, 2))});
  }
  sqlite3_reset(*statement);
  if (rc != SQLITE_DONE) return sql_error("search nodes");
  std::sort(rows.begin(), rows.end(),
            [](const NodeRow& a, const NodeRow& b) { return a.key < b.key; });
  return rows;
}

}  // namespace

Result<std::unique_ptr<GraphStore>> open_sqlite_store(const std::string& path, OpenMode mode) {
  // An existing store must be a regular file (SQLite would fail on a FIFO or device only after
  // opening it, with "disk I/O error"); a missing one is created when the mode allows.
  if (struct stat st{}; ::stat(path.c_str(), &st) == 0) {
    // A regular file is not opened here: closing any descriptor of the file drops every POSIX
    // lock this process holds on it, those of its connections already open included (a server
    // opens several), and another process could then take the file for its own and delete the
    // write-ahead log under them. Only what is not a regular file is opened, to be named.
    if (S_ISREG(st.st_mode)) {
      if (::access(path.c_str(), R_OK) != 0) {
        return make_error(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
      }
    } else if (auto file = InputFile::open(path); !file) {
      return make_error(ErrorCode::kIo, "cannot open " + path + ": " + file.error().message);
    }
  } else if (mode == OpenMode::kExisting) {
    // Said as the system says it; SQLite would only report "unable to open database file".
    return make_error(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  sqlite3* raw = nullptr;
  const int create = mode == OpenMode::kCreateIfMissing ? SQLITE_OPEN_CREATE : 0;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::kIo, "cannot open " + path + ": " +
                                          (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  auto store = std::make_unique<SqliteStore>(std::move(db), path);
  if (auto migrated = store->migrate(); !migrated) return migrated.error();
  return std::unique_ptr<GraphStore>(std::move(store));
}

}  // namespace cascade::graph
