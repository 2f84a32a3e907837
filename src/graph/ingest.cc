#include "graph/ingest.h"

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "core/digest.h"
#include "core/mapped_file.h"
#include "graph/ingest_rows.h"

namespace cascade::graph {
namespace {

// Rows are handed to the store in slices, so a large document never needs a second full copy.
constexpr std::size_t kRowsPerSlice = 65536;
constexpr std::size_t kFirstSlice = 4096;

std::int64_t id_from_hex_prefix(std::string_view hex) {
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    const char c = hex[i];
    const int digit = c >= 'a' ? c - 'a' + 10 : c - '0';
    id = (id << 4) | static_cast<std::uint64_t>(digit & 0xf);
  }
  return static_cast<std::int64_t>(id >> 1);
}

template <typename Row, typename Put>
Status put_in_slices(const std::vector<Row>& rows, Put put) {
  for (std::size_t first = 0; first < rows.size(); first += kRowsPerSlice) {
    const std::size_t count = std::min(kRowsPerSlice, rows.size() - first);
    if (auto done = put(std::span<const Row>(rows.data() + first, count)); !done) return done;
  }
  return ok_status();
}

Status put_slice(GraphStore& store, const EdgeSlice& slice) {
  if (auto done = put_in_slices(slice.nodes, [&](auto rows) { return store.put_nodes(rows); });
      !done) {
    return done;
  }
  return put_in_slices(slice.edges, [&](auto rows) { return store.put_edges(rows); });
}

// Converted slices waiting for the store: a small bounded hand-over between the converting
// thread and the writing one, so memory stays at a few slices whatever the document's size.
class SliceQueue {
 public:
  // False when the consumer gave up (a store error); the producer then stops.
  bool push(EdgeSlice slice) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || slices_.size() < kQueuedSlices; });
    if (cancelled_) return false;
    slices_.push_back(std::move(slice));
    changed_.notify_all();
    return true;
  }
  std::optional<EdgeSlice> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_ || !slices_.empty(); });
    if (slices_.empty()) return std::nullopt;
    EdgeSlice slice = std::move(slices_.front());
    slices_.pop_front();
    changed_.notify_all();
    return slice;
  }
  void finish() {
    const std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }
  void cancel() {
    const std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }

 private:
  static constexpr std::size_t kQueuedSlices = 3;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<EdgeSlice> slices_;
  bool finished_ = false;
  bool cancelled_ = false;
};

// Converts and stores every edge. Large documents convert on a second thread while this one
// writes: conversion (hashing keys, de-duplication) and the store's inserts cost about the same.
Status put_edges_inline(GraphStore* store, RowConverter& converter) {
  while (!converter.edges_done()) {
    EdgeSlice slice = converter.next_edges(kRowsPerSlice);
    if (store == nullptr) continue;
    if (auto done = put_slice(*store, slice); !done) return done;
  }
  return ok_status();
}

Status put_edges(GraphStore* store, RowConverter& converter, std::size_t edge_count) {
  if (edge_count <= kRowsPerSlice) return put_edges_inline(store, converter);
  SliceQueue queue;
  std::thread converting;
  try {
    converting = std::thread([&] {
      // A small first slice: the writer, the slower side, starts after milliseconds instead of
      // waiting for a full slice at every document.
      std::size_t slice_size = kFirstSlice;
      while (!converter.edges_done()) {
        if (!queue.push(converter.next_edges(slice_size))) break;
        slice_size = kRowsPerSlice;
      }
      queue.finish();
    });
  } catch (const std::system_error&) {
    // No thread to be had (a process at its limit): the same work, one slice after another.
    return put_edges_inline(store, converter);
  }
  Status status = ok_status();
  while (auto slice = queue.pop()) {
    if (store == nullptr || !status) continue;
    status = put_slice(*store, *slice);
    if (!status) queue.cancel();
  }
  converting.join();
  return status;
}

}  // namespace

DocRow document_row(std::string_view sha256_hex, std::string_view format, std::string_view path,
                    std::int64_t ingested_at) {
  return DocRow{id_from_hex_prefix(sha256_hex), std::string(sha256_hex), std::string(format),
                std::string(path), ingested_at};
}

Result<IngestOutcome> ingest_document(GraphStore& store, const DocRow& doc, Document document) {
  IngestOutcome outcome;
  outcome.path = doc.path;
  outcome.format = doc.format;
  outcome.sha256 = doc.sha256;
  std::stable_sort(
      document.problems.begin(), document.problems.end(),
      [](const DocumentProblem& a, const DocumentProblem& b) { return a.line < b.line; });
  outcome.problems = std::move(document.problems);

  auto begun = store.begin_document(doc);
  if (!begun) return begun.error();
  // A repeat is converted without storing anything, for the counts the first ingest reported;
  // its problems were reported then and are not repeated.
  GraphStore* writer = *begun ? &store : nullptr;
  if (writer == nullptr) {
    outcome.already_ingested = true;
    outcome.problems.clear();
  }
  RowConverter converter(document, doc.id);
  Status stored = put_edges(writer, converter, document.edges.size());
  const RestRows rest = converter.rest();
  outcome.nodes = converter.distinct_nodes();
  outcome.edges = converter.distinct_edges();
  outcome.names = rest.names.size();
  outcome.signals = rest.signals.size();
  if (writer == nullptr) return outcome;
  if (stored) stored = put_in_slices(rest.nodes, [&](auto rows) { return store.put_nodes(rows); });
  if (stored) stored = put_in_slices(rest.names, [&](auto rows) { return store.put_names(rows); });
  if (stored) {
    stored = put_in_slices(rest.signals, [&](auto rows) { return store.put_signals(rows); });
  }
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
