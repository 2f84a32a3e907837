// The inventory schema, as ordered migrations shared by SQLite and PostgreSQL. Each step is plain
// SQL both accept, and that distributed PostgreSQL-compatible engines (Citus, YugabyteDB,
// CockroachDB) accept too: BIGINT/SMALLINT/TEXT columns, no sequences (ids are content hashes),
// no triggers, no engine-specific pragmas.
#pragma once

#include <span>
#include <string_view>

namespace cascade::graph {

// meta(key TEXT PRIMARY KEY, value TEXT) holds 'schema_version'. Migration i (0-based) brings the
// schema from version i to i+1; a store newer than this build is refused.
std::span<const std::string_view> schema_migrations();
int current_schema_version();

}  // namespace cascade::graph
