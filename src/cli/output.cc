#include "cli/output.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <streambuf>
#include <string>

#include "core/printable_text.h"

namespace cascade::cli {

namespace {

// A streambuf in front of stderr's: each line (or the part written before a flush) goes out
// through printable(). A line break is cascade's own only when it ends a write (`<< '\n'`,
// a literal ending in "\n"); one inside a written string came from data (a file name holding a
// newline and a forged line) and is shown escaped. std::cerr is unit-buffered, so every <<
// flushes and the order with progress_stream() is kept.
class PrintableLines : public std::streambuf {
 public:
  explicit PrintableLines(std::streambuf* target) : target_(target) {}
  std::streambuf* target() const { return target_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return sync() == 0 ? 0 : c;
    return put(static_cast<char>(c), true) ? c : traits_type::eof();
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) {
      if (!put(s[i], i + 1 == n)) return i;
    }
    return n;
  }
  int sync() override {
    emit();
    return target_->pubsync();
  }

 private:
  bool put(char c, bool ends_write) {
    if (c == '\n' && ends_write) {
      emit();
      return target_->sputc('\n') != traits_type::eof();
    }
    pending_ += c;
    // A partial UTF-8 sequence waits for the rest; anything this long is emitted regardless.
    if (pending_.size() >= 4096) emit();
    return true;
  }
  void emit() {
    if (pending_.empty()) return;
    const std::string shown = printable(pending_);
    target_->sputn(shown.data(), static_cast<std::streamsize>(shown.size()));
    pending_.clear();
  }

  std::streambuf* target_;
  std::string pending_;
};

PrintableLines* guard = nullptr;

}  // namespace

void guard_stderr() {
  if (guard != nullptr) return;
  // Unsynchronised streams get buffers of their own when this is first called; calling it here,
  // before the guard is put in front, keeps later calls (commands make them) from replacing it.
  std::ios::sync_with_stdio(false);
  // Never destroyed: std::cerr is flushed at exit, after static objects are gone.
  guard = new PrintableLines(std::cerr.rdbuf());  // NOLINT(cppcoreguidelines-owning-memory)
  std::cerr.rdbuf(guard);
}

std::ostream& progress_stream() {
  static std::ostream raw(guard != nullptr ? guard->target() : std::cerr.rdbuf());
  return raw;
}

bool use_color(const std::string& when) {
  if (when == "always") return true;
  if (when != "auto") return false;
  // https://no-color.org: set and not empty means no colour unless asked for explicitly.
  if (const char* no_color = std::getenv("NO_COLOR"); no_color != nullptr && *no_color != '\0') {
    return false;
  }
  return ::isatty(STDOUT_FILENO) != 0;
}

bool open_sarif(const std::string& path, std::ofstream& out) {
  if (path.empty()) return true;
  out.open(path, std::ios::trunc);
  if (!out) std::cerr << "cascade: cannot write " << path << '\n';
  return static_cast<bool>(out);
}

bool write_sarif(const std::string& path, std::ofstream& out, const nlohmann::json& log) {
  if (path.empty()) return true;
  // Hostile files can carry names that are not UTF-8: replace, never fail the document.
  out << log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
  if (!out) std::cerr << "cascade: writing " << path << " failed\n";
  return static_cast<bool>(out);
}

}  // namespace cascade::cli
