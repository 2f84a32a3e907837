// Large scratch arrays (hash tables, the in-memory graph, search state) backed by transparent
// huge pages. Filling fresh memory one 4 KiB page fault at a time dominated ingest and graph
// loading on virtual machines, where a fault costs several microseconds: 2 MiB pages take 512
// times fewer. Small arrays use the ordinary allocator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

namespace cascade {

namespace huge_pages {
// Under AddressSanitizer every array comes from the ordinary allocator, whose bounds it checks.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kEnabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kEnabled = false;
#else
inline constexpr bool kEnabled = true;
#endif
#else
inline constexpr bool kEnabled = true;
#endif
// Below this, plain malloc.
inline constexpr std::size_t kThreshold = kEnabled ? std::size_t{4} << 20 : SIZE_MAX;
void* allocate(std::size_t bytes);  // throws std::bad_alloc, as operator new does
void release(void* pointer, std::size_t bytes) noexcept;
}  // namespace huge_pages

template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}

  T* allocate(std::size_t count) {
    if (count > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = count * sizeof(T);
    if (bytes < huge_pages::kThreshold) return std::allocator<T>{}.allocate(count);
    return static_cast<T*>(huge_pages::allocate(bytes));
  }
  void deallocate(T* pointer, std::size_t count) noexcept {
    const std::size_t bytes = count * sizeof(T);
    if (bytes < huge_pages::kThreshold) {
      std::allocator<T>{}.deallocate(pointer, count);
    } else {
      huge_pages::release(pointer, bytes);
    }
  }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace cascade
