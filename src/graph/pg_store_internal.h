// What the PostgreSQL store's two halves share (pg_store.cc writes, pg_store_read.cc reads): the
// libpq handles, query parameters and the store's class. Not part of the library's interface.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "graph/id_set.h"
#include "graph/pg_text.h"
#include "graph/store.h"

namespace cascade::graph::pg {

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
  Result<EngineCheck> engine_check(std::size_t max_problems) override;  // pg_store_check.cc
  Status scan_node_rows(
      const std::function<void(std::int64_t, std::int64_t, std::string_view)>& visit) override;
  Status scan_documents(const std::function<void(const DocRow&)>& visit) override;
  // Tokens and audit rows (pg_store_tokens.cc).
  Result<bool> put_token(const TokenRow& row) override;
  Result<std::vector<TokenRow>> tokens() override;
  Result<bool> revoke_token(std::string_view name, std::int64_t at) override;
  Status put_audit(const AuditRow& row) override;
  Result<std::vector<NodeRow>> search_nodes(std::string_view text, std::size_t limit) override;
  std::string describe() const override;

 protected:
  Status open_snapshot() override;
  Status close_snapshot() override;

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
  // One statement in a transaction of its own: the number of rows it changed.
  Result<std::int64_t> write_alone(const std::string& sql, std::string_view what,
                                   const Params& params);
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

  // Tells listening servers (pg_listener.h) that the document just committed is there. After the
  // commit, not in its transaction: an engine without NOTIFY must still store documents.
  void notify_committed(const std::string& sha256);

  Connection connection_;
  // Node ids this connection has seen committed. Nodes are never deleted, so a node a later
  // document names again (every host is, many times over) needs no row sent: in a bulk load most
  // node rows are such repeats, and the server's conflict check on each costs more than the
  // probe here. Ids the open transaction sends wait in pending_ids_ until it commits; ids another
  // writer stored are not here, and the INSERT's ON CONFLICT still skips them.
  IdSet stored_ids_;
  std::vector<std::int64_t> pending_ids_;
  bool in_transaction_ = false;
  std::string open_document_;  // SHA-256 of the document begin_document opened
  bool notify_unsupported_ = false;
  bool durable_ = false;
  bool copy_out_unsupported_ = false;
  std::string last_sqlstate_;
};

}  // namespace cascade::graph::pg
