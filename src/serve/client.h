// The client side of cascade serve (docs/serve.md, "Clients"): a strictly parsed server URL, a
// bearer token read from a private file, and requests with timeouts whose failures come back as
// values. What the CLI's --report-to, --to and --server options speak through.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cascade::serve {

enum class Scheme { kHttp, kHttps };

struct ServerUrl {
  Scheme scheme = Scheme::kHttps;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  int port = 0;      // the scheme's default when the URL names none
  std::string base;  // a path prefix before /api/v1, without a trailing slash ("" or "/cascade")
};

// http://HOST[:PORT][/PREFIX] or https://...: no user, query or fragment, a port from 1 to 65535,
// a host of letters, digits, dots and hyphens (or a bracketed IPv6 address).
Result<ServerUrl> parse_server_url(std::string_view text);
std::string format_server_url(const ServerUrl& url);

// The token is the file's first line, trimmed. Like ssh with a private key, a file that its
// group or others may read (or that is not a regular file owned by this user) is refused.
Result<std::string> read_token_file(const std::string& path);

// Documents above this are not sent (cascade serve's default --max-body).
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{64} << 20;

struct ClientOptions {
  std::string url;
  std::string token_file;
  std::string server_ca;       // PEM: trust this CA (only) instead of the system's store
  bool insecure_http = false;  // plain HTTP to a host other than loopback
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{300};  // each read or write of a request
};

// What a request came back with. Not reaching the server at all is an Error instead.
struct Reply {
  int status = 0;
  std::string body;
  std::string next_cursor;  // Cascade-Next-Cursor, on a paged trace
  // The message of the API's JSON error ({"error": {"message": ...}}), else the status.
  std::string error_message() const;
};

// How a sender should take an answer about a document.
enum class Delivery {
  kStored,        // 2xx: durably stored (or already was)
  kUnreachable,   // no answer, 5xx or 429: try again later
  kTokenRefused,  // 401 or 403: keep it, fix the token
  kRejected,      // any other 4xx (400, 413, ...): resending the same bytes cannot help
};
Delivery classify(const Result<Reply>& reply);

class Client {
 public:
  // Parses the URL, reads the token and refuses plain HTTP to a host other than loopback unless
  // `insecure_http`; no connection is made yet.
  static Result<Client> open(const ClientOptions& options);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // POST /api/v1/documents.
  Result<Reply> post_document(std::string_view document);
  // GET of a path under the API (e.g. "/api/v1/trace?compromised=..."), already encoded.
  Result<Reply> get(const std::string& path_and_query);
  const std::string& url() const { return url_text_; }

 private:
  struct Connection;
  Client() = default;
  std::unique_ptr<Connection> connection_;
  std::string url_text_;
};

// Query-string encoding of one parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view value);

}  // namespace cascade::serve
