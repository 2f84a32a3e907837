// graph ingest: files (or already-read Documents) into a store, each once. A document is
// identified by the SHA-256 of its bytes; storing it again changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "graph/facts.h"
#include "graph/store.h"

namespace cascade::graph {

struct IngestOutcome {
  std::string path;
  DocumentFormat format = DocumentFormat::kEvents;
  std::string sha256;
  bool already_ingested = false;
  std::uint64_t nodes = 0;  // distinct nodes the document names
  std::uint64_t edges = 0;  // after de-duplication
  std::uint64_t names = 0;
  std::uint64_t signals = 0;
  std::uint64_t signers = 0;              // certificates of the artifacts' signatures
  std::vector<DocumentProblem> problems;  // skipped parts (malformed lines, ...)
};

// A document to store: its identity (id, sha256, format, path, ingested_at) and its facts.
struct PendingDocument {
  DocRow row;
  Document document;
};

// The next document; an error for one that could not be read (reported in its place, and the
// run goes on); nullopt after the last. Called on the converting thread, one call at a time.
using DocumentSource = std::function<std::optional<Result<PendingDocument>>()>;
// Each document's outcome, in the order the source gave them, on the calling thread. An error
// means nothing from that document was stored.
using OutcomeSink = std::function<void(Result<IngestOutcome>)>;

// Stores every document `next` gives, each in its own transaction. The next documents are read
// and converted to rows on a second thread while the calling thread writes the previous one to
// the store, so neither side waits at document boundaries.
void ingest_documents(GraphStore& store, const DocumentSource& next, const OutcomeSink& done);

// Reads, parses and stores each of `paths` in turn (reading the next while storing this one).
void ingest_files(GraphStore& store, std::span<const std::string> paths, const OutcomeSink& done);

// One file or one already parsed document, through the same path.
Result<IngestOutcome> ingest_file(GraphStore& store, const std::string& path);
Result<IngestOutcome> ingest_document(GraphStore& store, const DocRow& doc, Document document);

// The row identity of a document's bytes: id = first 63 bits of the SHA-256, as node ids.
DocRow document_row(std::string_view sha256_hex, DocumentFormat format, std::string_view path,
                    std::int64_t ingested_at);

}  // namespace cascade::graph
