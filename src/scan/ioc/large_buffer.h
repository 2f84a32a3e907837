// LargeBuffer: memory (RAII) for the digest tables of multi-million-entry feeds. Past 1 MiB it
// is an anonymous mapping: the kernel hands it out zero-filled (no memset pass), on huge pages
// where it can (one page fault per 2 MiB rather than per 4 KiB, which dominates in VMs), and it
// grows with mremap (pages are moved, not copied); reserved but untouched capacity costs address
// space only. Small buffers come from malloc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cascade::scan::ioc {

class LargeBuffer {
 public:
  LargeBuffer() = default;
  LargeBuffer(LargeBuffer&& other) noexcept;
  LargeBuffer& operator=(LargeBuffer&& other) noexcept;
  LargeBuffer(const LargeBuffer&) = delete;
  LargeBuffer& operator=(const LargeBuffer&) = delete;
  ~LargeBuffer();

  // Makes room for `bytes` in total; false when the memory cannot be had.
  bool reserve(std::size_t bytes);
  // Sets the size. The first resize of a fresh buffer reads as zeros; bytes that a later growth
  // adds are unspecified (keys are written whole before use).
  bool resize(std::size_t bytes);

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void release();

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace cascade::scan::ioc
