// graph ingest: one file (or one already-read Document) into a store, once. A document is
// identified by the SHA-256 of its bytes; storing it again changes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "graph/facts.h"
#include "graph/store.h"

namespace cascade::graph {

struct IngestOutcome {
  std::string path;
  std::string format;  // document_format_name(), empty if unreadable
  std::string sha256;
  bool already_ingested = false;
  std::uint64_t nodes = 0;  // distinct nodes the document names
  std::uint64_t edges = 0;  // after de-duplication
  std::uint64_t names = 0;
  std::uint64_t signals = 0;
  std::vector<DocumentProblem> problems;  // skipped parts (malformed lines, ...)
};

// Reads, parses and stores `path`. An error means nothing from the file was stored.
Result<IngestOutcome> ingest_file(GraphStore& store, const std::string& path);

// Stores an already parsed document under `doc` (id, sha256, format, path, ingested_at filled
// by the caller). The bench generator and ingest_file share this.
Result<IngestOutcome> ingest_document(GraphStore& store, const DocRow& doc, Document document);

// The row identity of a document's bytes: id = first 63 bits of the SHA-256, as node ids.
DocRow document_row(std::string_view sha256_hex, std::string_view format, std::string_view path,
                    std::int64_t ingested_at);

}  // namespace cascade::graph
