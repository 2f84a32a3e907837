#include "graph/schema.h"

#include <array>

namespace cascade::graph {
namespace {

// Version 1. The edge table is a plain heap with no unique index: idempotency is per source
// document (source_doc.sha256), and the traversal loads every edge anyway, so a per-edge index
// would only slow ingest (a 3-5x cost measured on SQLite 3.40). The rare notes (access "via")
// live in their own small table so the edge rows stay all-integer.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE source_doc (
  id BIGINT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  path TEXT NOT NULL,
  ingested_at BIGINT NOT NULL
);
CREATE TABLE node (
  id BIGINT PRIMARY KEY,
  kind SMALLINT NOT NULL,
  key TEXT NOT NULL
);
CREATE TABLE edge (
  src BIGINT NOT NULL,
  dst BIGINT NOT NULL,
  kind SMALLINT NOT NULL,
  t_from BIGINT,
  t_until BIGINT,
  doc BIGINT NOT NULL
);
CREATE TABLE edge_note (
  src BIGINT NOT NULL,
  dst BIGINT NOT NULL,
  kind SMALLINT NOT NULL,
  doc BIGINT NOT NULL,
  note TEXT NOT NULL
);
CREATE TABLE node_name (
  node BIGINT NOT NULL,
  name TEXT NOT NULL,
  doc BIGINT NOT NULL
);
CREATE INDEX node_name_node ON node_name (node);
CREATE TABLE signal (
  node BIGINT NOT NULL,
  finding TEXT NOT NULL,
  severity TEXT NOT NULL,
  doc BIGINT NOT NULL
);
)sql";

// Version 2. An answer shows the note of every access fact on its paths; without an index each
// lookup scanned the whole note table (a forward trace over a million hosts spent minutes so).
constexpr std::string_view kVersion2 = R"sql(
CREATE INDEX edge_note_edge ON edge_note (src, dst, kind, doc);
)sql";

// Version 3. The certificates of the artifacts' signatures, which hunt matches signer lists
// against: read whole (a fleet has far fewer distinct certificates than signed files), so no
// index.
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE signer (
  node BIGINT NOT NULL,
  role SMALLINT NOT NULL,
  sha256 TEXT NOT NULL,
  sha1 TEXT NOT NULL,
  serial TEXT NOT NULL,
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  doc BIGINT NOT NULL
);
)sql";

// Version 4. cascade serve: who may use the API and what they did. A token is kept only as the
// SHA-256 of its text (the text is shown once, at creation); a revoked token keeps its row so
// the audit rows naming it still say whose they were. The audit log is append-only and read
// by people and their tools, not by cascade, so it has no index.
constexpr std::string_view kVersion4 = R"sql(
CREATE TABLE token (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  created BIGINT NOT NULL,
  revoked BIGINT
);
CREATE TABLE audit (
  logged_at BIGINT NOT NULL,
  token TEXT NOT NULL,
  address TEXT NOT NULL,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  document TEXT NOT NULL,
  status SMALLINT NOT NULL
);
)sql";

constexpr std::array<std::string_view, 4> kMigrations = {kVersion1, kVersion2, kVersion3,
                                                         kVersion4};

}  // namespace

std::span<const std::string_view> schema_migrations() {
  return kMigrations;
}
int current_schema_version() {
  return static_cast<int>(kMigrations.size());
}

}  // namespace cascade::graph
