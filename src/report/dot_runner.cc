#include "report/dot_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/printable_text.h"

namespace cascade::report {
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

}  // namespace

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

}  // namespace cascade::report
