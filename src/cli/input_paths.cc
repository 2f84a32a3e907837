#include "cli/input_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace cascade::cli {

bool named_path_exists(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return true;
  const int error = errno;
  // EACCES and the like: the path may well be there; the command's own read says why it failed.
  if (error != ENOENT && error != ENOTDIR) return true;
  std::cerr << "cascade: " << path << ": " << std::strerror(error) << '\n';
  return false;
}

std::vector<std::string> existing_named_paths(const std::vector<std::string>& paths,
                                              bool& any_missing) {
  std::vector<std::string> existing;
  existing.reserve(paths.size());
  for (const auto& path : paths) {
    if (path == kStdinPath || named_path_exists(path)) {
      existing.push_back(path);
    } else {
      any_missing = true;
    }
  }
  return existing;
}

Result<std::vector<std::uint8_t>> read_standard_input(std::uint64_t cap) {
  if (::isatty(STDIN_FILENO) != 0) {
    return make_error(ErrorCode::kUsage, "standard input is a terminal: pipe or redirect a file");
  }
  std::vector<std::uint8_t> bytes;
  std::array<std::uint8_t, 1 << 16> chunk{};
  while (true) {
    const ssize_t got = ::read(STDIN_FILENO, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return make_error(ErrorCode::kIo,
                        std::string("cannot read standard input: ") + std::strerror(errno));
    }
    if (got == 0) return bytes;
    if (bytes.size() + static_cast<std::uint64_t>(got) > cap) {
      return make_error(ErrorCode::kLimit, "standard input is larger than " +
                                               std::to_string(cap >> 20) +
                                               " MiB: save it to a file and name that");
    }
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + got);
  }
}

bool read_named_stdin(const std::vector<std::string>& paths, std::uint64_t cap,
                      std::vector<std::uint8_t>& stdin_bytes) {
  const auto named = std::count(paths.begin(), paths.end(), std::string(kStdinPath));
  if (named == 0) return true;
  if (named > 1) {
    std::cerr << "cascade: standard input (-) can be named once\n";
    return false;
  }
  auto bytes = read_standard_input(cap);
  if (!bytes) {
    std::cerr << "cascade: " << kStdinPath << ": " << bytes.error().message << '\n';
    return false;
  }
  stdin_bytes = std::move(bytes).value();
  return true;
}

}  // namespace cascade::cli
