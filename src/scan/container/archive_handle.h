// RAII for libarchive's read handle, and for the thread locale libarchive's name conversions run
// under.
#pragma once

#include <archive.h>
#include <locale.h>

#include <memory>

namespace cascade::scan::detail {

struct ArchiveReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveReadFree>;

// libarchive converts entry names to the current locale's charset, and under the C locale (a
// process that never called setlocale) it turns every non-ASCII byte into '?' or drops the name.
// This switches only the calling thread's LC_CTYPE to C.UTF-8 for as long as it lives, so names
// come out as stored (UTF-8) whatever the process locale; suspend() gives the thread its own
// locale back around callbacks into the caller's code.
class Utf8Ctype {
 public:
  Utf8Ctype();
  ~Utf8Ctype();
  Utf8Ctype(const Utf8Ctype&) = delete;
  Utf8Ctype& operator=(const Utf8Ctype&) = delete;

  class Suspend {
   public:
    explicit Suspend(const Utf8Ctype& owner);
    ~Suspend();
    Suspend(const Suspend&) = delete;
    Suspend& operator=(const Suspend&) = delete;

   private:
    locale_t utf8_;
  };

 private:
  locale_t saved_ = nullptr;  // the thread's locale before; nullptr: nothing was switched
  locale_t utf8_ = nullptr;
};

}  // namespace cascade::scan::detail
