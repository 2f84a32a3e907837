// The shared store: PostgreSQL, or a PostgreSQL-compatible distributed engine (Citus, YugabyteDB,
// CockroachDB), over libpq. A document is one transaction: its source_doc row first (the UNIQUE
// sha256 makes a repeated or concurrent ingest of one document store once), nodes by multi-row
// INSERT ... ON CONFLICT DO NOTHING, and the bulk rows (edges, notes, names, signals) by text
// COPY FROM STDIN. Full scans stream through COPY (SELECT ...) TO STDOUT, with single-row mode
// for engines without COPY TO. The SQL stays inside the subset docs/graph-postgresql.md lists.
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graph/schema.h"
#include "graph/store.h"

namespace cascade::graph {
namespace {

struct ConnectionCloser {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
struct ResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
struct CopyBufferFreer {
  void operator()(char* buffer) const { PQfreemem(buffer); }
};
using Connection = std::unique_ptr<PGconn, ConnectionCloser>;
using PgResult = std::unique_ptr<PGresult, ResultClearer>;
using CopyBuffer = std::unique_ptr<char, CopyBufferFreer>;

// Node rows per INSERT (3 parameters each; the protocol allows 65535 parameters).
constexpr std::size_t kNodesPerInsert = 1000;
// COPY data is sent in chunks of about this size: large enough that per-message overhead vanishes,
// small enough to keep memory flat for millions of rows.
constexpr std::size_t kCopyChunkBytes = std::size_t{256} * 1024;
// A first run racing another first run loses on a catalog or meta-row conflict; it retries and
// then finds the schema the winner committed.
constexpr int kMigrationAttempts = 8;

// PostgreSQL text is UTF-8 without NUL bytes, where SQLite stores any bytes. Returns the length of
// the valid UTF-8 sequence at s[i] (0 for NUL or an invalid sequence), with the same rules as
// the server (no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead == 0) return 0;
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  const auto second = static_cast<unsigned char>(s[i + 1]);
  if (second < low || second > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if (next < 0x80 || next > 0xBF) return 0;
  }
  return length;
}

// The text as the server will accept it: unchanged when it is valid UTF-8 without NUL (the usual
// case, no copy), else with each bad byte replaced by U+FFFD so one hostile name cannot make a
// whole document fail to store.
std::string_view server_text(std::string_view text, std::string& scratch) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) break;
    i += length;
  }
  if (i == text.size()) return text;
  scratch.assign(text.substr(0, i));
  while (i < text.size()) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      scratch += "\xEF\xBF\xBD";
      ++i;
    } else {
      scratch.append(text.substr(i, length));
      i += length;
    }
  }
  return scratch;
}

void append_int(std::string& out, std::int64_t value) {
  std::array<char, 24> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), end);
}

// COPY text format: \N is NULL; backslash, tab, newline and CR inside a value are escaped.
void append_copy_text(std::string& out, std::string_view text) {
  std::string scratch;
  for (const char c : server_text(text, scratch)) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void append_copy_optional(std::string& out, const std::optional<std::int64_t>& value) {
  if (value) {
    append_int(out, *value);
  } else {
    out += "\\N";
  }
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Splits one COPY text row (integer columns only, so no escapes) into exactly `fields.size()`
// fields; false if the count differs.
template <std::size_t N>
bool split_copy_row(std::string_view row, std::array<std::string_view, N>& fields) {
  if (!row.empty() && row.back() == '\n') row.remove_suffix(1);
  for (std::size_t f = 0; f < N; ++f) {
    const std::size_t tab = row.find('\t');
    if ((tab == std::string_view::npos) != (f + 1 == N)) return false;
    fields[f] = row.substr(0, tab);
    if (tab != std::string_view::npos) row.remove_prefix(tab + 1);
  }
  return true;
}

// Query parameters in text form, kept alive for the call.
class Params {
 public:
  Params& add(std::int64_t value) {
    values_.push_back(std::to_string(value));
    return *this;
  }
  Params& add(std::string_view text) {
    std::string scratch;
    values_.emplace_back(server_text(text, scratch));
    return *this;
  }
  std::size_t size() const { return values_.size(); }
  std::vector<const char*> pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& value : values_) out.push_back(value.c_str());
    return out;
  }

 private:
  std::vector<std::string> values_;
};

class PgStore final : public GraphStore {
 public:
  explicit PgStore(Connection connection) : connection_(std::move(connection)) {}
  ~PgStore() override { rollback(); }

  Status migrate();

  Result<bool> begin_document(const DocRow& doc) override;
  using GraphStore::put_nodes;
  Status put_nodes(std::span<const NodeWrite> rows) override;
  Status put_edges(std::span<const EdgeRow> rows) override;
  Status put_names(std::span<const NameRow> rows) override;
  Status put_signals(std::span<const SignalRow> rows) override;
  Status commit_document() override;
  void rollback() override;
  Status begin_bulk() override;
  Status end_bulk() override;

  Status scan_nodes(const std::function<void(std::int64_t, NodeKind)>& visit) override;
  Status scan_edges(const std::function<void(const EdgeRow&)>& visit) override;
  Result<std::optional<NodeRow>> find_node(std::int64_t id) override;
  Result<std::vector<std::string>> node_names(std::int64_t id, std::size_t limit) override;
  Result<std::optional<DocRow>> find_document(std::int64_t id) override;
  Result<std::string> edge_note(const EdgeRow& edge) override;
  Result<std::vector<SignalRow>> all_signals() override;
  Result<StoreCounts> counts() override;
  Result<int> schema_version() override;
  std::string describe() const override;

 private:
  PGconn* conn() const { return connection_.get(); }
  // An error from `result` (or the connection when there is none); remembers its SQLSTATE.
  Error pg_error(std::string_view what, const PGresult* result);
  Result<PgResult> exec(const std::string& sql, std::string_view what,
                        const Params& params = Params{});
  Status exec_command(const std::string& sql, std::string_view what) {
    auto result = exec(sql, what);
    if (!result) return result.error();
    return ok_status();
  }
  Status migrate_once();
  Result<int> read_version(const std::string& sql);
  // Sends `rows` through COPY FROM STDIN, formatting each with `format(out, row)`.
  template <typename Row, typename Format>
  Status copy_in(const std::string& sql, std::span<const Row> rows, Format format,
                 std::string_view what);
  Status finish_copy_in(std::string_view what, const char* abort_reason);
  // Streams every row of `select` (integer columns only) to `visit` as N fields, through COPY TO
  // STDOUT, or single-row mode where the engine lacks COPY TO.
  template <std::size_t N, typename Visit>
  Status stream_rows(const std::string& select, Visit visit, std::string_view what);
  template <std::size_t N, typename Visit>
  Status stream_copy_out(const std::string& select, Visit& visit, std::string_view what);
  template <std::size_t N, typename Visit>
  Status stream_single_rows(const std::string& select, Visit& visit, std::string_view what);

  Connection connection_;
  bool in_transaction_ = false;
  bool copy_out_unsupported_ = false;
  std::string last_sqlstate_;
};

Error PgStore::pg_error(std::string_view what, const PGresult* result) {
  std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message.empty()) message = PQerrorMessage(conn());
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  return make_error(ErrorCode::kIo, std::string(what) + " (" + describe() + "): " + message);
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
  return true;
}

Status PgStore::put_nodes(std::span<const NodeWrite> rows) {
  // Sorted and unique ids: concurrent writers then lock shared ids in the same order (no
  // deadlock), and no engine sees one id twice in one statement.
  std::vector<const NodeWrite*> sorted;
  sorted.reserve(rows.size());
  for (const NodeWrite& row : rows) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(),
            [](const NodeWrite* a, const NodeWrite* b) { return a->id < b->id; });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [](const NodeWrite* a, const NodeWrite* b) { return a->id == b->id; }),
               sorted.end());
  for (std::size_t done = 0; done < sorted.size();) {
    const std::size_t batch = std::min(kNodesPerInsert, sorted.size() - done);
    std::string sql = "INSERT INTO node (id, kind, key) VALUES ";
    Params params;
    for (std::size_t i = 0; i < batch; ++i) {
      const NodeWrite& row = *sorted[done + i];
      const std::size_t first = params.size() + 1;
      if (i != 0) sql += ',';
      sql += "($" + std::to_string(first) + "::BIGINT, $" + std::to_string(first + 1) +
             "::SMALLINT, $" + std::to_string(first + 2) + ")";
      params.add(row.id).add(static_cast<std::int64_t>(row.kind)).add(row.key);
    }
    sql += " ON CONFLICT (id) DO NOTHING";
    if (auto stored = exec(sql, "store nodes", params); !stored) return stored.error();
    done += batch;
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

Status PgStore::commit_document() {
  if (!in_transaction_) return make_error(ErrorCode::kUsage, "no document is open");
  in_transaction_ = false;
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
  return ok_status();
}

void PgStore::rollback() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  (void)exec_command("ROLLBACK", "rollback");
}

Status PgStore::begin_bulk() {
  // Losing the last commits of a first load in a server crash is acceptable (the load is re-run);
  // waiting for each commit's WAL flush is not. Engines without the setting keep their default.
  if (!in_transaction_) (void)exec_command("SET synchronous_commit TO off", "bulk mode");
  return ok_status();
}

Status PgStore::end_bulk() {
  if (!in_transaction_) (void)exec_command("RESET synchronous_commit", "end bulk mode");
  return ok_status();
}

template <std::size_t N, typename Visit>
Status PgStore::stream_rows(const std::string& select, Visit visit, std::string_view what) {
  if (!copy_out_unsupported_) {
    auto streamed = stream_copy_out<N>(select, visit, what);
    // An engine without COPY TO (or one reserving COPY for admins, as CockroachDB does)
    // refuses it before sending any row; outside a transaction that refusal leaves nothing
    // behind, so the same query can run in single-row mode.
    const bool refused =
        last_sqlstate_ == "0A000" || last_sqlstate_ == "42601" || last_sqlstate_ == "42501";
    if (streamed || !refused || in_transaction_) return streamed;
    copy_out_unsupported_ = true;
  }
  return stream_single_rows<N>(select, visit, what);
}

template <std::size_t N, typename Visit>
Status PgStore::stream_copy_out(const std::string& select, Visit& visit, std::string_view what) {
  last_sqlstate_.clear();
  const std::string sql = "COPY (" + select + ") TO STDOUT";
  PgResult started(PQexec(conn(), sql.c_str()));
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_OUT) {
    return pg_error(what, started.get());
  }
  Status status = ok_status();
  std::array<std::string_view, N> fields;
  for (;;) {
    char* raw = nullptr;
    const int length = PQgetCopyData(conn(), &raw, 0);
    if (length < 0) break;  // -1: done, -2: failed; the result below says which
    CopyBuffer row(raw);
    // A bad row ends the visits, but the rest of the stream is still read so the connection
    // stays usable.
    if (!status) continue;
    if (!split_copy_row({row.get(), static_cast<std::size_t>(length)}, fields) || !visit(fields)) {
      status = make_error(ErrorCode::kMalformed, std::string(what) + " (" + describe() +
                                                     "): a row is not in the stored schema");
    }
  }
  while (PgResult result{PQgetResult(conn())}) {
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK && status) {
      status = pg_error(what, result.get());
    }
  }
  return status;
}

template <std::size_t N, typename Visit>
Status PgStore::stream_single_rows(const std::string& select, Visit& visit, std::string_view what) {
  if (PQsendQuery(conn(), select.c_str()) != 1 || PQsetSingleRowMode(conn()) != 1) {
    Error error = pg_error(what, nullptr);
    while (PgResult result{PQgetResult(conn())}) {
    }
    return error;
  }
  Status status = ok_status();
  std::array<std::string_view, N> fields;
  while (PgResult result{PQgetResult(conn())}) {
    const ExecStatusType state = PQresultStatus(result.get());
    if (state == PGRES_TUPLES_OK) continue;  // the end of the rows
    if (state != PGRES_SINGLE_TUPLE) {
      if (status) status = pg_error(what, result.get());
      continue;
    }
    if (!status || PQnfields(result.get()) != static_cast<int>(N)) continue;
    for (std::size_t f = 0; f < N; ++f) {
      // Text results spell NULL as an empty value; COPY's spelling keeps one parser.
      fields[f] = PQgetisnull(result.get(), 0, static_cast<int>(f))
                      ? std::string_view("\\N")
                      : std::string_view(PQgetvalue(result.get(), 0, static_cast<int>(f)));
    }
    if (!visit(fields)) {
      status = make_error(ErrorCode::kMalformed, std::string(what) + " (" + describe() +
                                                     "): a row is not in the stored schema");
    }
  }
  return status;
}

Status PgStore::scan_nodes(const std::function<void(std::int64_t, NodeKind)>& visit) {
  return stream_rows<2>(
      "SELECT id, kind FROM node",
      [&](const std::array<std::string_view, 2>& fields) {
        const auto id = parse_int(fields[0]);
        const auto kind = parse_int(fields[1]);
        if (!id || !kind) return false;
        // A kind a newer writer added is skipped, as the SQLite store does.
        if (*kind >= 0 && *kind < kNodeKindCount) visit(*id, static_cast<NodeKind>(*kind));
        return true;
      },
      "read nodes");
}

Status PgStore::scan_edges(const std::function<void(const EdgeRow&)>& visit) {
  EdgeRow edge;
  return stream_rows<6>(
      "SELECT src, dst, kind, t_from, t_until, doc FROM edge",
      [&](const std::array<std::string_view, 6>& fields) {
        const auto src = parse_int(fields[0]);
        const auto dst = parse_int(fields[1]);
        const auto kind = parse_int(fields[2]);
        const auto doc = parse_int(fields[5]);
        if (!src || !dst || !kind || !doc) return false;
        std::optional<std::int64_t> times[2];
        for (int t = 0; t < 2; ++t) {
          if (fields[3 + t] == "\\N") continue;
          times[t] = parse_int(fields[3 + t]);
          if (!times[t]) return false;
        }
        if (*kind < 0 || *kind >= kEdgeKindCount) return true;
        edge.src = *src;
        edge.dst = *dst;
        edge.kind = static_cast<EdgeKind>(*kind);
        edge.time = times[0];
        edge.until = times[1];
        edge.doc = *doc;
        visit(edge);
        return true;
      },
      "read edges");
}

Result<std::optional<NodeRow>> PgStore::find_node(std::int64_t id) {
  Params params;
  params.add(id);
  auto result = exec("SELECT kind, key FROM node WHERE id = $1", "read node", params);
  if (!result) return result.error();
  std::optional<NodeRow> row;
  if (PQntuples(result->get()) == 0) return row;
  const auto kind = parse_int(PQgetvalue(result->get(), 0, 0));
  if (kind && *kind >= 0 && *kind < kNodeKindCount) {
    row = NodeRow{id, static_cast<NodeKind>(*kind), PQgetvalue(result->get(), 0, 1)};
  }
  return row;
}

Result<std::vector<std::string>> PgStore::node_names(std::int64_t id, std::size_t limit) {
  // The first `limit` distinct names in byte order, as SQLite's ORDER BY gives them. The
  // server's collation may order differently (and COLLATE "C" is not portable), so the order is
  // made here: the node's distinct names stream by and only the `limit` smallest are kept.
  std::set<std::string> smallest;
  if (limit == 0) return std::vector<std::string>();
  // The id is an integer, so it is spelled into the query (single-row mode takes no parameters).
  const std::string select =
      "SELECT DISTINCT name FROM node_name WHERE node = " + std::to_string(id);
  auto keep_smallest = [&](const std::array<std::string_view, 1>& fields) {
    if (smallest.size() == limit) {
      if (fields[0] >= *smallest.rbegin()) return true;
      smallest.erase(std::prev(smallest.end()));
    }
    smallest.emplace(fields[0]);
    return true;
  };
  auto streamed = stream_single_rows<1>(select, keep_smallest, "read names");
  if (!streamed) return streamed.error();
  return std::vector<std::string>(smallest.begin(), smallest.end());
}

Result<std::optional<DocRow>> PgStore::find_document(std::int64_t id) {
  Params params;
  params.add(id);
  auto result = exec("SELECT sha256, format, path, ingested_at FROM source_doc WHERE id = $1",
                     "read document", params);
  if (!result) return result.error();
  std::optional<DocRow> row;
  if (PQntuples(result->get()) == 0) return row;
  const auto ingested_at = parse_int(PQgetvalue(result->get(), 0, 3));
  if (!ingested_at) return make_error(ErrorCode::kMalformed, describe() + ": bad ingested_at");
  row = DocRow{id, PQgetvalue(result->get(), 0, 0), PQgetvalue(result->get(), 0, 1),
               PQgetvalue(result->get(), 0, 2), *ingested_at};
  return row;
}

Result<std::string> PgStore::edge_note(const EdgeRow& edge) {
  Params params;
  params.add(edge.src).add(edge.dst).add(static_cast<std::int64_t>(edge.kind)).add(edge.doc);
  auto result = exec(
      "SELECT note FROM edge_note WHERE src = $1 AND dst = $2 AND kind = $3 AND doc = $4 LIMIT 1",
      "read edge note", params);
  if (!result) return result.error();
  if (PQntuples(result->get()) == 0) return std::string();
  return std::string(PQgetvalue(result->get(), 0, 0));
}

Result<std::vector<SignalRow>> PgStore::all_signals() {
  auto result = exec("SELECT node, finding, severity, doc FROM signal", "read signals");
  if (!result) return result.error();
  std::vector<SignalRow> signals;
  const int rows = PQntuples(result->get());
  signals.reserve(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    const auto node = parse_int(PQgetvalue(result->get(), r, 0));
    const auto doc = parse_int(PQgetvalue(result->get(), r, 3));
    if (!node || !doc) return make_error(ErrorCode::kMalformed, describe() + ": bad signal row");
    signals.push_back(
        SignalRow{*node, PQgetvalue(result->get(), r, 1), PQgetvalue(result->get(), r, 2), *doc});
  }
  return signals;
}

Result<StoreCounts> PgStore::counts() {
  StoreCounts counts;
  const std::array<std::pair<const char*, std::int64_t*>, 4> queries = {{
      {"SELECT count(*) FROM source_doc", &counts.documents},
      {"SELECT count(*) FROM node", &counts.nodes},
      {"SELECT count(*) FROM edge", &counts.edges},
      {"SELECT count(*) FROM signal", &counts.signals},
  }};
  for (const auto& [sql, target] : queries) {
    auto result = exec(sql, "count");
    if (!result) return result.error();
    const auto value =
        PQntuples(result->get()) == 1 ? parse_int(PQgetvalue(result->get(), 0, 0)) : std::nullopt;
    if (!value) return make_error(ErrorCode::kMalformed, describe() + ": bad count");
    *target = *value;
  }
  return counts;
}

}  // namespace

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
  Connection connection(PQconnectdbParams(keywords.data(), values.data(), 1));
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
  auto store = std::make_unique<PgStore>(std::move(connection));
  if (auto migrated = store->migrate(); !migrated) return migrated.error();
  return std::unique_ptr<GraphStore>(std::move(store));
}

}  // namespace cascade::graph
