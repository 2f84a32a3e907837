// The API's routes (docs/serve.md, docs/schema/openapi.json). Everything taken from a request is
// hostile input: documents go through graph::read_document's caps, nodes through parse_node,
// numbers through bounded parses.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <utility>

#include "core/digest.h"
#include "core/time.h"
#include "graph/ingest.h"
#include "graph/model.h"
#include "graph/trace.h"
#include "hunt/hunt.h"
#include "report/hunt_report.h"
#include "scan/ioc/indicators.h"
#include "serve/server_state.h"

namespace cascade::serve {
namespace {

constexpr std::size_t kDefaultPage = 1000;
constexpr std::size_t kMaxPage = 100000;

Bytes body_bytes(const httplib::Request& request) {
  return {reinterpret_cast<const std::uint8_t*>(request.body.data()), request.body.size()};
}

void post_document(Server::State& state, const httplib::Request& request,
                   httplib::Response& response) {
  const Bytes content = body_bytes(request);
  const std::string sha256 = to_hex(digest(DigestAlgorithm::kSha256, content));
  current_request().document = sha256;
  auto document = graph::read_document(content, "the posted document");
  if (!document) {
    send_error(response, 400, "unreadable-document", document.error().message);
    return;
  }
  const graph::DocumentFormat format = document->format;
  const graph::DocRow row = graph::document_row(sha256, format, "serve:" + current_request().token,
                                                static_cast<std::int64_t>(std::time(nullptr)));
  Result<graph::IngestOutcome> outcome = [&] {
    auto store = state.stores->borrow();
    return graph::ingest_document(*store, row, std::move(document).value());
  }();
  if (!outcome) {
    send_error(response, 500, "store-failed", outcome.error().message);
    return;
  }
  // ingest_document returns once the document's transaction has committed (or found it stored).
  if (!outcome->already_ingested) {
    state.metrics.document_stored();
    state.graph->changed();
  }
  send_json(response, outcome->already_ingested ? 200 : 201,
            {{"sha256", sha256},
             {"format", graph::document_format_name(format)},
             {"nodes", outcome->nodes},
             {"edges", outcome->edges},
             {"stored", !outcome->already_ingested}});
}

void get_document(Server::State& state, const httplib::Request& request,
                  httplib::Response& response) {
  const std::string sha256 = request.matches[1];
  if (!graph::is_sha256_hex(sha256)) {
    send_error(response, 400, "bad-digest", "a document is named by its SHA-256 in lower-case hex");
    return;
  }
  auto row = [&] {
    auto store = state.stores->borrow();
    return store->find_checked_document(graph::document_id(sha256));
  }();
  if (!row) {
    send_error(response, 500, "store-failed", row.error().message);
    return;
  }
  if (!*row || (*row)->sha256 != sha256) {
    send_error(response, 404, "not-found", "no document with that SHA-256 is stored");
    return;
  }
  send_json(response, 200,
            {{"sha256", (*row)->sha256},
             {"format", (*row)->format},
             {"path", (*row)->path},
             {"ingested_at", format_rfc3339(static_cast<std::time_t>((*row)->ingested_at))}});
}

std::optional<std::size_t> page_limit(const httplib::Request& request) {
  if (!request.has_param("limit")) return kDefaultPage;
  const std::string text = request.get_param_value("limit");
  std::size_t limit = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (text.empty() || parsed.ec != std::errc{} || parsed.ptr != text.data() + text.size() ||
      limit == 0 || limit > kMaxPage) {
    return std::nullopt;
  }
  return limit;
}

void send_page(httplib::Response& response, const TracePage& page) {
  response.set_header("Cascade-Total", std::to_string(page.total));
  if (!page.next_cursor.empty()) response.set_header("Cascade-Next-Cursor", page.next_cursor);
  response.status = 200;
  response.set_content(page.body, "application/json");
}

void get_trace(Server::State& state, const httplib::Request& request, httplib::Response& response) {
  const auto limit = page_limit(request);
  if (!limit) {
    send_error(response, 400, "bad-limit", "limit is a whole number from 1 to 100000");
    return;
  }
  if (request.has_param("cursor")) {
    auto page = state.pages.next(request.get_param_value("cursor"), *limit);
    if (!page) {
      send_error(response, 400, "bad-cursor", page.error().message);
      return;
    }
    send_page(response, *page);
    return;
  }
  const bool forward = request.has_param("compromised");
  const bool root_cause = request.has_param("root-cause");
  if (forward == root_cause) {
    send_error(response, 400, "bad-query", "give exactly one of compromised=NODE, root-cause=NODE");
    return;
  }
  auto seed = graph::parse_node(request.get_param_value(forward ? "compromised" : "root-cause"));
  if (!seed) {
    send_error(response, 400, "bad-node", seed.error().message);
    return;
  }
  graph::TraceOptions options;
  if (request.has_param("since")) {
    if (root_cause) {
      send_error(response, 400, "bad-query", "since goes with compromised= only");
      return;
    }
    const auto since = parse_rfc3339(request.get_param_value("since"));
    if (!since) {
      send_error(response, 400, "bad-time", "since is an RFC 3339 time");
      return;
    }
    options.since = *since;
  }
  const std::shared_ptr<const GraphSnapshot> graph = state.graph->current();
  if (!graph->propagation.index_of(graph::node_id(*seed))) {
    send_error(response, 404, "unknown-node",
               "the node is not in the inventory (a document posted just now may take a moment)");
    return;
  }
  Result<graph::TraceResult> result = [&]() -> Result<graph::TraceResult> {
    auto store = state.stores->borrow();
    auto snapshot = graph::StoreSnapshot::take(*store);
    if (!snapshot) return snapshot.error();
    return forward ? graph::trace_forward(graph->propagation, *store, *seed, options)
                   : graph::trace_root_cause(graph->reverse, *store, *seed, options);
  }();
  if (!result) {
    send_error(response, 400, "trace-failed", result.error().message);
    return;
  }
  send_page(response, state.pages.first(std::move(result).value(), *limit));
}

// A feed is read from a file (its loaders detect the format by content and name errors by
// file), so the body goes to a file only this process may read, removed when done.
class PrivateFeedFile {
 public:
  static Result<PrivateFeedFile> write(std::string_view content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "cascade-feed-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return make_error(ErrorCode::kIo, "cannot make a private directory for the feed");
    }
    PrivateFeedFile file(pattern);
    const int fd = ::open(file.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return make_error(ErrorCode::kIo, "cannot write the feed");
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (written != content.size()) return make_error(ErrorCode::kIo, "cannot write the feed");
    return file;
  }
  PrivateFeedFile(PrivateFeedFile&& other) noexcept : directory_(std::move(other.directory_)) {
    other.directory_.clear();
  }
  PrivateFeedFile& operator=(PrivateFeedFile&&) = delete;
  PrivateFeedFile(const PrivateFeedFile&) = delete;
  PrivateFeedFile& operator=(const PrivateFeedFile&) = delete;
  ~PrivateFeedFile() {
    if (directory_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  std::string path() const { return directory_ + "/feed"; }

 private:
  explicit PrivateFeedFile(std::string directory) : directory_(std::move(directory)) {}
  std::string directory_;
};

void post_hunt(Server::State& state, const httplib::Request& request, httplib::Response& response) {
  auto file = PrivateFeedFile::write(request.body);
  if (!file) {
    send_error(response, 500, "feed-not-written", file.error().message);
    return;
  }
  scan::IndicatorSet feeds;
  if (auto loaded = feeds.load(file->path()); !loaded) {
    send_error(response, 400, "unreadable-feed", loaded.error().message);
    return;
  }
  hunt::HuntOptions options;
  options.trace = request.has_param("trace") && request.get_param_value("trace") == "true";
  const std::shared_ptr<const GraphSnapshot> graph = state.graph->current();
  Result<hunt::HuntResult> result = [&]() -> Result<hunt::HuntResult> {
    auto store = state.stores->borrow();
    auto snapshot = graph::StoreSnapshot::take(*store);
    if (!snapshot) return snapshot.error();
    return hunt::hunt(graph->propagation, *store, feeds, options);
  }();
  if (!result) {
    send_error(response, 500, "hunt-failed", result.error().message);
    return;
  }
  send_json(response, 200, report::hunt_json(*result));
}

void get_stats(Server::State& state, httplib::Response& response) {
  const std::shared_ptr<const GraphSnapshot> graph = state.graph->current();
  auto counts = [&]() -> Result<graph::StoreCounts> {
    auto store = state.stores->borrow();
    return store->counts();
  }();
  if (!counts) {
    send_error(response, 500, "store-failed", counts.error().message);
    return;
  }
  const std::chrono::duration<double> age = std::chrono::steady_clock::now() - graph->loaded_at;
  nlohmann::json body = {{"store",
                          {{"documents", counts->documents},
                           {"nodes", counts->nodes},
                           {"edges", counts->edges},
                           {"signals", counts->signals}}},
                         {"graph",
                          {{"generation", graph->generation},
                           {"documents", graph->documents},
                           {"nodes", graph->propagation.node_count()},
                           {"edges", graph->propagation.stored_edges},
                           {"age_seconds", age.count()},
                           {"refresh", state.graph->refresh()}}}};
  if (const std::string failed = state.graph->last_error(); !failed.empty()) {
    body["graph"]["last_error"] = failed;
  }
  send_json(response, 200, body);
}

}  // namespace

void send_json(httplib::Response& response, int status, const nlohmann::json& body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

void register_handlers(Server::State& state) {
  httplib::Server& http = *state.http;
  Server::State* raw = &state;
  http.Post("/api/v1/documents",
            [raw](const httplib::Request& request, httplib::Response& response) {
              post_document(*raw, request, response);
            });
  http.Get(R"(/api/v1/documents/([^/]+))",
           [raw](const httplib::Request& request, httplib::Response& response) {
             get_document(*raw, request, response);
           });
  http.Get("/api/v1/trace", [raw](const httplib::Request& request, httplib::Response& response) {
    get_trace(*raw, request, response);
  });
  http.Post("/api/v1/hunt", [raw](const httplib::Request& request, httplib::Response& response) {
    post_hunt(*raw, request, response);
  });
  register_node_handlers(state);
  http.Get("/api/v1/stats", [raw](const httplib::Request& /*request*/,
                                  httplib::Response& response) { get_stats(*raw, response); });
  http.Get("/api/v1/openapi.json",
           [](const httplib::Request& /*request*/, httplib::Response& response) {
             response.set_content(std::string(openapi_document()), "application/json");
           });
  http.Get("/healthz", [](const httplib::Request& /*request*/, httplib::Response& response) {
    send_json(response, 200, {{"status", "ok"}});
  });
  http.Get("/metrics", [raw](const httplib::Request& /*request*/, httplib::Response& response) {
    response.set_content(
        raw->metrics.render(*raw->graph->current(), std::chrono::steady_clock::now()),
        "text/plain; version=0.0.4");
  });
}

}  // namespace cascade::serve
