#include "serve/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "core/digest.h"
#include "core/user_cache.h"

namespace cascade::serve {
namespace {

constexpr std::string_view kSuffix = ".doc";
constexpr std::string_view kRejected = "rejected";
constexpr std::string_view kLockName = ".lock";
constexpr std::size_t kTimeDigits = 20;
constexpr std::size_t kSha256Hex = 64;
constexpr std::size_t kNameSize = kTimeDigits + 1 + kSha256Hex + kSuffix.size();

std::string sha256_hex(std::string_view document) {
  return to_hex(
      digest(DigestAlgorithm::kSha256,
             Bytes(reinterpret_cast<const std::uint8_t*>(document.data()), document.size())));
}

// NNNN...-SHA256.doc: the time it was spooled (nanoseconds, zero-padded so that names sort by
// time), then the document's digest, which also tells a document already waiting.
bool is_spooled_name(std::string_view name) {
  if (name.size() != kNameSize || !name.ends_with(kSuffix) || name[kTimeDigits] != '-') {
    return false;
  }
  const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  return std::all_of(name.begin(), name.begin() + kTimeDigits,
                     [](char c) { return c >= '0' && c <= '9'; }) &&
         std::all_of(name.begin() + kTimeDigits + 1, name.end() - kSuffix.size(), hex);
}

std::string spooled_name(std::string_view sha256) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const auto nanoseconds = static_cast<unsigned long long>(now.tv_sec) * 1000000000ULL +
                           static_cast<unsigned long long>(now.tv_nsec);
  std::array<char, kTimeDigits + 1> digits{};
  std::snprintf(digits.data(), digits.size(), "%020llu", nanoseconds);
  return std::string(digits.data()) + "-" + std::string(sha256) + std::string(kSuffix);
}

Status make_private_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::kIo, "cannot make the spool directory " + path);
  }
  return ok_status();
}

Status check_private_directory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return make_error(ErrorCode::kUsage, "the spool " + path + " is not a directory");
  }
  if (st.st_uid != ::geteuid()) {
    return make_error(ErrorCode::kUsage, "the spool " + path + " belongs to another user: refused");
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(
        ErrorCode::kUsage,
        "the spool " + path + " may be entered by others: refused; chmod 700 " + path);
  }
  return ok_status();
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void sync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string Spool::default_directory() {
  const std::string folder = user_cache_directory();
  return folder.empty() ? folder : folder + "/spool";
}

Result<Spool> Spool::open(const std::string& directory) {
  if (directory.empty()) return make_error(ErrorCode::kUsage, "no spool directory");
  // Parents that are missing are made private too; the spool itself is checked whatever made it.
  for (std::size_t slash = directory.find('/', 1); slash != std::string::npos;
       slash = directory.find('/', slash + 1)) {
    const std::string parent = directory.substr(0, slash);
    if (::access(parent.c_str(), F_OK) != 0) {
      if (auto made = make_private_directory(parent); !made) return made.error();
    }
  }
  if (auto made = make_private_directory(directory); !made) return made.error();
  if (auto checked = check_private_directory(directory); !checked) return checked.error();
  return Spool(directory);
}

Result<std::string> Spool::write_new(const std::string& folder, std::string_view document) {
  const std::string sha256 = sha256_hex(document);
  std::array<unsigned char, 8> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return make_error(ErrorCode::kCrypto, "no random bytes for a spool file name");
  }
  const std::string temporary = folder + "/.tmp-" + std::to_string(::getpid()) + "-" +
                                to_hex(Bytes(random.data(), random.size()));
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot write in the spool " + folder);
  const bool written = write_all(fd, document) && ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  const std::string final_path = folder + "/" + spooled_name(sha256);
  if (!written || !closed || ::rename(temporary.c_str(), final_path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return make_error(ErrorCode::kIo, "cannot write the report to the spool " + folder);
  }
  sync_directory(folder);
  return final_path;
}

Result<std::string> Spool::keep(std::string_view document) {
  auto names = waiting();
  if (!names) return names.error();
  const std::string tail = "-" + sha256_hex(document) + std::string(kSuffix);
  for (const std::string& name : *names) {
    if (name.ends_with(tail)) return directory_ + "/" + name;
  }
  return write_new(directory_, document);
}

Result<std::string> Spool::keep_rejected(std::string_view document) {
  const std::string folder = directory_ + "/" + std::string(kRejected);
  if (auto made = make_private_directory(folder); !made) return made.error();
  return write_new(folder, document);
}

Result<std::vector<std::string>> Spool::waiting() const {
  DIR* dir = ::opendir(directory_.c_str());
  if (dir == nullptr) return make_error(ErrorCode::kIo, "cannot list the spool " + directory_);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    if (is_spooled_name(entry->d_name)) names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> Spool::read(const std::string& name, std::size_t max_bytes) const {
  const std::string path = directory_ + "/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot open the spooled report " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::kMalformed, "the spooled report " + path + " is not a file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return make_error(ErrorCode::kLimit, "the spooled report " + path + " is larger than " +
                                             std::to_string(max_bytes >> 20) + " MiB");
  }
  std::string content;
  std::array<char, 1 << 16> buffer{};
  ssize_t n = 0;
  while ((n = ::read(fd, buffer.data(), buffer.size())) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || content.size() + static_cast<std::size_t>(n) > max_bytes) break;
    content.append(buffer.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (n != 0) return make_error(ErrorCode::kIo, "cannot read the spooled report " + path);
  return content;
}

Status Spool::remove(const std::string& name) {
  const std::string path = directory_ + "/" + name;
  // Another run may have sent and removed it first: the goal, not a failure.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return make_error(ErrorCode::kIo, "cannot remove the sent report " + path);
  }
  sync_directory(directory_);
  return ok_status();
}

Result<std::string> Spool::reject(const std::string& name) {
  const std::string folder = directory_ + "/" + std::string(kRejected);
  if (auto made = make_private_directory(folder); !made) return made.error();
  const std::string to = folder + "/" + name;
  if (::rename((directory_ + "/" + name).c_str(), to.c_str()) != 0) {
    return make_error(ErrorCode::kIo, "cannot move " + name + " to " + folder);
  }
  sync_directory(directory_);
  return to;
}

Result<SpoolLock> SpoolLock::take(const Spool& spool) {
  const std::string path = spool.directory() + "/" + std::string(kLockName);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorCode::kIo, "cannot lock the spool " + spool.directory());
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd);
      return make_error(ErrorCode::kIo, "cannot lock the spool " + spool.directory());
    }
  }
  return SpoolLock(fd);
}

SpoolLock::~SpoolLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cascade::serve
