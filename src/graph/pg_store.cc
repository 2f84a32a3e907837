// The shared store: PostgreSQL, or a PostgreSQL-compatible distributed engine (Citus, YugabyteDB,
// CockroachDB), over libpq. A document is one transaction: its source_doc row first (the UNIQUE
// sha256 makes a repeated or concurrent ingest of one document store once), nodes by
// INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING, and the bulk rows (edges, notes,
// names, signals) by text COPY FROM STDIN. Full scans stream through COPY (SELECT ...) TO STDOUT,
// with single-row mode for engines without COPY TO. The SQL stays inside the subset
// docs/graph-postgresql.md lists.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graph/pg_listener.h"
#include "graph/pg_store_internal.h"
#include "graph/schema.h"

namespace cascade::graph::pg {
namespace {

// Node rows per INSERT: round trips and statements vanish from the cost well before this, and
// the three array literals stay under a megabyte for keys of typical length.
constexpr std::size_t kNodesPerStatement = 10000;
// The remembered node ids stop growing here (about 1 GiB of table); later nodes are still
// stored, through the INSERT's own conflict check.
constexpr std::size_t kMaxRememberedIds = std::size_t{64} << 20;
// COPY data is sent in chunks of about this size: large enough that per-message overhead vanishes,
// small enough to keep memory flat for millions of rows.
constexpr std::size_t kCopyChunkBytes = std::size_t{256} * 1024;
// A first run racing another first run loses on a catalog or meta-row conflict; it retries and
// then finds the schema the winner committed.
constexpr int kMigrationAttempts = 8;

}  // namespace

Error PgStore::pg_error(std::string_view what, const PGresult* result) {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(conn());
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  // Class XX 001/002: the server found a damaged page or index. That is a finding about the
  // store (graph check reports it as one), not an I/O failure of this run.
  const bool damaged = last_sqlstate_ == "XX001" || last_sqlstate_ == "XX002";
  return make_error(damaged ? ErrorCode::kMalformed : ErrorCode::kIo,
                    std::string(what) + " (" + describe() + "): " + message);
}

Result<PgResult> PgStore::exec(const std::string& sql, std::string_view what,
                               const Params& params) {
  // Without parameters the simple protocol runs a whole migration step (several statements).
  const auto values = params.pointers();
  PgResult result(values.empty()
                      ? PQexec(conn(), sql.c_str())
                      : PQexecParams(conn(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return pg_error(what, result.get());
  return result;
}

std::string PgStore::describe() const {
  const char* user = PQuser(conn());
  const char* host = PQhost(conn());
  const char* port = PQport(conn());
  const char* db = PQdb(conn());
  const std::string host_text = host != nullptr ? host : "";
  std::string text = "postgresql://";
  if (user != nullptr && *user != '\0') text += std::string(user) + "@";
  // Never the password: this string goes into messages.
  if (host_text.empty() || host_text.front() == '/') {
    text += "/" + std::string(db != nullptr ? db : "") + "?host=" + host_text;
    if (port != nullptr && *port != '\0') text += "&port=" + std::string(port);
    return text;
  }
  text += host_text.find(':') != std::string::npos ? "[" + host_text + "]" : host_text;
  if (port != nullptr && *port != '\0') text += ":" + std::string(port);
  return text + "/" + (db != nullptr ? db : "");
}

Result<int> PgStore::read_version(const std::string& sql) {
  auto result = exec(sql, "read schema version");
  if (!result) return result.error();
  if (PQntuples(result->get()) == 0) return 0;
  const std::string_view text = PQgetvalue(result->get(), 0, 0);
  const auto version = parse_int(text);
  if (!version || *version < 0 || *version > 100000) {
    return make_error(ErrorCode::kMalformed, describe() + ": schema_version is not a number");
  }
  return static_cast<int>(*version);
}

Result<int> PgStore::schema_version() {
  return read_version("SELECT value FROM meta WHERE key = 'schema_version'");
}

Status PgStore::migrate() {
  // A store already at this version needs no transaction and no write privilege, so read-only
  // roles can trace. A missing meta table is an error here and means "migrate".
  if (auto version = schema_version(); version && *version == current_schema_version()) {
    return ok_status();
  }
  std::minstd_rand jitter(
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  for (int attempt = 1;; ++attempt) {
    auto done = migrate_once();
    if (done) return done;
    const bool lost_race = last_sqlstate_ == "23505" || last_sqlstate_ == "42P07" ||
                           last_sqlstate_ == "42710" || last_sqlstate_ == "40001" ||
                           last_sqlstate_ == "40P01";
    if (!lost_race || attempt == kMigrationAttempts) return done;
    std::this_thread::sleep_for(std::chrono::milliseconds(20LL * attempt + jitter() % 50));
  }
}

Status PgStore::migrate_once() {
  if (auto begun = exec_command("BEGIN", "begin migration"); !begun) return begun;
  auto fail = [&](Error error) -> Status {
    const std::string sqlstate = last_sqlstate_;
    (void)exec_command("ROLLBACK", "rollback migration");
    last_sqlstate_ = sqlstate;
    return error;
  };
  // The meta row, locked FOR UPDATE, serializes concurrent first runs: the second waits for the
  // first to commit and then reads the version it wrote.
  for (const char* sql :
       {"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "INSERT INTO meta (key, value) VALUES ('schema_version', '0') ON CONFLICT (key) DO "
        "NOTHING"}) {
    if (auto done = exec_command(sql, "migrate"); !done) return fail(done.error());
  }
  auto version = read_version("SELECT value FROM meta WHERE key = 'schema_version' FOR UPDATE");
  if (!version) return fail(version.error());
  const auto migrations = schema_migrations();
  if (*version > static_cast<int>(migrations.size())) {
    last_sqlstate_.clear();
    return fail(make_error(ErrorCode::kUnsupported,
                           describe() + " has schema version " + std::to_string(*version) +
                               "; this cascade knows up to " + std::to_string(migrations.size())));
  }
  for (auto step = static_cast<std::size_t>(*version); step < migrations.size(); ++step) {
    if (auto done = exec_command(std::string(migrations[step]), "migrate"); !done) {
      return fail(done.error());
    }
  }
  Params params;
  params.add(std::to_string(migrations.size()));
  if (auto done = exec("UPDATE meta SET value = $1 WHERE key = 'schema_version'",
                       "record schema version", params);
      !done) {
    return fail(done.error());
  }
  auto committed = exec("COMMIT", "commit migration");
  if (!committed) return committed.error();
  if (std::strcmp(PQcmdStatus(committed->get()), "COMMIT") != 0) {
    return make_error(ErrorCode::kIo, "migration of " + describe() + " was rolled back");
  }
  return ok_status();
}

Result<bool> PgStore::begin_document(const DocRow& doc) {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is already open");
  if (snapshot_open()) return make_error(ErrorCode::kUsage, "a snapshot is open");
  if (auto begun = exec_command("BEGIN", "begin document"); !begun) return begun.error();
  in_transaction_ = true;
  // A concurrent writer of the same document holds the sha256 key: this INSERT waits for it and
  // then inserts nothing, so RETURNING tells "already ingested" from "ours".
  Params params;
  params.add(doc.id).add(doc.sha256).add(doc.format).add(doc.path).add(doc.ingested_at);
  auto inserted = exec(
      "INSERT INTO source_doc (id, sha256, format, path, ingested_at) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (sha256) DO NOTHING RETURNING id",
      "record document", params);
  if (!inserted) {
    rollback();
    return inserted.error();
  }
  if (PQntuples(inserted->get()) == 0) {
    rollback();
    return false;
  }
  open_document_ = doc.sha256;
  return true;
}

Status PgStore::put_nodes(std::span<const NodeWrite> rows) {
  // Sorted and unique ids: concurrent writers then lock shared ids in the same order (no
  // deadlock), and no engine sees one id twice in one statement.
  std::vector<const NodeWrite*> sorted;
  sorted.reserve(rows.size());
  for (const NodeWrite& row : rows) {
    if (!stored_ids_.contains(row.id)) sorted.push_back(&row);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const NodeWrite* a, const NodeWrite* b) { return a->id < b->id; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [](const NodeWrite* a, const NodeWrite* b) { return a->id == b->id; }),
               sorted.end());
  // Three array parameters per statement, not three parameters per row: the server parses and
  // plans one short statement, and unnest hands the rows to the INSERT in array order, which
  // keeps the lock order above.
  static const std::string kInsert =
      "INSERT INTO node (id, kind, key) SELECT * FROM unnest($1::BIGINT[], $2::SMALLINT[], "
      "$3::TEXT[]) ON CONFLICT (id) DO NOTHING";
  std::string ids;
  std::string kinds;
  std::string keys;
  for (std::size_t done = 0; done < sorted.size();) {
    const std::size_t batch = std::min(kNodesPerStatement, sorted.size() - done);
    ids = "{";
    kinds = "{";
    keys = "{";
    for (std::size_t i = 0; i < batch; ++i) {
      const NodeWrite& row = *sorted[done + i];
      if (i != 0) {
        ids += ',';
        kinds += ',';
        keys += ',';
      }
      append_int(ids, row.id);
      append_int(kinds, static_cast<std::int64_t>(row.kind));
      append_array_text(keys, row.key);
    }
    ids += '}';
    kinds += '}';
    keys += '}';
    Params params;
    params.add(ids).add(kinds).add(keys);
    if (auto stored = exec(kInsert, "store nodes", params); !stored) return stored.error();
    done += batch;
  }
  if (stored_ids_.size() + pending_ids_.size() < kMaxRememberedIds) {
    for (const NodeWrite* row : sorted) pending_ids_.push_back(row->id);
  }
  return ok_status();
}

Status PgStore::finish_copy_in(std::string_view what, const char* abort_reason) {
  if (PQputCopyEnd(conn(), abort_reason) != 1) return pg_error(what, nullptr);
  Status status = ok_status();
  // The final result, then nullptr; every result must be collected before the next command.
  while (PgResult result{PQgetResult(conn())}) {
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && status) {
      status = pg_error(what, result.get());
    }
  }
  return status;
}

template <typename Row, typename Format>
Status PgStore::copy_in(const std::string& sql, std::span<const Row> rows, Format format,
                        std::string_view what) {
  if (rows.empty()) return ok_status();
  PgResult started(PQexec(conn(), sql.c_str()));
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
    return pg_error(what, started.get());
  }
  std::string chunk;
  chunk.reserve(kCopyChunkBytes + 4096);
  for (const Row& row : rows) {
    if (!format(chunk, row)) continue;
    if (chunk.size() >= kCopyChunkBytes) {
      if (PQputCopyData(conn(), chunk.data(), static_cast<int>(chunk.size())) != 1) {
        Error error = pg_error(what, nullptr);
        (void)finish_copy_in(what, "cascade: sending COPY data failed");
        return error;
      }
      chunk.clear();
    }
  }
  if (!chunk.empty() && PQputCopyData(conn(), chunk.data(), static_cast<int>(chunk.size())) != 1) {
    Error error = pg_error(what, nullptr);
    (void)finish_copy_in(what, "cascade: sending COPY data failed");
    return error;
  }
  return finish_copy_in(what, nullptr);
}

Status PgStore::put_edges(std::span<const EdgeRow> rows) {
  auto stored = copy_in(
      "COPY edge (src, dst, kind, t_from, t_until, doc) FROM STDIN", rows,
      [](std::string& out, const EdgeRow& row) {
        append_int(out, row.src);
        out += '\t';
        append_int(out, row.dst);
        out += '\t';
        append_int(out, static_cast<std::int64_t>(row.kind));
        out += '\t';
        append_copy_optional(out, row.time);
        out += '\t';
        append_copy_optional(out, row.until);
        out += '\t';
        append_int(out, row.doc);
        out += '\n';
        return true;
      },
      "store edges");
  if (!stored) return stored;
  return copy_in(
      "COPY edge_note (src, dst, kind, doc, note) FROM STDIN", rows,
      [](std::string& out, const EdgeRow& row) {
        if (row.note.empty()) return false;
        append_int(out, row.src);
        out += '\t';
        append_int(out, row.dst);
        out += '\t';
        append_int(out, static_cast<std::int64_t>(row.kind));
        out += '\t';
        append_int(out, row.doc);
        out += '\t';
        append_copy_text(out, row.note);
        out += '\n';
        return true;
      },
      "store edge notes");
}

Status PgStore::put_names(std::span<const NameRow> rows) {
  return copy_in(
      "COPY node_name (node, name, doc) FROM STDIN", rows,
      [](std::string& out, const NameRow& row) {
        append_int(out, row.node);
        out += '\t';
        append_copy_text(out, row.name);
        out += '\t';
        append_int(out, row.doc);
        out += '\n';
        return true;
      },
      "store names");
}

Status PgStore::put_signals(std::span<const SignalRow> rows) {
  return copy_in(
      "COPY signal (node, finding, severity, doc) FROM STDIN", rows,
      [](std::string& out, const SignalRow& row) {
        append_int(out, row.node);
        out += '\t';
        append_copy_text(out, row.finding);
        out += '\t';
        append_copy_text(out, row.severity);
        out += '\t';
        append_int(out, row.doc);
        out += '\n';
        return true;
      },
      "store signals");
}

Status PgStore::put_signers(std::span<const SignerRow> rows) {
  return copy_in(
      "COPY signer (node, role, sha256, sha1, serial, issuer, subject, doc) FROM STDIN", rows,
      [](std::string& out, const SignerRow& row) {
        append_int(out, row.node);
        out += '\t';
        append_int(out, static_cast<std::int64_t>(row.role));
        for (const std::string* text :
             {&row.certificate.sha256, &row.certificate.sha1, &row.certificate.serial,
              &row.certificate.issuer, &row.certificate.subject}) {
          out += '\t';
          append_copy_text(out, *text);
        }
        out += '\t';
        append_int(out, row.doc);
        out += '\n';
        return true;
      },
      "store signers");
}

Status PgStore::commit_document() {
  if (!in_transaction_) return make_error(ErrorCode::kUsage, "no document is open");
  in_transaction_ = false;
  std::vector<std::int64_t> sent = std::exchange(pending_ids_, {});
  auto committed = exec("COMMIT", "commit document");
  if (!committed) {
    (void)exec_command("ROLLBACK", "rollback");
    return committed.error();
  }
  // PostgreSQL answers COMMIT of a transaction an earlier error aborted with "ROLLBACK".
  if (std::strcmp(PQcmdStatus(committed->get()), "COMMIT") != 0) {
    return make_error(ErrorCode::kIo,
                      "the document was rolled back by " + describe() + " after an earlier error");
  }
  for (const std::int64_t id : sent) stored_ids_.insert(id);
  notify_committed(open_document_);
  return ok_status();
}

void PgStore::notify_committed(const std::string& sha256) {
  if (notify_unsupported_) return;
  Params params;
  params.add(std::string_view(kDocumentChannel)).add(sha256);
  if (exec("SELECT pg_notify($1, $2)", "notify", params)) return;
  // The document is stored whatever happens here: listeners that miss this notice find the
  // document by their poll. An engine without NOTIFY (feature not supported, no such function)
  // is not asked again.
  notify_unsupported_ = last_sqlstate_ == "0A000" || last_sqlstate_ == "42883";
}

void PgStore::rollback() {
  pending_ids_.clear();
  if (!in_transaction_) return;
  in_transaction_ = false;
  (void)exec_command("ROLLBACK", "rollback");
}

Status PgStore::open_snapshot() {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is open");
  // Repeatable read takes its snapshot at the transaction's first query, so query once now.
  if (auto begun =
          exec_command("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", "begin snapshot");
      !begun) {
    return begun;
  }
  if (auto read = exec_command("SELECT count(*) FROM meta", "begin snapshot"); !read) {
    (void)exec_command("ROLLBACK", "end snapshot");
    return read;
  }
  return ok_status();
}

Status PgStore::close_snapshot() {
  // Nothing was written: whether it ends as COMMIT or ROLLBACK (after a failed read) is alike.
  return exec_command("COMMIT", "end snapshot");
}

Status PgStore::begin_bulk() {
  // Losing the last commits of a first load in a server crash is acceptable (the load is re-run);
  // waiting for each commit's WAL flush is not. Engines without the setting keep their default.
  if (!in_transaction_) (void)exec_command("SET synchronous_commit TO off", "bulk mode");
  return ok_status();
}

Status PgStore::end_bulk() {
  if (!in_transaction_) {
    (void)exec_command(durable_ ? "SET synchronous_commit TO on" : "RESET synchronous_commit",
                       "end bulk mode");
  }
  return ok_status();
}

Status PgStore::make_commits_durable() {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is open");
  durable_ = true;
  // An engine without the setting keeps its own (distributed engines commit to a quorum).
  (void)exec_command("SET synchronous_commit TO on", "durable commits");
  return ok_status();
}

}  // namespace cascade::graph::pg

namespace cascade::graph {

Result<std::unique_ptr<GraphStore>> open_postgres_store(const std::string& uri) {
  // The URI's own settings win over these defaults (expand_dbname applies it after them); a
  // connect timeout keeps an unreachable server from hanging the CLI.
  std::vector<const char*> keywords = {"fallback_application_name"};
  std::vector<const char*> values = {"cascade"};
  if (std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
    keywords.push_back("connect_timeout");
    values.push_back("15");
  }
  keywords.push_back("dbname");
  values.push_back(uri.c_str());
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  pg::Connection connection(PQconnectdbParams(keywords.data(), values.data(), 1));
  if (!connection) return make_error(ErrorCode::kIo, "cannot connect to PostgreSQL: out of memory");
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    // libpq's message names the host and port but never the password.
    std::string message = PQerrorMessage(connection.get());
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return make_error(ErrorCode::kIo, "cannot connect to PostgreSQL: " + message);
  }
  if (PQsetClientEncoding(connection.get(), "UTF8") != 0) {
    return make_error(ErrorCode::kIo, "PostgreSQL refused client_encoding UTF8: " +
                                          std::string(PQerrorMessage(connection.get())));
  }
  auto store = std::make_unique<pg::PgStore>(std::move(connection));
  if (auto migrated = store->migrate(); !migrated) return migrated.error();
  return std::unique_ptr<GraphStore>(std::move(store));
}

}  // namespace cascade::graph
