#include "scan/ioc/large_buffer.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <utility>

namespace cascade::scan::ioc {

namespace {

// Below this, malloc: most feeds are small, and a mapping per table costs system calls.
constexpr std::size_t kMapThreshold = 1u << 20;
constexpr std::size_t kHugePage = 2u << 20;

std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}

}  // namespace

LargeBuffer::LargeBuffer(LargeBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

LargeBuffer& LargeBuffer::operator=(LargeBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

LargeBuffer::~LargeBuffer() {
  release();
}

void LargeBuffer::release() {
  if (data_ != nullptr && capacity_ >= kMapThreshold) ::munmap(data_, capacity_);
  if (data_ != nullptr && capacity_ < kMapThreshold) std::free(data_);
  data_ = nullptr;
  size_ = capacity_ = 0;
}

bool LargeBuffer::reserve(std::size_t bytes) {
  if (bytes <= capacity_) return true;
  if (bytes < kMapThreshold) {
    // calloc for a fresh buffer, so a first resize() reads as zeros, as a fresh mapping does.
    void* p = data_ == nullptr ? std::calloc(bytes, 1) : std::realloc(data_, bytes);
    if (p == nullptr) return false;
    data_ = static_cast<std::uint8_t*>(p);
    capacity_ = bytes;
    return true;
  }
  const std::size_t capacity = round_up(bytes, kHugePage);
  if (capacity < bytes) return false;  // wrapped
  void* p = MAP_FAILED;
  if (data_ != nullptr && capacity_ >= kMapThreshold) {
    p = ::mremap(data_, capacity_, capacity, MREMAP_MAYMOVE);
  } else {
    p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED && data_ != nullptr) {  // leaving malloc for a mapping
      std::memcpy(p, data_, size_);
      std::free(data_);
    }
  }
  if (p == MAP_FAILED) return false;
  ::madvise(p, capacity, MADV_HUGEPAGE);
  data_ = static_cast<std::uint8_t*>(p);
  capacity_ = capacity;
  return true;
}

bool LargeBuffer::resize(std::size_t bytes) {
  if (bytes > capacity_) {
    // Doubling keeps appends amortised O(1); mremap makes each step cheap besides.
    const std::size_t want = capacity_ * 2 > bytes ? capacity_ * 2 : bytes;
    if (!reserve(want) && !reserve(bytes)) return false;
  }
  size_ = bytes;
  return true;
}

}  // namespace cascade::scan::ioc
