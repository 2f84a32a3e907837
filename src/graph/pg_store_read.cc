// The PostgreSQL store's reads: full scans streamed through COPY (SELECT ...) TO STDOUT, or
// single-row mode where the engine refuses COPY TO, and the few lookups an answer needs.
#include <libpq-fe.h>

#include <array>
#include <set>
#include <string>
#include <utility>

#include "graph/pg_store_internal.h"

namespace cascade::graph::pg {

template <std::size_t N, typename Visit>
Status PgStore::stream_rows(const std::string& select, Visit visit, std::string_view what) {
  if (!copy_out_unsupported_) {
    // An engine without COPY TO (or one reserving COPY for admins, as CockroachDB does)
    // refuses it before sending any row. Outside a transaction that refusal leaves nothing
    // behind, so the same query can run in single-row mode; inside a snapshot it would abort
    // the transaction, so the attempt runs under a savepoint to return to.
    const bool in_snapshot = snapshot_open();
    if (in_snapshot) {
      if (auto saved = exec_command("SAVEPOINT cascade_copy_out", what); !saved) return saved;
    }
    auto streamed = stream_copy_out<N>(select, visit, what);
    const bool refused =
        last_sqlstate_ == "0A000" || last_sqlstate_ == "42601" || last_sqlstate_ == "42501";
    if (in_snapshot) {
      const char* end = streamed ? "RELEASE SAVEPOINT cascade_copy_out"
                                 : "ROLLBACK TO SAVEPOINT cascade_copy_out";
      if (auto ended = exec_command(end, what); !ended && streamed) return ended;
    }
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

// Rows with text columns come through single-row mode: its values arrive unescaped, where COPY's
// text format would escape backslashes and control characters (and the scan must see a key
// exactly as stored to check it).
Status PgStore::scan_node_rows(
    const std::function<void(std::int64_t, std::int64_t, std::string_view)>& visit) {
  auto visit_row = [&](const std::array<std::string_view, 3>& fields) {
    const auto id = parse_int(fields[0]);
    const auto kind = parse_int(fields[1]);
    if (!id || !kind) return false;
    visit(*id, *kind, fields[2]);
    return true;
  };
  return stream_single_rows<3>("SELECT id, kind, key FROM node", visit_row, "read nodes");
}

Status PgStore::scan_documents(const std::function<void(const DocRow&)>& visit) {
  DocRow row;
  auto visit_row = [&](const std::array<std::string_view, 5>& fields) {
    const auto id = parse_int(fields[0]);
    const auto ingested_at = parse_int(fields[4]);
    if (!id || !ingested_at) return false;
    row.id = *id;
    row.sha256 = fields[1];
    row.format = fields[2];
    row.path = fields[3];
    row.ingested_at = *ingested_at;
    visit(row);
    return true;
  };
  return stream_single_rows<5>("SELECT id, sha256, format, path, ingested_at FROM source_doc",
                               visit_row, "read documents");
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

Status PgStore::scan_signers(const std::function<void(const SignerRow&)>& visit) {
  SignerRow row;
  auto visit_row = [&](const std::array<std::string_view, 8>& fields) {
    const auto node = parse_int(fields[0]);
    const auto role = parse_int(fields[1]);
    const auto doc = parse_int(fields[7]);
    if (!node || !role || !doc) return false;
    // A role a newer writer added is skipped, as the SQLite store does.
    if (*role < 0 || *role >= kCertificateRoleCount) return true;
    row.node = *node;
    row.role = static_cast<CertificateRole>(*role);
    row.certificate.sha256 = fields[2];
    row.certificate.sha1 = fields[3];
    row.certificate.serial = fields[4];
    row.certificate.issuer = fields[5];
    row.certificate.subject = fields[6];
    row.doc = *doc;
    visit(row);
    return true;
  };
  return stream_single_rows<8>(
      "SELECT node, role, sha256, sha1, serial, issuer, subject, doc FROM signer", visit_row,
      "read signers");
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

Result<std::int64_t> PgStore::document_count() {
  auto result = exec("SELECT count(*) FROM source_doc", "count documents");
  if (!result) return result.error();
  const auto value =
      PQntuples(result->get()) == 1 ? parse_int(PQgetvalue(result->get(), 0, 0)) : std::nullopt;
  if (!value) return make_error(ErrorCode::kMalformed, describe() + ": bad count");
  return *value;
}

}  // namespace cascade::graph::pg
