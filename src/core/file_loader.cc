#include "core/file_loader.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/input_file.h"

namespace cascade {

namespace {

constexpr std::size_t kBufferLimit = 256u << 20;  // larger files are mapped, not copied

}  // namespace

FileLoader::~FileLoader() {
  if (buffer_ != nullptr) ::munmap(buffer_, capacity_);
}

Result<Bytes> FileLoader::load(const std::string& path) {
  mapped_.reset();
  auto file = InputFile::open(path);
  if (!file) return file.error();
  const int fd = file->fd();
  const auto size = static_cast<std::size_t>(file->size());
  if (size > kBufferLimit) {
    auto mapped = MappedFile::map(*file);
    if (!mapped) return mapped.error();
    mapped_.emplace(std::move(mapped).value());
    return mapped_->bytes();
  }
  if (buffer_ == nullptr) {
    // The whole limit is reserved once and never moved or released: pages are committed as
    // larger files first touch them, and each is zeroed once, not again at every growth.
    void* p = ::mmap(nullptr, kBufferLimit, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return make_error(ErrorCode::kIo, std::strerror(errno));
    ::madvise(p, kBufferLimit, MADV_HUGEPAGE);
    buffer_ = static_cast<std::uint8_t*>(p);
    capacity_ = kBufferLimit;
  }
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, buffer_ + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorCode::kIo, std::strerror(errno));
    if (n == 0) break;  // the file shrank while being read: inspect what was there
    done += static_cast<std::size_t>(n);
  }
  return Bytes(buffer_, done);
}

}  // namespace cascade
