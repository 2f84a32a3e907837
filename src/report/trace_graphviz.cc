#include "report/trace_graphviz.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace cascade::report {
namespace {

using graph::AffectedNode;
using graph::EdgeKind;
using graph::NodeKind;
using graph::NodeRef;
using graph::PathHop;
using graph::TraceResult;

// ---------------------------------------------------------------------------------------------
// Text: keys, names and document paths come from documents anyone can write, so every string is
// made valid UTF-8 with control and bidi-override characters shown as escapes before it reaches
// DOT or HTML (a newline or U+202E in a host name must not forge a second label line).

// One code point at `i`, or nullopt for a byte that does not start a valid UTF-8 sequence
// (overlong forms, surrogates and values past U+10FFFF included); `i` always advances.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    ++i;
    return std::nullopt;
  }
  if (i + length > text.size()) {
    ++i;
    return std::nullopt;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return std::nullopt;
    }
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    ++i;
    return std::nullopt;
  }
  i += length;
  return value;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool is_invisible_control(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

// Printable UTF-8 of at most `max_code_points` code points (0: no limit), ending in "…" when cut.
std::string printable(std::string_view raw, std::size_t max_code_points = 0) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < raw.size();) {
    if (max_code_points != 0 && count + 1 == max_code_points && i < raw.size()) {
      // One slot left: the ellipsis takes it unless this is the final code point.
      std::size_t probe = i;
      (void)next_code_point(raw, probe);
      if (probe < raw.size()) {
        out += "\u2026";
        return out;
      }
    }
    const std::size_t start = i;
    const std::optional<char32_t> c = next_code_point(raw, i);
    ++count;
    if (!c) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned char>(raw[start]));
      out += escape;
    } else if (is_invisible_control(*c)) {
      char escape[16];
      if (*c < 0x80) {
        std::snprintf(escape, sizeof escape, "\\x%02X", static_cast<unsigned>(*c));
      } else {
        std::snprintf(escape, sizeof escape, "\\u%04X", static_cast<unsigned>(*c));
      }
      out += escape;
    } else {
      append_utf8(out, *c);
    }
  }
  return out;
}

// Inside a DOT double-quoted string only '"' and '\' are special; escaping every backslash also
// defuses Graphviz's label escapes (\N, \G, \l ...) that would otherwise expand.
std::string dot_escape(std::string_view printable_text) {
  std::string out;
  out.reserve(printable_text.size());
  for (const char c : printable_text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string html_escape(std::string_view printable_text) {
  std::string out;
  out.reserve(printable_text.size());
  for (const char c : printable_text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html(std::string_view raw) {
  return html_escape(printable(raw));
}

// gmtime_r fails for times beyond a 32-bit year; such a (hostile) time is shown as the number.
std::string format_time(std::int64_t seconds, bool date_only) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&time, &tm) == nullptr || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
    return "@" + std::to_string(seconds);
  }
  char buffer[40];
  std::strftime(buffer, sizeof buffer, date_only ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string node_text(const NodeRef& node) {
  return graph::format_node(node);
}

// ---------------------------------------------------------------------------------------------
// The explaining subgraph: every node and hop on some affected node's path, plus the seed.

struct PictureNode {
  NodeRef ref;
  std::string text;                  // format_node, the sort key
  std::size_t hops = SIZE_MAX;       // fewest hops from the seed along any path
  std::optional<std::int64_t> time;  // the affected entry's time (the seed: `since`)
  const AffectedNode* affected = nullptr;
  bool seed = false;
};

struct Subgraph {
  std::map<NodeRef, PictureNode> nodes;
  std::vector<const PathHop*> hops;  // distinct, sorted
};

using HopKey = std::tuple<std::string, std::string, int, std::optional<std::int64_t>,
                          std::optional<std::int64_t>>;

HopKey hop_key(const PathHop& hop) {
  return {node_text(hop.from), node_text(hop.to), static_cast<int>(hop.edge), hop.time, hop.until};
}

PictureNode& touch(Subgraph& subgraph, const NodeRef& ref, std::size_t hops) {
  auto [it, inserted] = subgraph.nodes.try_emplace(ref);
  if (inserted) {
    it->second.ref = ref;
    it->second.text = node_text(ref);
  }
  it->second.hops = std::min(it->second.hops, hops);
  return it->second;
}

Subgraph build_subgraph(const TraceResult& result) {
  Subgraph subgraph;
  PictureNode& seed = touch(subgraph, result.seed, 0);
  seed.seed = true;
  if (!result.root_cause) seed.time = result.since;

  std::map<HopKey, const PathHop*> distinct_hops;
  for (const AffectedNode& affected : result.affected) {
    const std::vector<const PathHop*> path = affected.path.hops();
    const std::size_t length = path.size();
    for (std::size_t i = 0; i < length; ++i) {
      const PathHop& hop = *path[i];
      // Forward paths run seed -> node, root-cause paths node -> seed; either way a hop's
      // distance from the seed is its position counted from the seed's end.
      const std::size_t from_hops = result.root_cause ? length - i : i;
      const std::size_t to_hops = result.root_cause ? length - i - 1 : i + 1;
      touch(subgraph, hop.from, from_hops);
      touch(subgraph, hop.to, to_hops);
      distinct_hops.try_emplace(hop_key(hop), &hop);
    }
    PictureNode& node =
        touch(subgraph, affected.node, affected.path.empty() ? affected.hops : length);
    if (node.affected == nullptr && !node.seed) {
      node.affected = &affected;
      node.time = affected.time;
    }
  }
  for (const auto& [key, hop] : distinct_hops) subgraph.hops.push_back(hop);
  return subgraph;
}

struct KindStyle {
  std::string_view shape;
  std::string_view fill;
};

KindStyle kind_style(NodeKind kind) {
  switch (kind) {
    case NodeKind::kArtifact:
      return {"note", "#fff4c2"};
    case NodeKind::kHost:
      return {"box", "#d6e8ff"};
    case NodeKind::kBuild:
      return {"component", "#dff5d8"};
    case NodeKind::kRelease:
      return {"folder", "#eadcf8"};
    case NodeKind::kOrg:
      return {"house", "#e8e8e8"};
  }
  return {"ellipse", "#ffffff"};
}

// "n" + the stored node id in hex: stable across runs and inventories, and only [0-9a-fn], so it
// is safe wherever Graphviz copies it (SVG comments and <title> elements included).
std::string dot_id(const NodeRef& ref) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "n%016llx",
                static_cast<unsigned long long>(graph::node_id(ref)));
  return buffer;
}

constexpr std::size_t kLabelKeyCodePoints = 40;

// Label lines (already printable; joined with DOT's "\n" by the caller).
std::vector<std::string> label_lines(const PictureNode& node, bool root_cause) {
  std::vector<std::string> lines;
  lines.emplace_back(graph::node_kind_name(node.ref.kind));
  if (node.ref.kind == NodeKind::kArtifact) {
    lines.push_back("sha256:" + printable(node.ref.key, 13));
    if (node.affected != nullptr && !node.affected->names.empty()) {
      std::string name = printable(node.affected->names.front(), kLabelKeyCodePoints);
      if (node.affected->names.size() > 1) {
        name += " (+" + std::to_string(node.affected->names.size() - 1) + ")";
      }
      lines.push_back(std::move(name));
    }
  } else {
    lines.push_back(printable(node.ref.key, kLabelKeyCodePoints));
  }
  if (node.seed) {
    lines.emplace_back(root_cause ? "seed (known bad)" : "seed");
    if (node.time) lines.push_back("since " + format_time(*node.time, false));
  } else if (node.time) {
    lines.push_back((root_cause ? "by " : "at ") + format_time(*node.time, false));
  }
  return lines;
}

// Already escaped for DOT: the kind and dates are plain text, joined by DOT's line break.
std::string edge_label(const PathHop& hop) {
  std::string label(graph::edge_kind_name(hop.edge));
  if (hop.time || hop.until) {
    label += "\\n";
    label += hop.time ? format_time(*hop.time, true) : std::string("…");
    if (hop.until) label += " – " + format_time(*hop.until, true);
  }
  return label;
}

}  // namespace

std::string trace_dot(const graph::TraceResult& result, const GraphvizOptions& options) {
  const Subgraph subgraph = build_subgraph(result);

  // Keep the nearest nodes; the seed (0 hops) always survives, even with max_nodes = 0.
  std::vector<const PictureNode*> order;
  order.reserve(subgraph.nodes.size());
  for (const auto& [ref, node] : subgraph.nodes) order.push_back(&node);
  std::sort(order.begin(), order.end(), [](const PictureNode* a, const PictureNode* b) {
    return std::tie(a->hops, a->text) < std::tie(b->hops, b->text);
  });
  const std::size_t keep = std::min(order.size(), std::max<std::size_t>(options.max_nodes, 1));
  const std::size_t left_out = order.size() - keep;
  order.resize(keep);
  std::sort(order.begin(), order.end(),
            [](const PictureNode* a, const PictureNode* b) { return a->text < b->text; });
  std::set<NodeRef> kept;
  for (const PictureNode* node : order) kept.insert(node->ref);

  std::string out = "digraph cascade {\n";
  out += "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, label=\"";
  out += dot_escape(std::string(result.root_cause ? "root cause of " : "forward from ") +
                    printable(node_text(result.seed), 80));
  out += "\", labelloc=t];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=10, style=filled, color=\"#555555\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\"];\n";
  for (const PictureNode* node : order) {
    const KindStyle style = kind_style(node->ref.kind);
    std::string label;
    for (const std::string& line : label_lines(*node, result.root_cause)) {
      if (!label.empty()) label += "\\n";
      label += dot_escape(line);
    }
    out += "  \"" + dot_id(node->ref) + "\" [shape=" + std::string(style.shape) + ", fillcolor=\"" +
           std::string(style.fill) + "\", label=\"" + label + "\"";
    if (node->seed) out += ", color=\"#c00000\", penwidth=3, style=\"filled,bold\"";
    out += "];\n";
  }
  for (const PathHop* hop : subgraph.hops) {
    if (kept.count(hop->from) == 0 || kept.count(hop->to) == 0) continue;
    out += "  \"" + dot_id(hop->from) + "\" -> \"" + dot_id(hop->to) + "\" [label=\"" +
           edge_label(*hop) + "\"];\n";
  }
  if (left_out > 0) {
    out += "  \"omitted\" [shape=plaintext, style=\"\", label=\"" + std::to_string(left_out) +
           " more node" + (left_out == 1 ? "" : "s") + " not shown (nearest " +
           std::to_string(keep) + " kept)\"];\n";
  }
  out += "}\n";
  return out;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Running `dot`: no shell (the program name and the graph never meet a command line parser),
// input and output pumped through one poll() loop so neither side can block the other on a full
// pipe, and a deadline after which the child's whole process group is killed.

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Owns a spawned child: whatever path leaves run_dot, the child (and anything it started in its
// process group) is killed if still running and always reaped, so no zombie outlives the call.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (!reaped_) {
      kill_group();
      (void)wait(0);
    }
  }

  void kill_group() const {
    ::kill(-pid_, SIGKILL);  // the child leads its own group (POSIX_SPAWN_SETPGROUP)
    ::kill(pid_, SIGKILL);
  }

  // The wait status once the child has exited; with WNOHANG nullopt while it still runs.
  std::optional<int> wait(int flags) {
    if (reaped_) return status_;
    for (;;) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, flags);
      if (done == pid_) {
        reaped_ = true;
        status_ = status;
        return status;
      }
      if (done == 0) return std::nullopt;
      if (errno == EINTR) continue;
      reaped_ = true;  // ECHILD: someone else reaped it (a SIGCHLD=SIG_IGN host program)
      status_ = 0;
      return status_;
    }
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
  int status_ = 0;
};

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxSvgBytes = std::size_t{256} << 20;
constexpr std::size_t kMaxStderrBytes = 4096;

void set_nonblocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Reads what is available; false once the pipe reached end of file or failed.
bool drain(int fd, std::string& sink, std::size_t cap, bool& over_cap) {
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got > 0) {
      const auto size = static_cast<std::size_t>(got);
      if (sink.size() + size > cap) {
        sink.append(buffer, cap - sink.size());
        over_cap = true;
      } else {
        sink.append(buffer, size);
      }
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

std::string stderr_summary(std::string_view text) {
  std::string flat(text);
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  while (!flat.empty() && (flat.back() == ' ' || flat.back() == '\r')) flat.pop_back();
  return flat.empty() ? std::string() : ": " + printable(flat, 300);
}

Result<std::string> run_dot(const std::string& dot_text, const GraphvizOptions& options) {
  const std::string program = options.dot_program;
  if (program.empty()) return make_error(ErrorCode::kUsage, "no Graphviz dot program given");
  const std::string shown = printable(program, 200);

  // A socket for stdin so send(MSG_NOSIGNAL) reports a dot that quit early as EPIPE instead of
  // raising SIGPIPE in the host program.
  int input_pair[2];
  int output_pipe[2];
  int error_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input_pair) != 0) {
    return make_error(ErrorCode::kIo, std::string("socketpair: ") + std::strerror(errno));
  }
  UniqueFd to_child(input_pair[0]), child_stdin(input_pair[1]);
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  UniqueFd from_stdout(output_pipe[0]), child_stdout(output_pipe[1]);
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  UniqueFd from_stderr(error_pipe[0]), child_stderr(error_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_stdin.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_stdout.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_stderr.get(), STDERR_FILENO);
  // The child gets default signal handling whatever the host program blocked or ignored, and
  // its own process group so a timeout kill reaches anything it started (a wrapper script).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals, pipe_signal;
  sigemptyset(&no_signals);
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &pipe_signal);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  std::string format_flag = "-Tsvg";
  std::string program_arg = program;
  char* argv[] = {program_arg.data(), format_flag.data(), nullptr};
  pid_t pid = -1;
  const int spawn_error =
      ::posix_spawnp(&pid, program.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) {
    return make_error(ErrorCode::kIo, "cannot run Graphviz dot program '" + shown +
                                          "': " + std::strerror(spawn_error) +
                                          " (install Graphviz, or write --dot instead)");
  }
  ChildProcess child(pid);
  child_stdin.reset();
  child_stdout.reset();
  child_stderr.reset();
  set_nonblocking(to_child.get());
  set_nonblocking(from_stdout.get());
  set_nonblocking(from_stderr.get());

  const auto deadline =
      Clock::now() + std::chrono::seconds(std::max(options.dot_timeout_seconds, 1));
  const auto timed_out = [&] {
    child.kill_group();
    (void)child.wait(0);
    return make_error(ErrorCode::kLimit,
                      "Graphviz dot ('" + shown + "') did not finish within " +
                          std::to_string(std::max(options.dot_timeout_seconds, 1)) +
                          " s and was killed");
  };
  const auto remaining_ms = [&] {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1000));
  };

  std::string svg;
  std::string errors;
  bool svg_over_cap = false;
  bool errors_over_cap = false;
  std::size_t written = 0;
  if (dot_text.empty()) to_child.reset();
  while (to_child.open() || from_stdout.open() || from_stderr.open()) {
    if (Clock::now() >= deadline) return timed_out();
    std::array<pollfd, 3> fds{};
    fds[0] = {to_child.get(), POLLOUT, 0};
    fds[1] = {from_stdout.get(), POLLIN, 0};
    fds[2] = {from_stderr.get(), POLLIN, 0};  // a closed UniqueFd is -1: poll skips it
    const int ready = ::poll(fds.data(), fds.size(), remaining_ms());
    if (ready < 0 && errno != EINTR) {
      return make_error(ErrorCode::kIo, std::string("poll: ") + std::strerror(errno));
    }
    if (ready <= 0) continue;
    if (fds[0].revents & (POLLERR | POLLHUP)) {
      to_child.reset();  // dot stopped reading; its exit status says why
    } else if (fds[0].revents & POLLOUT) {
      const ssize_t sent = ::send(to_child.get(), dot_text.data() + written,
                                  dot_text.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) written += static_cast<std::size_t>(sent);
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        to_child.reset();
      }
      if (written == dot_text.size()) to_child.reset();  // end of file for dot
    }
    if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
        !drain(from_stdout.get(), svg, kMaxSvgBytes, svg_over_cap)) {
      from_stdout.reset();
    }
    if ((fds[2].revents & (POLLIN | POLLHUP | POLLERR)) &&
        !drain(from_stderr.get(), errors, kMaxStderrBytes, errors_over_cap)) {
      from_stderr.reset();
    }
    if (svg_over_cap) {
      child.kill_group();
      return make_error(ErrorCode::kLimit, "Graphviz dot produced more than " +
                                               std::to_string(kMaxSvgBytes >> 20) +
                                               " MiB of SVG; write --dot instead");
    }
  }

  // Both pipes are closed, but a child may close them and keep running: poll for its exit.
  std::optional<int> status;
  while (!(status = child.wait(WNOHANG))) {
    if (Clock::now() >= deadline) return timed_out();
    const timespec pause{0, 5'000'000};
    ::nanosleep(&pause, nullptr);
  }
  if (WIFSIGNALED(*status)) {
    return make_error(ErrorCode::kIo, "Graphviz dot ('" + shown + "') was killed by signal " +
                                          std::to_string(WTERMSIG(*status)) +
                                          stderr_summary(errors));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return make_error(ErrorCode::kIo, "Graphviz dot ('" + shown + "') failed with exit status " +
                                          std::to_string(WEXITSTATUS(*status)) +
                                          stderr_summary(errors));
  }
  if (written != dot_text.size()) {
    return make_error(ErrorCode::kIo, "Graphviz dot ('" + shown +
                                          "') exited before reading the whole graph" +
                                          stderr_summary(errors));
  }
  return svg;
}

// The <svg> element alone (no XML prolog, DOCTYPE or generator comments), checked to be one
// element with no active content: Graphviz escapes label text, and this makes sure of it.
Result<std::string> inline_svg(const std::string& svg) {
  const std::size_t start = svg.find("<svg");
  const std::size_t end = svg.rfind("</svg>");
  if (start == std::string::npos || end == std::string::npos || end < start) {
    return make_error(ErrorCode::kMalformed, "Graphviz dot did not produce an SVG picture");
  }
  std::string element = svg.substr(start, end + 6 - start);
  std::string lowered = element;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lowered.find("<svg", 1) != std::string::npos ||
      lowered.find("<script") != std::string::npos ||
      lowered.find("<foreignobject") != std::string::npos) {
    return make_error(ErrorCode::kMalformed, "Graphviz dot produced unexpected SVG content");
  }
  return element;
}

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
code { font-family: ui-monospace, monospace; word-break: break-all; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; }
ol.path { margin: 0; padding-left: 1.4em; }
.src { color: #666; font-size: .9em; }
.picture { overflow: auto; border: 1px solid #ddd; padding: .5em; }
.picture svg { max-width: 100%; height: auto; }
)";

std::string time_cell(const std::optional<std::int64_t>& time) {
  return time ? format_time(*time, false) : std::string("unbounded");
}

std::string path_cell(const AffectedNode& node) {
  if (node.path.empty()) return "";
  std::string out = "<ol class=\"path\">";
  for (const PathHop* step : node.path.hops()) {
    const PathHop& hop = *step;
    out += "<li><code>" + html(node_text(hop.from)) + "</code> &rarr; <code>" +
           html(node_text(hop.to)) + "</code> (" + html(graph::edge_kind_name(hop.edge));
    if (hop.time) out += ", " + format_time(*hop.time, false);
    if (hop.until) out += " until " + format_time(*hop.until, false);
    out += ")";
    if (!hop.source_path.empty() || !hop.source_sha256.empty()) {
      out += "<br><span class=\"src\">from " + html(hop.source_path);
      if (!hop.source_format.empty()) out += " (" + html(hop.source_format) + ")";
      if (!hop.source_sha256.empty()) out += " sha256:" + html(printable(hop.source_sha256, 13));
      out += "</span>";
    }
    if (!hop.note.empty()) out += "<br><span class=\"src\">" + html(hop.note) + "</span>";
    out += "</li>";
  }
  return out + "</ol>";
}

std::string list_cell(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += "<br>";
    out += html(item);
  }
  return out;
}

std::string kind_heading(NodeKind kind) {
  std::string name(graph::node_kind_name(kind));
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name + "s";
}

}  // namespace

Result<std::string> trace_html(const graph::TraceResult& result, const GraphvizOptions& options) {
  Result<std::string> svg = run_dot(trace_dot(result, options), options);
  if (!svg) return svg.error();
  Result<std::string> picture = inline_svg(*svg);
  if (!picture) return picture.error();

  const std::string mode = result.root_cause ? "root cause" : "forward";
  const std::string seed = html(node_text(result.seed));
  std::array<std::size_t, graph::kNodeKindCount> counts{};
  for (const AffectedNode& node : result.affected)
    ++counts[static_cast<std::size_t>(node.node.kind)];

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>cascade trace (" + mode + "): " + seed + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  out += "<h1>cascade trace (" + mode + "): <code>" + seed + "</code></h1>\n<p>";
  if (!result.root_cause && result.since)
    out += "Compromised since " + format_time(*result.since, false) + ". ";
  out += std::to_string(result.affected.size()) + (result.root_cause ? " candidate" : " affected") +
         " node" + (result.affected.size() == 1 ? "" : "s") + "; the inventory holds " +
         std::to_string(result.nodes_in_graph) + " nodes and " +
         std::to_string(result.edges_in_graph) + " edges.</p>\n";
  out += "<table class=\"counts\"><tr><th>kind</th><th>count</th></tr>";
  for (int kind = 0; kind < graph::kNodeKindCount; ++kind) {
    out += "<tr><td>" + std::string(graph::node_kind_name(static_cast<NodeKind>(kind))) +
           "</td><td class=\"num\">" + std::to_string(counts[kind]) + "</td></tr>";
  }
  out += "</table>\n<div class=\"picture\">\n" + *picture + "\n</div>\n";

  for (int kind = 0; kind < graph::kNodeKindCount; ++kind) {
    if (counts[kind] == 0) continue;
    out += "<h2>" + kind_heading(static_cast<NodeKind>(kind)) + " (" +
           std::to_string(counts[kind]) + ")</h2>\n<table>\n<tr>";
    if (result.root_cause) out += "<th>rank</th>";
    out += std::string("<th>node</th><th>") +
           (result.root_cause ? "latest time" : "compromised at") + "</th><th>hops</th>";
    if (result.root_cause) out += "<th>signals</th>";
    out += "<th>path</th><th>names</th></tr>\n";
    for (std::size_t i = 0; i < result.affected.size(); ++i) {
      const AffectedNode& node = result.affected[i];
      if (static_cast<int>(node.node.kind) != kind) continue;
      out += "<tr>";
      if (result.root_cause) out += "<td class=\"num\">" + std::to_string(i + 1) + "</td>";
      out += "<td><code>" + html(node_text(node.node)) + "</code></td><td>" + time_cell(node.time) +
             "</td><td class=\"num\">" + std::to_string(node.hops) + "</td>";
      if (result.root_cause) out += "<td>" + list_cell(node.signals) + "</td>";
      out += "<td>" + path_cell(node) + "</td><td>" + list_cell(node.names) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  if (result.affected.empty()) out += "<p>No affected nodes.</p>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace cascade::report
