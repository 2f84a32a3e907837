#include "core/mapped_file.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cascade {

Result<MappedFile> MappedFile::open(const std::string& path) {
  auto file = InputFile::open(path);
  if (!file) return file.error();
  return map(*file);
}

Result<MappedFile> MappedFile::map(const InputFile& file) {
  if (file.size() == 0) return MappedFile(nullptr, 0);
  const auto size = static_cast<std::size_t>(file.size());
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.fd(), 0);
  if (addr == MAP_FAILED) return make_error(ErrorCode::kIo, std::strerror(errno));
  // Readers go front to back (hashing); let the kernel read ahead.
  ::madvise(addr, size, MADV_SEQUENTIAL | MADV_WILLNEED);
  return MappedFile(static_cast<const std::uint8_t*>(addr), size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  release();
}

void MappedFile::release() {
  if (data_ != nullptr) ::munmap(const_cast<std::uint8_t*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

Result<std::string> read_whole_file(const std::string& path, std::size_t max_bytes) {
  auto file = InputFile::open(path);
  if (!file) return make_error(ErrorCode::kIo, path + ": " + file.error().message);
  const int fd = file->fd();
  const auto too_large = [&] {
    return make_error(ErrorCode::kLimit,
                      path + ": larger than " + std::to_string(max_bytes) + " bytes");
  };
  if (file->size() > max_bytes) return too_large();
  std::string text(static_cast<std::size_t>(file->size()), '\0');
  std::size_t done = 0;
  while (true) {
    if (done == text.size()) {
      if (text.size() >= max_bytes) break;
      text.resize(std::min(max_bytes + 1, text.size() + 65536));  // the file may have grown
    }
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorCode::kIo, path + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (done > max_bytes) return too_large();
  text.resize(done);
  return text;
}

}  // namespace cascade
