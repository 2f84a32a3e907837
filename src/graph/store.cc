#include "graph/store.h"

#include "core/printable_text.h"
#include "graph/pg_listener.h"

namespace cascade::graph {
namespace {

// Names a stored row in an error: its content may be anything an editor of the store wrote.
constexpr std::size_t kShownKeyCodePoints = 120;

Error forged(const GraphStore& store, const std::string& what) {
  return make_error(ErrorCode::kMalformed, store.describe() + ": " + what +
                                               ": the row was altered after ingest wrote it "
                                               "(cascade graph check lists every such row)");
}

}  // namespace

Status check_node(const NodeRow& row, const GraphStore& store) {
  // Only the first kMaxKeyLength bytes are hashed, so a longer key could hide an addition.
  if (node_id(row.kind, row.key) != row.id || row.key.size() > kMaxKeyLength) {
    const NodeRef node{row.kind, row.key};
    return forged(store, "node " + std::to_string(row.id) + " is stored as '" +
                             printable(format_node(node), kShownKeyCodePoints) +
                             "', whose id would be " + std::to_string(node_id(node)));
  }
  return ok_status();
}

Status check_document(const DocRow& row, const GraphStore& store) {
  if (!is_sha256_hex(row.sha256) || document_id(row.sha256) != row.id) {
    return forged(store, "document " + std::to_string(row.id) + " is stored with SHA-256 '" +
                             printable(row.sha256, kShownKeyCodePoints) +
                             "', which does not give its id");
  }
  return ok_status();
}

Result<std::vector<NodeRow>> GraphStore::find_checked_nodes(std::span<const std::int64_t> ids) {
  auto rows = find_nodes(ids);
  if (!rows) return rows.error();
  for (const NodeRow& row : *rows) {
    if (auto checked = check_node(row, *this); !checked) return checked.error();
  }
  return rows;
}

Result<std::optional<DocRow>> GraphStore::find_checked_document(std::int64_t id) {
  auto row = find_document(id);
  if (!row) return row.error();
  if (*row) {
    if (auto checked = check_document(**row, *this); !checked) return checked.error();
  }
  return row;
}

std::string_view token_scope_name(TokenScope scope) {
  switch (scope) {
    case TokenScope::kIngest:
      return "ingest";
    case TokenScope::kRead:
      return "read";
    case TokenScope::kAdmin:
      return "admin";
  }
  return "read";
}

std::optional<TokenScope> token_scope_from_name(std::string_view name) {
  for (const TokenScope scope : {TokenScope::kIngest, TokenScope::kRead, TokenScope::kAdmin}) {
    if (token_scope_name(scope) == name) return scope;
  }
  return std::nullopt;
}

namespace {
Error no_tokens(const GraphStore& store) {
  return make_error(ErrorCode::kUnsupported, store.describe() + " keeps no tokens");
}
}  // namespace

Status GraphStore::make_commits_durable() {
  return ok_status();
}

Result<std::int64_t> GraphStore::document_count() {
  auto counted = counts();
  if (!counted) return counted.error();
  return counted->documents;
}

Result<bool> GraphStore::put_token(const TokenRow& /*row*/) {
  return no_tokens(*this);
}
Result<std::vector<TokenRow>> GraphStore::tokens() {
  return no_tokens(*this);
}
Result<bool> GraphStore::revoke_token(std::string_view /*name*/, std::int64_t /*at*/) {
  return no_tokens(*this);
}
Status GraphStore::put_audit(const AuditRow& /*row*/) {
  return no_tokens(*this);
}
Result<std::vector<NodeRow>> GraphStore::search_nodes(std::string_view /*text*/,
                                                      std::size_t /*limit*/) {
  return make_error(ErrorCode::kUnsupported, describe() + " cannot search nodes");
}

Result<std::unique_ptr<GraphStore>> open_store(std::string_view spec, OpenMode mode) {
  if (spec.empty()) return make_error(ErrorCode::kUsage, "--db is empty");
  if (is_postgres_spec(spec)) {
    return open_postgres_store(std::string(spec));
  }
  std::string_view path = spec;
  if (path.starts_with("sqlite:")) path.remove_prefix(7);
  return open_sqlite_store(std::string(path), mode);
}

Status GraphStore::begin_snapshot() {
  if (snapshot_depth_ == 0) {
    if (auto opened = open_snapshot(); !opened) return opened;
  }
  ++snapshot_depth_;
  return ok_status();
}

Status GraphStore::end_snapshot() {
  if (snapshot_depth_ == 0) return make_error(ErrorCode::kUsage, "no snapshot is open");
  if (--snapshot_depth_ > 0) return ok_status();
  return close_snapshot();
}

Result<StoreSnapshot> StoreSnapshot::take(GraphStore& store) {
  if (auto begun = store.begin_snapshot(); !begun) return begun.error();
  return StoreSnapshot(store);
}

StoreSnapshot::~StoreSnapshot() {
  // Ending a read-only transaction cannot lose anything; a failure here has nothing to report.
  if (store_ != nullptr) (void)store_->end_snapshot();
}

Status GraphStore::put_nodes(std::span<const NodeRow> rows) {
  std::vector<NodeWrite> writes;
  writes.reserve(rows.size());
  for (const NodeRow& row : rows) writes.push_back(NodeWrite{row.id, row.kind, row.key});
  return put_nodes(std::span<const NodeWrite>(writes));
}

Result<std::vector<NodeRow>> GraphStore::find_nodes(std::span<const std::int64_t> ids) {
  std::vector<NodeRow> rows;
  rows.reserve(ids.size());
  for (const std::int64_t id : ids) {
    auto row = find_node(id);
    if (!row) return row.error();
    if (*row) rows.push_back(std::move(**row));
  }
  return rows;
}

Result<std::vector<std::pair<std::int64_t, std::vector<std::string>>>> GraphStore::names_of(
    std::span<const std::int64_t> ids, std::size_t limit_per_node) {
  std::vector<std::pair<std::int64_t, std::vector<std::string>>> result;
  for (const std::int64_t id : ids) {
    auto names = node_names(id, limit_per_node);
    if (!names) return names.error();
    if (!names->empty()) result.emplace_back(id, std::move(*names));
  }
  return result;
}

}  // namespace cascade::graph
