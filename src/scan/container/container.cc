// The container contract (container.h): which reader a file goes to, and the one place where
// nothing a reader or libarchive throws can cross the library boundary.
#include "scan/container/container.h"

#include <cstring>
#include <exception>
#include <new>

#include "scan/container/archive_reader.h"
#include "scan/container/asar_reader.h"
#include "scan/container/expansion_guard.h"

namespace cascade::scan {

namespace {

bool starts_with(Bytes data, std::initializer_list<std::uint8_t> magic) {
  return data.size() >= magic.size() && std::memcmp(data.data(), magic.begin(), magic.size()) == 0;
}

// PE (and DOS) images, ELF and Mach-O (thin and fat). libarchive would call many of them
// archives: its zip reader finds a central directory at the end of any file, and its 7z, cab,
// rar and lha readers search executables for a self-extractor's payload. The engine asks about
// a PE's overlay separately (archive_recognised); the executable itself is no container.
bool is_executable(Bytes data) {
  if (starts_with(data, {'M', 'Z'})) {
    // ...unless it is a tar whose first member's name starts with "MZ".
    static constexpr char kUstar[] = "ustar";
    return !(data.size() >= 262 && std::memcmp(data.data() + 257, kUstar, 5) == 0);
  }
  return starts_with(data, {0x7f, 'E', 'L', 'F'}) || starts_with(data, {0xfe, 0xed, 0xfa, 0xce}) ||
         starts_with(data, {0xfe, 0xed, 0xfa, 0xcf}) ||
         starts_with(data, {0xce, 0xfa, 0xed, 0xfe}) ||
         starts_with(data, {0xcf, 0xfa, 0xed, 0xfe}) ||
         starts_with(data, {0xca, 0xfe, 0xba, 0xbe}) || starts_with(data, {0xca, 0xfe, 0xba, 0xbf});
}

}  // namespace

bool looks_like_asar_container(Bytes data) {
  try {
    return detail::looks_like_asar(data);
  } catch (const std::exception&) {
    return false;  // only std::bad_alloc can get here
  }
}

bool looks_like_archive_container(Bytes data) {
  try {
    return !is_executable(data) && detail::probe_archive(data) != detail::ArchiveProbe::kNone;
  } catch (const std::exception&) {
    return false;
  }
}

ContainerKind detect_container(Bytes data) {
  if (looks_like_asar_container(data)) return ContainerKind::kAsar;
  return looks_like_archive_container(data) ? ContainerKind::kArchive : ContainerKind::kNone;
}

bool archive_recognised(Bytes data) {
  try {
    return detail::probe_archive(data) == detail::ArchiveProbe::kArchive;
  } catch (const std::exception&) {
    return false;
  }
}

std::uint64_t expand_container(ContainerKind kind, Bytes data, const ContainerLimits& limits,
                               ContainerBudget& budget, const EntryVisitor& visit,
                               std::vector<ContainerNote>& notes) {
  detail::ExpansionGuard guard(limits, budget, data.size(), notes);
  try {
    switch (kind) {
      case ContainerKind::kArchive:
        detail::expand_archive(data, guard, visit);
        break;
      case ContainerKind::kAsar:
        detail::expand_asar(data, guard, visit);
        break;
      case ContainerKind::kNone:
        break;
    }
  } catch (const std::bad_alloc&) {
    guard.fail("expansion stopped: out of memory");
  } catch (const std::exception& e) {
    // Only the visitor's own code throws anything else; it must not unwind through callers that
    // were promised no exceptions.
    guard.fail(std::string("expansion stopped: ") + e.what());
  }
  guard.finish();
  return guard.visited();
}

}  // namespace cascade::scan
