// Archives through libarchive, read from the bytes already in memory (no temporary files, nothing
// written to disk). Every byte libarchive hands out is counted by the ExpansionGuard before more
// is asked for, so a decompression bomb costs at most its cap in time and memory.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "scan/container/archive_handle.h"
#include "scan/container/archive_reader.h"
#include "scan/container/zip_views.h"

namespace cascade::scan::detail {

namespace {

// How often libarchive may ask for a retry, or report damage that lets it go on, before the
// archive is given up: a hostile archive must not keep the loop spinning in place.
constexpr int kMaxRetries = 8;
constexpr int kMaxWarnings = 16;
constexpr int kMaxConsecutiveFailures = 32;
// An entry buffer up to this size is kept (and stays reserved) for the next entry; a larger one
// goes back to the shared pool as soon as its entry has been scanned.
constexpr std::size_t kKeptBuffer = std::size_t{1} << 20;

struct FreeDeleter {
  void operator()(std::uint8_t* p) const { std::free(p); }
};

locale_t utf8_ctype() {
  // Made once and kept for the life of the process: freeing it while another thread still uses
  // it would be a bug, and it is small.
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  return loc;
}

std::string error_of(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr && *message != '\0' ? message : "unknown libarchive error";
}

enum class Formats { kArchivesOnly, kRawOnly };

// Every format and filter scan expands, except: mtree (a text manifest whose entries name files
// on the local disk, which libarchive would then open), "empty" (zero bytes are no container),
// and the lrzip, lzop and grzip filters (run as external programs). `raw` comes last so that it
// bids only when no archive format did; the caller decides whether a raw stream counts.
ArchivePtr open_memory(Bytes data, Formats formats) {
  ArchivePtr a(archive_read_new());
  if (!a) return a;
  struct archive* p = a.get();
  if (formats == Formats::kArchivesOnly) {
    // In archive_read_support_format_all's order, which matters: with iso9660 bidding before
    // tar, its 48 KiB read-ahead past the end of a truncated tar makes libarchive report the
    // tar's cut-off last header as a clean end of archive instead of "Truncated tar archive".
    archive_read_support_format_ar(p);
    archive_read_support_format_cpio(p);
    archive_read_support_format_lha(p);
    archive_read_support_format_tar(p);
    archive_read_support_format_xar(p);
    archive_read_support_format_warc(p);
    archive_read_support_format_7zip(p);
    archive_read_support_format_cab(p);
    archive_read_support_format_rar(p);
    archive_read_support_format_rar5(p);
    archive_read_support_format_iso9660(p);
    archive_read_support_format_zip(p);  // seekable (central directory) and streaming
  }
  archive_read_support_format_raw(p);
  archive_read_support_filter_bzip2(p);
  archive_read_support_filter_compress(p);
  archive_read_support_filter_gzip(p);
  archive_read_support_filter_lz4(p);
  archive_read_support_filter_lzip(p);
  archive_read_support_filter_lzma(p);
  archive_read_support_filter_rpm(p);
  archive_read_support_filter_uu(p);
  archive_read_support_filter_xz(p);
  archive_read_support_filter_zstd(p);
  if (archive_read_open_memory(p, data.data(), data.size()) != ARCHIVE_OK) a.reset();
  return a;
}

// A filter that turns a few bytes into many; uu (text encoding) and rpm (a header in front of a
// cpio archive) do not make a lone stream worth expanding.
bool has_decompressor(struct archive* a) {
  const int count = archive_filter_count(a);
  for (int i = 0; i < count; ++i) {
    const int code = archive_filter_code(a, i);
    if (code != ARCHIVE_FILTER_NONE && code != ARCHIVE_FILTER_UU && code != ARCHIVE_FILTER_RPM) {
      return true;
    }
  }
  return false;
}

// libarchive reads an ISO image cut short as a clean, possibly empty one: the primary volume
// descriptor's volume size says how long it should be.
void check_iso_size(Bytes data, ExpansionGuard& guard) {
  constexpr std::uint64_t kDescriptor = std::uint64_t{16} * 2048;
  auto pvd = tail(data, kDescriptor);
  if (!pvd || pvd->size() < 132 || (*pvd)[0] != 1 ||
      std::memcmp(pvd->data() + 1, "CD001", 5) != 0) {
    return;
  }
  const std::uint64_t blocks = *load_u32le(*pvd, 80);
  const std::uint64_t block_size = *load_u16le(*pvd, 128);
  if (blocks * block_size > data.size()) {
    guard.note_malformed("ISO image truncated: its volume descriptor declares " +
                         std::to_string(blocks * block_size) + " bytes, the data has " +
                         std::to_string(data.size()));
  }
}

int next_header(struct archive* a, struct archive_entry** entry) {
  int r = ARCHIVE_RETRY;
  for (int i = 0; i < kMaxRetries && r == ARCHIVE_RETRY; ++i) {
    r = archive_read_next_header(a, entry);
  }
  return r;
}

std::string entry_name(struct archive_entry* entry, std::uint64_t index) {
  if (entry != nullptr) {
    if (const char* name = archive_entry_pathname_utf8(entry)) return name;
    if (const char* name = archive_entry_pathname(entry)) return name;
  }
  return "#" + std::to_string(index) + " (name unreadable)";
}

// Hard links carry no data of their own (tar, cpio), unless the archive stored it with them.
bool is_regular(struct archive_entry* entry) {
  if (archive_entry_filetype(entry) != AE_IFREG) return false;
  if (archive_entry_hardlink(entry) == nullptr) return true;
  return archive_entry_size_is_set(entry) != 0 && archive_entry_size(entry) > 0;
}

std::uint64_t stream_position(struct archive* a) {
  const la_int64_t n = archive_filter_bytes(a, 0);
  return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

enum class DataOutcome {
  kComplete,
  kOversized,  // over max_entry_size: drained and counted, not kept
  kNoMemory,   // the shared memory pool refused to let the buffer grow: drained, not kept
  kFailed,
  kStop,
};

// Reads one entry's data through archive_read_data_block rather than archive_read_data: the
// copying call fills "holes" up to whatever offset a format reports at the end of an entry, and
// 3.6.2's xar reader reports its running total there, so every xar entry after the first came
// out padded with the sizes of all the entries before it. Holes between blocks (sparse files)
// are zero-filled here, and a trailing hole only up to the entry's declared size. The buffer
// grows only as far as the memory pool all workers share grants it.
class EntryReader {
 public:
  EntryReader(struct archive* a, ExpansionGuard& guard)
      : a_(a), guard_(guard), reservation_(guard.budget().memory, guard.budget().memory_held) {}

  // Keeps at most `cap` bytes of the current entry in the reusable buffer; past the cap the rest
  // is counted but not kept, so a bomb hidden in an oversized entry trips the ratio all the same.
  DataOutcome read(struct archive_entry* entry, const std::string& name, std::uint64_t cap) {
    used_ = 0;
    end_ = 0;
    cap_ = cap;
    oversized_ = false;
    no_memory_ = false;
    block_fill_ = 0;
    block_zero_ = true;
    int warnings = 0;
    int retries = 0;
    for (;;) {
      const void* block = nullptr;
      std::size_t size = 0;
      la_int64_t offset = 0;
      const int r = archive_read_data_block(a_, &block, &size, &offset);
      if (r == ARCHIVE_EOF) {
        if (archive_entry_size_is_set(entry) != 0 && offset > 0) {
          const auto declared = static_cast<std::uint64_t>(
              std::max<la_int64_t>(0, std::min<la_int64_t>(offset, archive_entry_size(entry))));
          if (declared > end_ && !append(nullptr, declared - end_)) return DataOutcome::kStop;
        }
        if (oversized_) return DataOutcome::kOversized;
        return no_memory_ ? DataOutcome::kNoMemory : DataOutcome::kComplete;
      }
      if (r == ARCHIVE_RETRY && ++retries <= kMaxRetries) continue;
      if (r != ARCHIVE_OK) {
        error_ = error_of(a_);
        // A warning (a bad CRC, a size that disagrees with the header) comes with its block
        // intact, and reading goes on: the bytes are what is stored, the note says they are
        // suspect.
        if (r != ARCHIVE_WARN || ++warnings > kMaxWarnings) {
          return r == ARCHIVE_FATAL ? DataOutcome::kStop : DataOutcome::kFailed;
        }
        guard_.note_malformed("entry " + quote_name(name) + ": " + error_);
        if (block == nullptr || size == 0) continue;
      }
      if (offset < 0 || static_cast<std::uint64_t>(offset) < end_) {
        error_ = "data blocks out of order";
        return DataOutcome::kFailed;
      }
      const auto start = static_cast<std::uint64_t>(offset);
      if (start > end_ && !append(nullptr, start - end_)) return DataOutcome::kStop;
      if (size > 0 && !append(static_cast<const std::uint8_t*>(block), size)) {
        return DataOutcome::kStop;
      }
    }
  }

  Bytes data() const { return Bytes(buffer_.get(), used_); }
  // The entry's bytes, kept or not (an oversized entry's whole size once drained).
  std::uint64_t size() const { return end_; }
  const std::string& error() const { return error_; }

  // Gives a large buffer, and its share of the pool, back once its entry has been scanned, so
  // that a nested level or another worker can use the memory.
  void trim() {
    if (capacity_ <= kKeptBuffer) return;
    buffer_.reset();
    capacity_ = 0;
    reservation_.reset();
  }

 private:
  // Appends `n` bytes (zeros when `bytes` is null), keeping what fits under the cap and the
  // memory pool; false when the guard stops the expansion.
  bool append(const std::uint8_t* bytes, std::uint64_t n) {
    end_ += n;
    const std::uint64_t inert = count_inert(bytes, n, block_fill_, block_zero_);
    const std::uint64_t room = cap_ - used_;
    if (n > room) oversized_ = true;
    if (!oversized_ && !no_memory_ && !grow(used_ + static_cast<std::size_t>(n))) {
      no_memory_ = true;
    }
    if (!oversized_ && !no_memory_) {
      const auto keep = static_cast<std::size_t>(n);
      if (bytes != nullptr) {
        std::memcpy(buffer_.get() + used_, bytes, keep);
      } else {
        std::memset(buffer_.get() + used_, 0, keep);
      }
      used_ += keep;
    }
    return guard_.add_data(n, inert) && guard_.check_stream(stream_position(a_));
  }

  // Grows as data arrives, never from a size the archive declares, and never past the cap; the
  // pool is asked first, and realloc lets a large buffer move without a second copy in memory.
  // False when the pool (or the allocator) refuses.
  bool grow(std::size_t needed) {
    if (capacity_ >= needed) return true;
    std::uint64_t next = std::max<std::uint64_t>(needed, std::uint64_t{capacity_} * 2);
    next = std::max<std::uint64_t>(std::min<std::uint64_t>(next, cap_), needed);
    if (!reservation_.grow_to(next)) return false;
    auto* bigger =
        static_cast<std::uint8_t*>(std::realloc(buffer_.get(), static_cast<std::size_t>(next)));
    if (bigger == nullptr) return false;
    (void)buffer_.release();
    buffer_.reset(bigger);
    capacity_ = static_cast<std::size_t>(next);
    return true;
  }

  struct archive* a_;
  ExpansionGuard& guard_;
  MemoryReservation reservation_;  // covers capacity_
  std::unique_ptr<std::uint8_t, FreeDeleter> buffer_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;   // bytes kept in buffer_
  std::uint64_t end_ = 0;  // the entry's bytes so far, kept or not
  std::uint64_t cap_ = 0;
  bool oversized_ = false;
  bool no_memory_ = false;
  std::uint64_t block_fill_ = 0;  // count_inert's partial block
  bool block_zero_ = true;
  std::string error_;
};

}  // namespace

Utf8Ctype::Utf8Ctype() : utf8_(utf8_ctype()) {
  if (utf8_ != nullptr) saved_ = uselocale(utf8_);
}

Utf8Ctype::~Utf8Ctype() {
  if (saved_ != nullptr) uselocale(saved_);
}

Utf8Ctype::Suspend::Suspend(const Utf8Ctype& owner)
    : utf8_(owner.saved_ != nullptr ? owner.utf8_ : nullptr) {
  if (utf8_ != nullptr) uselocale(owner.saved_);
}

Utf8Ctype::Suspend::~Suspend() {
  if (utf8_ != nullptr) uselocale(utf8_);
}

// A tar reader bids on a block of zeros (an empty archive's end marker), so a file or stream
// that starts with 512 zero bytes reads as a tar with no entries: no archive, but when a
// decompressor produced the zeros, a compressed stream like any other.
bool is_empty_tar(struct archive* a) {
  return (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR;
}

ArchiveProbe probe_archive(Bytes data) {
  if (data.empty()) return ArchiveProbe::kNone;
  Utf8Ctype ctype;
  ArchivePtr a = open_memory(data, Formats::kArchivesOnly);
  if (!a) return ArchiveProbe::kNone;
  struct archive_entry* entry = nullptr;
  const int r = next_header(a.get(), &entry);
  if (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
    if (archive_format(a.get()) != ARCHIVE_FORMAT_RAW) return ArchiveProbe::kArchive;
    return has_decompressor(a.get()) ? ArchiveProbe::kCompressed : ArchiveProbe::kNone;
  }
  if (r == ARCHIVE_EOF) {
    // A format with no entries (raw always has one): an empty zip, cpio or ar is an archive.
    if (!is_empty_tar(a.get())) return ArchiveProbe::kArchive;
    return has_decompressor(a.get()) ? ArchiveProbe::kCompressed : ArchiveProbe::kNone;
  }
  // Either an archive format bid and then failed on its first header (a damaged archive), or
  // the filter chain could not produce a single byte, so that not even raw could bid. Only raw
  // tells the two apart.
  ArchivePtr raw = open_memory(data, Formats::kRawOnly);
  if (!raw || next_header(raw.get(), &entry) != ARCHIVE_OK) return ArchiveProbe::kNone;
  return ArchiveProbe::kArchive;
}

namespace {

enum class Pass { kDone, kAgainAsStream };

Pass expand_pass(Bytes data, Formats formats, ExpansionGuard& guard, const EntryVisitor& visit,
                 const Utf8Ctype& ctype) {
  ArchivePtr a = open_memory(data, formats);
  if (!a) {
    guard.fail("not an archive libarchive reads");
    return Pass::kDone;
  }
  EntryReader reader(a.get(), guard);
  std::uint64_t index = 0;
  int failures = 0;
  while (!guard.stopped()) {
    struct archive_entry* entry = nullptr;
    const int r = next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) {
      if (index == 0 && is_empty_tar(a.get()) && has_decompressor(a.get())) {
        return Pass::kAgainAsStream;
      }
      break;
    }
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_FAILED) {
      guard.fail((index == 0 ? std::string("unreadable archive: ")
                             : "archive damaged after " + std::to_string(index) + " entries: ") +
                 error_of(a.get()));
      break;
    }
    if (index == 0 && archive_format(a.get()) == ARCHIVE_FORMAT_RAW && !has_decompressor(a.get())) {
      guard.fail("not an archive libarchive reads");
      break;
    }
    const std::string name = entry_name(entry, index + 1);
    if (!guard.admit_entry(name)) break;
    ++index;
    if (r == ARCHIVE_FAILED) {
      guard.note_malformed("entry " + quote_name(name) + ": " + error_of(a.get()) + "; skipped");
      if (++failures > kMaxConsecutiveFailures) {
        guard.fail("archive abandoned after " + std::to_string(failures) +
                   " unreadable entries in a row");
        break;
      }
      continue;
    }
    failures = 0;
    if (r == ARCHIVE_WARN) {
      guard.note_malformed("entry " + quote_name(name) + ": " + error_of(a.get()));
    }
    if (!guard.check_stream(stream_position(a.get()))) break;
    if (archive_entry_is_data_encrypted(entry) != 0) {
      guard.note_malformed("entry " + quote_name(name) + " is encrypted; skipped");
      continue;
    }
    // Directories and links have no data, or little; it is read (and counted) all the same so
    // that nothing a format hides there escapes the caps.
    const bool regular = is_regular(entry);
    const DataOutcome outcome = reader.read(entry, name, regular ? guard.entry_cap() : 0);
    if (outcome == DataOutcome::kStop) {
      if (!guard.stopped()) {
        guard.fail("archive damaged in entry " + quote_name(name) + ": " + reader.error());
      }
      break;
    }
    if (!regular) continue;
    if (outcome == DataOutcome::kFailed) {
      guard.note_malformed("entry " + quote_name(name) + ": " + reader.error() + "; skipped");
    } else if (outcome == DataOutcome::kOversized) {
      guard.note_oversized(name, reader.size());
    } else if (outcome == DataOutcome::kNoMemory) {
      guard.note_no_memory(name, reader.size());
    } else {
      const Utf8Ctype::Suspend restore(ctype);
      visit(ContainerEntry{name, reader.data()});
      guard.count_visit();
    }
    reader.trim();
  }
  if (index == 0 ||
      (archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ISO9660) {
    check_iso_size(data, guard);
  }
  return Pass::kDone;
}

}  // namespace

// Whether libarchive's bidding picks its zip reader for the bytes (and not, say, a tar whose
// last member is a zip): the bytes are then read through both zip views (zip_views.h).
bool reads_as_zip(Bytes data) {
  if (data.empty()) return false;
  Utf8Ctype ctype;
  ArchivePtr a = open_memory(data, Formats::kArchivesOnly);
  if (!a) return false;
  struct archive_entry* entry = nullptr;
  next_header(a.get(), &entry);
  return (archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
}

void expand_archive(Bytes data, ExpansionGuard& guard, const EntryVisitor& visit) {
  if (reads_as_zip(data)) {
    expand_zip_views(data, guard, visit, expand_archive_as_is);
    return;
  }
  expand_archive_as_is(data, guard, visit);
}

void expand_archive_as_is(Bytes data, ExpansionGuard& guard, const EntryVisitor& visit) {
  if (data.empty()) {
    guard.fail("not an archive libarchive reads");
    return;
  }
  Utf8Ctype ctype;
  if (expand_pass(data, Formats::kArchivesOnly, guard, visit, ctype) == Pass::kAgainAsStream) {
    expand_pass(data, Formats::kRawOnly, guard, visit, ctype);
  }
}

}  // namespace cascade::scan::detail
