// Hearing about documents other connections commit to a PostgreSQL store, as they commit: the
// store sends NOTIFY on kDocumentChannel (payload: the document's SHA-256) right after each
// document's COMMIT, and a DocumentListener keeps one connection of its own LISTENing there. It
// reconnects when that connection is lost (then calls back once, since notices sent meanwhile
// are gone), so a caller that also polls now and then never misses a document for long.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.h"

namespace cascade::graph {

inline constexpr std::string_view kDocumentChannel = "cascade_documents";

// Whether `spec` names a PostgreSQL store (open_store's rule).
bool is_postgres_spec(std::string_view spec);

class DocumentListener {
 public:
  // Why the callback was called.
  enum class Cause { kNotified, kReconnected };
  using Callback = std::function<void(Cause)>;

  // Connects to `uri` and LISTENs before returning when it can (an error for an engine that
  // refuses LISTEN, which will never notify); a server it cannot reach yet is retried on the
  // listener's thread. `changed` runs on that thread.
  static Result<std::unique_ptr<DocumentListener>> start(const std::string& uri, Callback changed);
  DocumentListener(const DocumentListener&) = delete;
  DocumentListener& operator=(const DocumentListener&) = delete;
  ~DocumentListener();  // stops the thread and closes the connection

  // Whether the listening connection is up right now.
  bool listening() const { return listening_.load(); }

 private:
  class Connection;
  DocumentListener(std::string uri, Callback changed);
  void run(std::unique_ptr<Connection> first);

  std::string uri_;
  Callback changed_;
  int stop_fd_ = -1;  // an eventfd: written once to end run()'s wait at once
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

}  // namespace cascade::graph
