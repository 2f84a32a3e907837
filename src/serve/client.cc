#include "serve/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "core/strict_json.h"
#include "serve/server.h"

namespace cascade::serve {
namespace {

constexpr int kHttpPort = 80;
constexpr int kHttpsPort = 443;
constexpr int kMaxPort = 65535;
// A token is 64 hex digits; a file much longer than a line of one is not a token file.
constexpr std::size_t kMaxTokenFileBytes = 4096;
constexpr std::string_view kDocumentType = "application/octet-stream";

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

bool is_path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '.' || c == '-' ||
         c == '_' || c == '~';
}

Error url_error(std::string_view text, std::string_view why) {
  return make_error(ErrorCode::kUsage, "not a server URL (" + std::string(why) +
                                           "): " + std::string(text.substr(0, 200)));
}

// One reading of the host part: a bracketed IPv6 address, or a DNS name / IPv4 address.
Result<std::string> parse_host(std::string_view whole, std::string_view host) {
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) return url_error(whole, "an IPv6 address ends with ]");
    std::string inner(host.substr(1, host.size() - 2));
    in6_addr address{};
    if (inet_pton(AF_INET6, inner.c_str(), &address) != 1) {
      return url_error(whole, "not an IPv6 address");
    }
    return inner;
  }
  if (host.empty()) return url_error(whole, "no host");
  for (const char c : host) {
    if (!is_host_char(c)) return url_error(whole, "a host is letters, digits, dots and hyphens");
  }
  if (host.starts_with('-') || host.starts_with('.') || host.find("..") != std::string::npos) {
    return url_error(whole, "malformed host name");
  }
  return std::string(host);
}

std::string trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

Result<ServerUrl> parse_server_url(std::string_view text) {
  ServerUrl url;
  std::string_view rest;
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  const auto starts_with_nocase = [&](std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
  };
  if (starts_with_nocase(kHttps)) {
    url.scheme = Scheme::kHttps;
    rest = text.substr(kHttps.size());
  } else if (starts_with_nocase(kHttp)) {
    url.scheme = Scheme::kHttp;
    rest = text.substr(kHttp.size());
  } else {
    return url_error(text, "it starts with http:// or https://");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return url_error(text, "no user name or password in the URL; the token goes in --token-file");
  }
  // The port follows the last colon, unless that colon is inside an IPv6 address's brackets.
  std::string_view host = authority;
  std::string_view port;
  if (const std::size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return url_error(text, "an empty port");
  }
  auto parsed_host = parse_host(text, host);
  if (!parsed_host) return parsed_host.error();
  url.host = std::move(parsed_host).value();
  url.port = url.scheme == Scheme::kHttps ? kHttpsPort : kHttpPort;
  if (!port.empty()) {
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (ec != std::errc{} || end != port.data() + port.size() || url.port < 1 ||
        url.port > kMaxPort) {
      return url_error(text, "a port is a number from 1 to 65535");
    }
  }
  for (const char c : path) {
    if (!is_path_char(c)) {
      return url_error(text,
                       "no query or fragment; a path prefix is letters, digits and / . - _ ~");
    }
  }
  url.base = std::string(path);
  while (url.base.ends_with('/')) url.base.pop_back();
  return url;
}

std::string format_server_url(const ServerUrl& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  return std::string(url.scheme == Scheme::kHttps ? "https://" : "http://") +
         (ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port) + url.base;
}

Result<std::string> read_token_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot open the token file " + path);
  struct stat st {};
  std::string content;
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && st.st_uid == ::geteuid() && (st.st_mode & 077) == 0) {
    std::array<char, kMaxTokenFileBytes + 1> buffer{};
    ssize_t n = 0;
    while (content.size() <= kMaxTokenFileBytes &&
           (n = ::read(fd, buffer.data(), buffer.size())) > 0) {
      content.append(buffer.data(), static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  if (!regular) return make_error(ErrorCode::kUsage, "the token file " + path + " is not a file");
  if (st.st_uid != ::geteuid()) {
    return make_error(ErrorCode::kUsage,
                      "the token file " + path + " belongs to another user: refused");
  }
  if ((st.st_mode & 077) != 0) {
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(ErrorCode::kUsage, "the token file " + path +
                                             " may be read by others (mode " + mode.data() +
                                             "): refused; chmod 600 " + path);
  }
  if (content.size() > kMaxTokenFileBytes) {
    return make_error(ErrorCode::kLimit, "the token file " + path + " is too long for a token");
  }
  std::string token = trimmed(std::string_view(content).substr(0, content.find('\n')));
  if (token.empty()) return make_error(ErrorCode::kUsage, "the token file " + path + " is empty");
  for (const char c : token) {
    // The token goes into a header line: nothing that could end it or hide in it.
    if (c <= ' ' || c > '~') {
      return make_error(ErrorCode::kUsage,
                        "the token in " + path + " holds a space or a control character");
    }
  }
  return token;
}

std::string Reply::error_message() const {
  auto parsed = parse_strict_json(body);
  if (parsed && parsed->is_object()) {
    const auto error = parsed->find("error");
    if (error != parsed->end() && error->is_object()) {
      const auto message = error->find("message");
      if (message != error->end() && message->is_string()) {
        return "HTTP " + std::to_string(status) + ": " + message->get<std::string>();
      }
    }
  }
  return "HTTP " + std::to_string(status);
}

Delivery classify(const Result<Reply>& reply) {
  if (!reply) {
    // Too large to send is as final as a 413; anything else was the way to the server.
    return reply.error().code == ErrorCode::kLimit ? Delivery::kRejected : Delivery::kUnreachable;
  }
  const int status = reply->status;
  if (status >= 200 && status < 300) return Delivery::kStored;
  if (status == 401 || status == 403) return Delivery::kTokenRefused;
  if (status == 429 || status == 408 || status >= 500 || status < 200) {
    return Delivery::kUnreachable;
  }
  if (status >= 300 && status < 400) return Delivery::kUnreachable;  // a proxy's detour
  return Delivery::kRejected;
}

struct Client::Connection {
  std::unique_ptr<httplib::ClientImpl> http;
  std::string token;
  std::string base;
};

Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::open(const ClientOptions& options) {
  auto url = parse_server_url(options.url);
  if (!url) return url.error();
  if (url->scheme == Scheme::kHttp && !options.insecure_http && !is_loopback(url->host)) {
    return make_error(ErrorCode::kUsage,
                      "plain HTTP is used only to a loopback address: use https://, or "
                      "--insecure-http to send the token and documents unencrypted");
  }
  if (!options.server_ca.empty() && url->scheme == Scheme::kHttp) {
    return make_error(ErrorCode::kUsage, "--server-ca goes with an https:// URL");
  }
  if (options.token_file.empty()) {
    return make_error(ErrorCode::kUsage, "a server needs --token-file FILE");
  }
  auto token = read_token_file(options.token_file);
  if (!token) return token.error();
  Client client;
  client.url_text_ = format_server_url(*url);
  client.connection_ = std::make_unique<Connection>();
  Connection& connection = *client.connection_;
  connection.token = std::move(token).value();
  connection.base = url->base;
  if (url->scheme == Scheme::kHttps) {
    auto tls = std::make_unique<httplib::SSLClient>(url->host, url->port);
    tls->enable_server_certificate_verification(true);
    if (!options.server_ca.empty()) {
      if (::access(options.server_ca.c_str(), R_OK) != 0) {
        return make_error(ErrorCode::kIo, "cannot read --server-ca " + options.server_ca);
      }
      tls->set_ca_cert_path(options.server_ca);
    }
    connection.http = std::move(tls);
  } else {
    connection.http = std::make_unique<httplib::ClientImpl>(url->host, url->port);
  }
  connection.http->set_connection_timeout(options.connect_timeout);
  connection.http->set_read_timeout(options.timeout);
  connection.http->set_write_timeout(options.timeout);
  connection.http->set_keep_alive(true);
  connection.http->set_follow_location(false);
  connection.http->set_bearer_token_auth(connection.token);
  return client;
}

namespace {

Result<Reply> reply_of(const httplib::Result& result, const std::string& url) {
  if (!result) {
    return make_error(ErrorCode::kIo,
                      "cannot reach " + url + ": " + httplib::to_string(result.error()));
  }
  Reply reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.next_cursor = result->get_header_value("Cascade-Next-Cursor");
  return reply;
}

}  // namespace

Result<Reply> Client::post_document(std::string_view document) {
  if (document.size() > kMaxDocumentBytes) {
    return make_error(ErrorCode::kLimit, "the document is larger than the 64 MiB a server takes");
  }
  const std::string path = connection_->base + "/api/v1/documents";
  return reply_of(
      connection_->http->Post(path, document.data(), document.size(), std::string(kDocumentType)),
      url_text_);
}

Result<Reply> Client::get(const std::string& path_and_query) {
  const std::string path = connection_->base + path_and_query;
  return reply_of(connection_->http->Get(path), url_text_);
}

std::string url_encode(std::string_view value) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace cascade::serve
