#include "graph/ingest.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "core/bounded_queue.h"
#include "core/digest.h"
#include "core/mapped_file.h"
#include "graph/ingest_rows.h"

namespace cascade::graph {
namespace {

// Rows are handed to the store in slices, so a large document never needs a second full copy.
constexpr std::size_t kRowsPerSlice = 65536;
// Hand-overs queued between the threads: room for a whole 1M-edge document's slices (about 6 MB
// each), so the converting thread can finish the next document while the writing one commits.
constexpr std::size_t kQueuedHandovers = 24;

template <typename Row, typename Put>
Status put_in_slices(const std::vector<Row>& rows, Put put) {
  for (std::size_t first = 0; first < rows.size(); first += kRowsPerSlice) {
    const std::size_t count = std::min(kRowsPerSlice, rows.size() - first);
    if (auto done = put(std::span<const Row>(rows.data() + first, count)); !done) return done;
  }
  return ok_status();
}

// What the converting thread hands the writing one: per document a start, its edge slices and
// an end with the remaining rows; or, for a document that could not be read, its error.
struct Handover {
  enum class Step { kStart, kSlice, kEnd, kUnreadable };
  Step step = Step::kStart;
  std::shared_ptr<const PendingDocument> document;  // kStart
  EdgeSlice slice;                                  // kSlice
  RestRows rest;                                    // kEnd
  std::uint64_t nodes = 0;                          // kEnd: distinct nodes and edges
  std::uint64_t edges = 0;
  Error error{ErrorCode::kIo, ""};  // kUnreadable
};

// Reads every document from `next` and converts it, handing the results on in order. Stops early
// when `hand_over` returns false (the writer gave up).
template <typename HandOver>
void convert_documents(const DocumentSource& next, HandOver hand_over) {
  while (auto pending = next()) {
    if (!*pending) {
      Handover unreadable{.step = Handover::Step::kUnreadable, .error = pending->error()};
      if (!hand_over(std::move(unreadable))) return;
      continue;
    }
    std::stable_sort(
        (*pending)->document.problems.begin(), (*pending)->document.problems.end(),
        [](const DocumentProblem& a, const DocumentProblem& b) { return a.line < b.line; });
    auto document = std::make_shared<const PendingDocument>(std::move(**pending));
    if (!hand_over(Handover{.step = Handover::Step::kStart, .document = document})) return;
    RowConverter converter(document->document, document->row.id);
    while (!converter.edges_done()) {
      Handover slice{.step = Handover::Step::kSlice, .slice = converter.next_edges(kRowsPerSlice)};
      if (!hand_over(std::move(slice))) return;
    }
    Handover end{.step = Handover::Step::kEnd, .rest = converter.rest()};
    end.nodes = converter.distinct_nodes();
    end.edges = converter.distinct_edges();
    if (!hand_over(std::move(end))) return;
  }
}

// The writing side: one transaction per document, its outcome reported at the document's end.
class DocumentWriter {
 public:
  DocumentWriter(GraphStore& store, const OutcomeSink& done) : store_(store), done_(done) {}

  void take(Handover item) {
    switch (item.step) {
      case Handover::Step::kUnreadable:
        done_(std::move(item.error));
        return;
      case Handover::Step::kStart:
        start(std::move(item.document));
        return;
      case Handover::Step::kSlice:
        if (storing_) keep_first_failure(put_slice(item.slice));
        return;
      case Handover::Step::kEnd:
        end(item);
        return;
    }
  }

 private:
  void start(std::shared_ptr<const PendingDocument> document) {
    document_ = std::move(document);
    status_ = ok_status();
    repeat_ = false;
    storing_ = false;
    auto begun = store_.begin_document(document_->row);
    if (!begun) {
      status_ = begun.error();
      return;
    }
    // A repeat is converted without storing anything, for the counts the first ingest reported.
    repeat_ = !*begun;
    storing_ = *begun;
  }
  Status put_slice(const EdgeSlice& slice) {
    if (auto done = put_in_slices(slice.nodes, [&](auto rows) { return store_.put_nodes(rows); });
        !done) {
      return done;
    }
    return put_in_slices(slice.edges, [&](auto rows) { return store_.put_edges(rows); });
  }
  // Keeps the first failure and rolls the document back.
  void keep_first_failure(Status status) {
    if (status) return;
    status_ = std::move(status);
    storing_ = false;
    store_.rollback();
  }
  void end(const Handover& item) {
    const std::shared_ptr<const PendingDocument> document = std::exchange(document_, nullptr);
    const DocRow& row = document->row;
    if (storing_) {
      keep_first_failure(
          put_in_slices(item.rest.nodes, [&](auto rows) { return store_.put_nodes(rows); }));
    }
    if (storing_) {
      keep_first_failure(
          put_in_slices(item.rest.names, [&](auto rows) { return store_.put_names(rows); }));
    }
    if (storing_) {
      keep_first_failure(
          put_in_slices(item.rest.signals, [&](auto rows) { return store_.put_signals(rows); }));
    }
    if (storing_) {
      keep_first_failure(
          put_in_slices(item.rest.signers, [&](auto rows) { return store_.put_signers(rows); }));
    }
    if (storing_) keep_first_failure(store_.commit_document());
    if (!status_) {
      done_(status_.error());
      return;
    }
    IngestOutcome outcome;
    outcome.path = row.path;
    outcome.format = document->document.format;
    outcome.sha256 = row.sha256;
    outcome.already_ingested = repeat_;
    outcome.nodes = item.nodes;
    outcome.edges = item.edges;
    outcome.names = item.rest.names.size();
    outcome.signals = item.rest.signals.size();
    outcome.signers = item.rest.signers.size();
    // A repeat's problems were reported by its first ingest and are not repeated.
    if (!repeat_) outcome.problems = document->document.problems;
    done_(std::move(outcome));
  }

  GraphStore& store_;
  const OutcomeSink& done_;
  std::shared_ptr<const PendingDocument> document_;
  Status status_ = ok_status();
  bool repeat_ = false;
  bool storing_ = false;
};

Result<PendingDocument> read_pending(const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file) return make_error(file.error().code, path + ": " + file.error().message);
  const Bytes content = file->bytes();
  const std::string sha256 = to_hex(digest(DigestAlgorithm::kSha256, content));
  auto document = read_document(content, path);
  if (!document) return make_error(document.error().code, path + ": " + document.error().message);
  DocRow row =
      document_row(sha256, document->format, path, static_cast<std::int64_t>(std::time(nullptr)));
  return PendingDocument{std::move(row), std::move(*document)};
}

Result<IngestOutcome> ingest_one(GraphStore& store, std::optional<Result<PendingDocument>> one) {
  std::optional<Result<IngestOutcome>> outcome;
  ingest_documents(
      store, [&]() { return std::exchange(one, std::nullopt); },
      [&](Result<IngestOutcome> result) { outcome.emplace(std::move(result)); });
  return std::move(*outcome);
}

}  // namespace

DocRow document_row(std::string_view sha256_hex, DocumentFormat format, std::string_view path,
                    std::int64_t ingested_at) {
  return DocRow{document_id(sha256_hex), std::string(sha256_hex),
                std::string(document_format_name(format)), std::string(path), ingested_at};
}

void ingest_documents(GraphStore& store, const DocumentSource& next, const OutcomeSink& done) {
  DocumentWriter writer(store, done);
  BoundedQueue<Handover> queue(kQueuedHandovers);
  std::thread converting;
  try {
    converting = std::thread([&] {
      convert_documents(next, [&](Handover item) { return queue.push(std::move(item)); });
      queue.finish();
    });
  } catch (const std::system_error&) {
    // No thread to be had (a process at its limit): the same work, one step after another.
    convert_documents(next, [&](Handover item) {
      writer.take(std::move(item));
      return true;
    });
    return;
  }
  while (auto item = queue.pop()) writer.take(std::move(*item));
  converting.join();
}

void ingest_files(GraphStore& store, std::span<const std::string> paths, const OutcomeSink& done) {
  std::size_t next_path = 0;
  ingest_documents(
      store,
      [&]() -> std::optional<Result<PendingDocument>> {
        if (next_path == paths.size()) return std::nullopt;
        return read_pending(paths[next_path++]);
      },
      done);
}

Result<IngestOutcome> ingest_file(GraphStore& store, const std::string& path) {
  return ingest_one(store, read_pending(path));
}

Result<IngestOutcome> ingest_document(GraphStore& store, const DocRow& doc, Document document) {
  return ingest_one(store, PendingDocument{doc, std::move(document)});
}

}  // namespace cascade::graph
