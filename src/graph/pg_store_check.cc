// The PostgreSQL store's own consistency check for `graph check`, with what the server offers
// without extensions (amcheck is one, and not every server or role may install it): the
// catalog's word on the schema's tables, indexes and constraints, and a read of every row of
// the tables no other part of the check reads (a damaged page fails that read, SQLSTATE XX001).
#include <libpq-fe.h>

#include <map>
#include <set>
#include <string>
#include <utility>

#include "graph/pg_store_internal.h"

namespace cascade::graph::pg {
namespace {

// The schema's tables, resolved through the search_path as every other query resolves them.
constexpr const char* kTables =
    "(VALUES ('meta'), ('source_doc'), ('node'), ('edge'), ('edge_note'), ('node_name'), "
    "('signal'), ('signer')) AS t(name)";

// The uniqueness the schema declares (schema.cc): without it ids could repeat and ingest would
// no longer be idempotent. contype 'p' is a primary key, 'u' a unique constraint.
const std::set<std::pair<std::string, std::string>>& declared_keys() {
  static const std::set<std::pair<std::string, std::string>> kKeys = {
      {"meta", "p"}, {"source_doc", "p"}, {"source_doc", "u"}, {"node", "p"}};
  return kKeys;
}

}  // namespace

Result<EngineCheck> PgStore::engine_check(std::size_t max_problems) {
  EngineCheck check;
  auto add = [&](std::string problem) {
    if (check.problems.size() < max_problems) {
      check.problems.push_back(std::move(problem));
    } else {
      check.truncated = true;
    }
  };
  const std::string tables = std::string("SELECT to_regclass(name) FROM ") + kTables;

  check.checks.emplace_back("every table of the schema present");
  auto missing =
      exec(std::string("SELECT name FROM ") + kTables + " WHERE to_regclass(name) IS NULL",
           "check tables");
  if (!missing) return missing.error();
  for (int r = 0; r < PQntuples(missing->get()); ++r) {
    add("table " + std::string(PQgetvalue(missing->get(), r, 0)) + " is missing");
  }

  check.checks.emplace_back("pg_index: every index valid, ready and live");
  auto indexes = exec("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN (" +
                          tables + ") AND NOT (indisvalid AND indisready AND indislive)",
                      "check indexes");
  if (!indexes) return indexes.error();
  for (int r = 0; r < PQntuples(indexes->get()); ++r) {
    add("index " + std::string(PQgetvalue(indexes->get(), r, 0)) +
        " is not valid (a failed CREATE INDEX CONCURRENTLY or REINDEX left it unusable)");
  }

  check.checks.emplace_back("pg_constraint: the declared keys present and every constraint valid");
  auto constraints = exec(
      "SELECT conrelid::regclass::text, contype, conname, convalidated "
      "FROM pg_constraint WHERE conrelid IN (" +
          tables + ")",
      "check constraints");
  if (!constraints) return constraints.error();
  std::set<std::pair<std::string, std::string>> present;
  for (int r = 0; r < PQntuples(constraints->get()); ++r) {
    const std::string table = PQgetvalue(constraints->get(), r, 0);
    const std::string type = PQgetvalue(constraints->get(), r, 1);
    present.emplace(table, type);
    if (std::string_view(PQgetvalue(constraints->get(), r, 3)) != "t") {
      add("constraint " + std::string(PQgetvalue(constraints->get(), r, 2)) + " on " + table +
          " is NOT VALID: rows stored before it was added were never checked");
    }
  }
  for (const auto& key : declared_keys()) {
    if (present.count(key) == 0) {
      add("table " + key.first + " lacks its " +
          (key.second == "p" ? std::string("primary key") : std::string("unique constraint")) +
          " (dropped after the schema was made)");
    }
  }

  check.checks.emplace_back("pg_attribute: the declared NOT NULL columns");
  auto nullable = exec(
      "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "WHERE a.attrelid IN (" +
          tables +
          ") AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attnotnull "
          "AND NOT (c.relname = 'edge' AND a.attname IN ('t_from', 't_until'))",
      "check columns");
  if (!nullable) return nullable.error();
  for (int r = 0; r < PQntuples(nullable->get()); ++r) {
    add("column " + std::string(PQgetvalue(nullable->get(), r, 0)) + "." +
        PQgetvalue(nullable->get(), r, 1) + " accepts NULL (NOT NULL was dropped)");
  }

  // The node, edge, source_doc, signal and signer rows are read whole by the rest of the check.
  check.checks.emplace_back("every row of node_name and edge_note read");
  for (const char* sql :
       {"SELECT sum(length(name)) FROM node_name", "SELECT sum(length(note)) FROM edge_note"}) {
    if (auto read = exec(sql, "read every row"); !read) {
      if (read.error().code != ErrorCode::kMalformed) return read.error();
      add(read.error().message);
    }
  }
  return check;
}

}  // namespace cascade::graph::pg
