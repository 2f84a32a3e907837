// The PostgreSQL store's parts for cascade serve: tokens (kept as SHA-256 digests), the audit log
// (each one autocommitted statement, outside any document or snapshot) and node search.
#include <libpq-fe.h>

#include <algorithm>
#include <string>
#include <vector>

#include "graph/pg_store_internal.h"

namespace cascade::graph::pg {

Result<std::int64_t> PgStore::write_alone(const std::string& sql, std::string_view what,
                                          const Params& params) {
  if (in_transaction_) return make_error(ErrorCode::kUsage, "a document is open");
  if (snapshot_open()) return make_error(ErrorCode::kUsage, "a snapshot is open");
  auto result = exec(sql, what, params);
  if (!result) return result.error();
  const auto changed = parse_int(PQcmdTuples(result->get()));
  if (!changed) return make_error(ErrorCode::kMalformed, describe() + ": no row count");
  return *changed;
}

Result<bool> PgStore::put_token(const TokenRow& row) {
  Params params;
  params.add(row.id)
      .add(row.name)
      .add(token_scope_name(row.scope))
      .add(row.sha256)
      .add(row.created);
  auto changed = write_alone(
      "INSERT INTO token (id, name, scope, sha256, created, revoked) VALUES ($1, $2, $3, $4, $5, "
      "NULL) ON CONFLICT DO NOTHING",
      "store token", params);
  if (!changed) return changed.error();
  return *changed == 1;
}

Result<std::vector<TokenRow>> PgStore::tokens() {
  auto result = exec("SELECT id, name, scope, sha256, created, revoked FROM token", "read tokens");
  if (!result) return result.error();
  std::vector<TokenRow> rows;
  const PGresult* table = result->get();
  for (int i = 0; i < PQntuples(table); ++i) {
    const auto scope = token_scope_from_name(PQgetvalue(table, i, 2));
    if (!scope) continue;  // a newer writer's scope: not one this build can enforce
    const auto id = parse_int(PQgetvalue(table, i, 0));
    const auto created = parse_int(PQgetvalue(table, i, 4));
    if (!id || !created) return make_error(ErrorCode::kMalformed, describe() + ": bad token row");
    TokenRow row{*id, PQgetvalue(table, i, 1), *scope, PQgetvalue(table, i, 3), *created, {}};
    if (PQgetisnull(table, i, 5) == 0) {
      const auto revoked = parse_int(PQgetvalue(table, i, 5));
      if (!revoked) return make_error(ErrorCode::kMalformed, describe() + ": bad token row");
      row.revoked = *revoked;
    }
    rows.push_back(std::move(row));
  }
  // By name in byte order, as SQLite's ORDER BY gives them (the server's collation may differ).
  std::sort(rows.begin(), rows.end(),
            [](const TokenRow& a, const TokenRow& b) { return a.name < b.name; });
  return rows;
}

Result<bool> PgStore::revoke_token(std::string_view name, std::int64_t at) {
  Params params;
  params.add(at).add(name);
  auto changed = write_alone("UPDATE token SET revoked = $1 WHERE name = $2 AND revoked IS NULL",
                             "revoke token", params);
  if (!changed) return changed.error();
  return *changed == 1;
}

Status PgStore::put_audit(const AuditRow& row) {
  Params params;
  params.add(row.at)
      .add(row.token)
      .add(row.address)
      .add(row.method)
      .add(row.route)
      .add(row.document)
      .add(static_cast<std::int64_t>(row.status));
  auto changed = write_alone(
      "INSERT INTO audit (logged_at, token, address, method, route, document, status) VALUES "
      "($1, $2, $3, $4, $5, $6, $7)",
      "store audit row", params);
  if (!changed) return changed.error();
  return ok_status();
}

Result<std::vector<NodeRow>> PgStore::search_nodes(std::string_view text, std::size_t limit) {
  Params params;
  params.add(text).add(static_cast<std::int64_t>(limit));
  // strpos() compares characters exactly. Which rows come is decided by id (an order every
  // engine agrees on, unlike a collation's); they are then put in byte order of their keys.
  auto result = exec(
      "SELECT id, kind, key FROM node WHERE strpos(key, $1) > 0 OR id IN (SELECT node FROM "
      "node_name WHERE strpos(name, $1) > 0) ORDER BY id LIMIT $2",
      "search nodes", params);
  if (!result) return result.error();
  std::vector<NodeRow> rows;
  const PGresult* table = result->get();
  for (int i = 0; i < PQntuples(table); ++i) {
    const auto id = parse_int(PQgetvalue(table, i, 0));
    const auto kind = parse_int(PQgetvalue(table, i, 1));
    if (!id || !kind) return make_error(ErrorCode::kMalformed, describe() + ": bad node row");
    if (*kind < 0 || *kind >= kNodeKindCount) continue;
    rows.push_back(NodeRow{*id, static_cast<NodeKind>(*kind), PQgetvalue(table, i, 2)});
  }
  std::sort(rows.begin(), rows.end(),
            [](const NodeRow& a, const NodeRow& b) { return a.key < b.key; });
  return rows;
}

}  // namespace cascade::graph::pg
