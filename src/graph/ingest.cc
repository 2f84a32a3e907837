#include "graph/ingest.h"

#include <ctime>
#include <string>
#include <unordered_map>

#include "core/digest.h"
#include "core/mapped_file.h"

namespace cascade::graph {
namespace {

// Rows are handed to the store in slices, so a large document never needs a second full copy.
constexpr std::size_t kRowsPerSlice = 65536;

std::int64_t id_from_hex_prefix(std::string_view hex) {
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    const char c = hex[i];
    const int digit = c >= 'a' ? c - 'a' + 10 : c - '0';
    id = (id << 4) | static_cast<std::uint64_t>(digit & 0xf);
  }
  return static_cast<std::int64_t>(id >> 1);
}

// Node ids are SHA-256 based; a document names the same few hosts and builds many times, so
// each distinct node is hashed once.
class NodeIds {
 public:
  std::int64_t operator()(const NodeRef& node) {
    scratch_.assign(1, static_cast<char>('0' + static_cast<int>(node.kind)));
    scratch_ += node.key;
    auto [position, inserted] = ids_.try_emplace(scratch_, 0);
    if (inserted) {
      position->second = node_id(node);
      nodes_.push_back(NodeRow{position->second, node.kind, node.key});
    }
    return position->second;
  }
  std::vector<NodeRow>& nodes() { return nodes_; }

 private:
  std::string scratch_;
  std::unordered_map<std::string, std::int64_t> ids_;
  std::vector<NodeRow> nodes_;
};

template <typename Row, typename Put>
Status put_in_slices(const std::vector<Row>& rows, Put put) {
  for (std::size_t first = 0; first < rows.size(); first += kRowsPerSlice) {
    const std::size_t count = std::min(kRowsPerSlice, rows.size() - first);
    if (auto done = put(std::span<const Row>(rows.data() + first, count)); !done) return done;
  }
  return ok_status();
}

}  // namespace

DocRow document_row(std::string_view sha256_hex, std::string_view format, std::string_view path,
                    std::int64_t ingested_at) {
  return DocRow{id_from_hex_prefix(sha256_hex), std::string(sha256_hex), std::string(format),
                std::string(path), ingested_at};
}

Result<IngestOutcome> ingest_document(GraphStore& store, const DocRow& doc, Document document) {
  document.deduplicate();
  IngestOutcome outcome;
  outcome.path = doc.path;
  outcome.format = doc.format;
  outcome.sha256 = doc.sha256;
  outcome.problems = std::move(document.problems);

  NodeIds ids;
  for (const NodeRef& node : document.nodes) ids(node);
  std::vector<EdgeRow> edges;
  edges.reserve(document.edges.size());
  for (EdgeFact& fact : document.edges) {
    edges.push_back(EdgeRow{ids(fact.src), ids(fact.dst), fact.kind, fact.time, fact.until, doc.id,
                            std::move(fact.note)});
  }
  std::vector<NameRow> names;
  names.reserve(document.names.size());
  for (NameFact& fact : document.names) {
    names.push_back(NameRow{ids(fact.node), std::move(fact.name), doc.id});
  }
  std::vector<SignalRow> signals;
  signals.reserve(document.signals.size());
  for (SignalFact& fact : document.signals) {
    signals.push_back(
        SignalRow{ids(fact.node), std::move(fact.finding), std::move(fact.severity), doc.id});
  }
  outcome.nodes = ids.nodes().size();
  outcome.edges = edges.size();
  outcome.names = names.size();
  outcome.signals = signals.size();

  auto begun = store.begin_document(doc);
  if (!begun) return begun.error();
  if (!*begun) {
    // The first ingest reported these; a repeat changes nothing and says nothing new.
    outcome.already_ingested = true;
    outcome.problems.clear();
    return outcome;
  }
  auto stored = put_in_slices(ids.nodes(), [&](auto rows) { return store.put_nodes(rows); });
  if (stored) stored = put_in_slices(edges, [&](auto rows) { return store.put_edges(rows); });
  if (stored) stored = put_in_slices(names, [&](auto rows) { return store.put_names(rows); });
  if (stored) stored = put_in_slices(signals, [&](auto rows) { return store.put_signals(rows); });
  if (stored) stored = store.commit_document();
  if (!stored) {
    store.rollback();
    return stored.error();
  }
  return outcome;
}

Result<IngestOutcome> ingest_file(GraphStore& store, const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file) return make_error(file.error().code, path + ": " + file.error().message);
  const Bytes content = file->bytes();
  const std::string sha256 = to_hex(digest(DigestAlgorithm::kSha256, content));
  auto document = read_document(content, path);
  if (!document) return make_error(document.error().code, path + ": " + document.error().message);
  const DocRow row = document_row(sha256, document_format_name(document->format), path,
                                  static_cast<std::int64_t>(std::time(nullptr)));
  return ingest_document(store, row, std::move(*document));
}

}  // namespace cascade::graph
