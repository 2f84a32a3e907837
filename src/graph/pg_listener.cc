#include "graph/pg_listener.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "graph/pg_store_internal.h"

namespace cascade::graph {
namespace {

constexpr std::chrono::milliseconds kFirstRetry{500};
constexpr std::chrono::milliseconds kLongestRetry{10000};

std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

bool is_postgres_spec(std::string_view spec) {
  return spec.starts_with("postgresql://") || spec.starts_with("postgres://");
}

// The listening connection: connected and LISTENing, or an error.
class DocumentListener::Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& uri) {
    // The URI's own settings win (expand_dbname applies it after these). Keepalives find a peer
    // that vanished without closing the connection, which would otherwise look merely quiet.
    const std::vector<const char*> keywords = {"fallback_application_name",
                                               "connect_timeout",
                                               "keepalives_idle",
                                               "keepalives_interval",
                                               "keepalives_count",
                                               "dbname",
                                               nullptr};
    const std::vector<const char*> values = {"cascade listener", "5",    "10", "5", "3",
                                             uri.c_str(),        nullptr};
    pg::Connection connection(PQconnectdbParams(keywords.data(), values.data(), 1));
    if (!connection || PQstatus(connection.get()) != CONNECTION_OK) {
      return make_error(ErrorCode::kIo,
                        "cannot connect to PostgreSQL to listen for documents: " +
                            trimmed(connection ? PQerrorMessage(connection.get()) : "no memory"));
    }
    // A lost connection is handled (reconnect; /api/v1/stats shows the poll meanwhile), so
    // libpq's own report of it on standard error would only alarm.
    PQsetNoticeProcessor(
        connection.get(), [](void* /*unused*/, const char* /*message*/) {}, nullptr);
    const std::string sql = "LISTEN " + std::string(kDocumentChannel);
    const pg::PgResult listened(PQexec(connection.get(), sql.c_str()));
    if (!listened || PQresultStatus(listened.get()) != PGRES_COMMAND_OK) {
      const char* state = listened ? PQresultErrorField(listened.get(), PG_DIAG_SQLSTATE) : nullptr;
      return make_error(state != nullptr && std::string_view(state) == "0A000"
                            ? ErrorCode::kUnsupported
                            : ErrorCode::kIo,
                        "PostgreSQL refused LISTEN: " + trimmed(PQerrorMessage(connection.get())));
    }
    auto made = std::unique_ptr<Connection>(new Connection(std::move(connection)));
    return made;
  }

  int socket() const { return PQsocket(connection_.get()); }

  // Reads what arrived: whether a notice on the channel was among it; an error once the
  // connection is lost.
  Result<bool> take_notices() {
    if (PQconsumeInput(connection_.get()) == 0 || PQstatus(connection_.get()) != CONNECTION_OK) {
      return make_error(ErrorCode::kIo, "the listening connection was lost: " +
                                            trimmed(PQerrorMessage(connection_.get())));
    }
    bool notified = false;
    while (PGnotify* notice = PQnotifies(connection_.get())) {
      notified = notified || std::string_view(notice->relname) == kDocumentChannel;
      PQfreemem(notice);
    }
    return notified;
  }

 private:
  explicit Connection(pg::Connection connection) : connection_(std::move(connection)) {}
  pg::Connection connection_;
};

DocumentListener::DocumentListener(std::string uri, Callback changed)
    : uri_(std::move(uri)), changed_(std::move(changed)) {}

Result<std::unique_ptr<DocumentListener>> DocumentListener::start(const std::string& uri,
                                                                  Callback changed) {
  std::unique_ptr<DocumentListener> listener(new DocumentListener(uri, std::move(changed)));
  listener->stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (listener->stop_fd_ < 0) return make_error(ErrorCode::kIo, "cannot make an eventfd");
  auto first = Connection::open(uri);
  if (!first && first.error().code == ErrorCode::kUnsupported) return first.error();
  std::unique_ptr<Connection> connection = first ? std::move(first).value() : nullptr;
  listener->listening_ = connection != nullptr;
  listener->thread_ = std::thread([raw = listener.get(), owned = connection.release()] {
    raw->run(std::unique_ptr<Connection>(owned));
  });
  return listener;
}

DocumentListener::~DocumentListener() {
  if (stop_fd_ >= 0) {
    const std::uint64_t one = 1;
    (void)::write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void DocumentListener::run(std::unique_ptr<Connection> connection) {
  std::chrono::milliseconds retry = kFirstRetry;
  for (;;) {
    if (!connection) {
      // Waits before each attempt, so a server that refuses at once is not hammered.
      pollfd stop{stop_fd_, POLLIN, 0};
      if (::poll(&stop, 1, static_cast<int>(retry.count())) != 0) return;
      auto reopened = Connection::open(uri_);
      if (!reopened) {
        retry = std::min(retry * 2, kLongestRetry);
        continue;
      }
      connection = std::move(reopened).value();
      retry = kFirstRetry;
      listening_ = true;
      // Whatever committed while nobody listened was told to no one.
      changed_(Cause::kReconnected);
    }
    std::array<pollfd, 2> waits{pollfd{stop_fd_, POLLIN, 0},
                                pollfd{connection->socket(), POLLIN, 0}};
    if (::poll(waits.data(), waits.size(), -1) < 0) continue;  // EINTR
    if (waits[0].revents != 0) return;
    auto notified = connection->take_notices();
    if (!notified) {
      listening_ = false;
      connection.reset();
      continue;
    }
    if (*notified) changed_(Cause::kNotified);
  }
}

}  // namespace cascade::graph
