#include "core/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace cascade::huge_pages {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t rounded(std::size_t bytes) {
  return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}

}  // namespace

void* allocate(std::size_t bytes) {
  if (bytes > SIZE_MAX - 2 * kHugePage) throw std::bad_alloc();
  const std::size_t size = rounded(bytes);
  // Map one huge page more than needed and trim both ends, so the kept range starts on a huge
  // page boundary whatever address the kernel picked.
  void* mapped =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  char* const base = static_cast<char*>(mapped);
  const std::size_t misalignment = reinterpret_cast<std::uintptr_t>(base) % kHugePage;
  const std::size_t lead = misalignment == 0 ? 0 : kHugePage - misalignment;
  char* const pointer = base + lead;
  if (lead != 0) munmap(base, lead);
  char* const tail = pointer + size;
  char* const mapped_end = base + size + kHugePage;
  if (tail != mapped_end) munmap(tail, static_cast<std::size_t>(mapped_end - tail));
  // Advice only: where THP is disabled this fails and ordinary pages are used.
  (void)madvise(pointer, size, MADV_HUGEPAGE);
  return pointer;
}

void release(void* pointer, std::size_t bytes) noexcept {
  if (pointer != nullptr) munmap(pointer, rounded(bytes));
}

}  // namespace cascade::huge_pages
