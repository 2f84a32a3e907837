// Helpers for the container tests: archives written in-process with libarchive's writer (any
// format it writes, any filter), a scratch directory for the real tools (zip, 7z, gcab, node),
// and one call that expands a buffer and records what the visitor saw.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <locale.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "scan/container/container.h"
#include "temp_dir.h"

namespace cascade::testing {

using Buffer = std::vector<std::uint8_t>;

inline Bytes bytes_of(const Buffer& b) {
  return {b.data(), b.size()};
}
inline Bytes bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline Buffer buffer_of(const std::string& s) {
  return Buffer(s.begin(), s.end());
}

// One member of an archive to write. Regular files carry `data`, or `size` bytes from `fill`
// (written in 1 MiB pieces, so a large member never sits in memory whole).
struct Member {
  std::string name;
  std::string data;
  unsigned type = AE_IFREG;
  std::string link;  // symlink target (AE_IFLNK)
  std::uint64_t size = 0;
  char fill = 0;
  bool streamed = false;
};

inline Member file(std::string name, std::string data) {
  return Member{std::move(name), std::move(data)};
}
inline Member dir(std::string name) {
  Member m{std::move(name)};
  m.type = AE_IFDIR;
  return m;
}
inline Member symlink_to(std::string name, std::string target) {
  Member m{std::move(name)};
  m.type = AE_IFLNK;
  m.link = std::move(target);
  return m;
}
inline Member big_file(std::string name, std::uint64_t size, char fill = 0) {
  Member m{std::move(name)};
  m.size = size;
  m.fill = fill;
  m.streamed = true;
  return m;
}

// Writes `members` with libarchive: `format` and `filters` by libarchive's names ("zip",
// "7zip", "pax", "ustar", "cpio", "newc", "iso9660", "xar", "arsvr4", ...; "gzip", "xz", ...).
inline Buffer write_archive(const std::string& format, const std::vector<std::string>& filters,
                            const std::vector<Member>& members,
                            const std::vector<std::string>& options = {}) {
  // libarchive's writers convert names to the locale's charset too, and 3.6.2's pax writer
  // crashes on a name the C locale cannot hold: write under C.UTF-8 (this thread only).
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  struct RestoreLocale {
    locale_t saved;
    ~RestoreLocale() { uselocale(saved); }
  } restore{uselocale(utf8)};
  Buffer out;
  struct archive* a = archive_write_new();
  EXPECT_EQ(archive_write_set_format_by_name(a, format.c_str()), ARCHIVE_OK) << format;
  for (const auto& f : filters) {
    EXPECT_EQ(archive_write_add_filter_by_name(a, f.c_str()), ARCHIVE_OK) << f;
  }
  for (const auto& o : options) {
    EXPECT_EQ(archive_write_set_options(a, o.c_str()), ARCHIVE_OK) << o << archive_error_string(a);
  }
  // Block padding would hide truncation tests' intent; tar readers do not need it.
  archive_write_set_bytes_in_last_block(a, 1);
  auto write_cb = [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
    auto* sink = static_cast<Buffer*>(client);
    const auto* p = static_cast<const std::uint8_t*>(buf);
    sink->insert(sink->end(), p, p + n);
    return static_cast<la_ssize_t>(n);
  };
  EXPECT_EQ(archive_write_open2(a, &out, nullptr, write_cb, nullptr, nullptr), ARCHIVE_OK)
      << archive_error_string(a);
  for (const auto& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, m.name.c_str());
    archive_entry_set_filetype(e, m.type);
    archive_entry_set_perm(e, m.type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.link.c_str());
    const std::uint64_t size = m.type != AE_IFREG ? 0 : m.streamed ? m.size : m.data.size();
    archive_entry_set_size(e, static_cast<la_int64_t>(size));
    EXPECT_GE(archive_write_header(a, e), ARCHIVE_WARN) << m.name << archive_error_string(a);
    if (m.type == AE_IFREG && !m.streamed && !m.data.empty()) {
      EXPECT_EQ(archive_write_data(a, m.data.data(), m.data.size()),
                static_cast<la_ssize_t>(m.data.size()));
    } else if (m.streamed) {
      const std::string piece(std::size_t{1} << 20, m.fill);
      for (std::uint64_t left = m.size; left > 0;) {
        const std::size_t n = left < piece.size() ? static_cast<std::size_t>(left) : piece.size();
        EXPECT_EQ(archive_write_data(a, piece.data(), n), static_cast<la_ssize_t>(n));
        left -= n;
      }
    }
    archive_entry_free(e);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK) << archive_error_string(a);
  archive_write_free(a);
  return out;
}

// name:size for each file, for failure messages that stay readable with binary contents.
inline std::string summary(const std::map<std::string, std::string>& files) {
  std::string s;
  for (const auto& [name, data] : files)
    s += "  " + name + ": " + std::to_string(data.size()) + " bytes\n";
  return s;
}

// What one expand_container call produced.
struct Expansion {
  std::vector<std::string> names;
  std::map<std::string, std::string> files;  // name -> bytes
  std::vector<scan::ContainerNote> notes;
  scan::ContainerBudget budget;
  std::uint64_t visited = 0;

  bool has_note(scan::NoteKind kind, const std::string& needle) const {
    for (const auto& n : notes) {
      if (n.kind == kind && n.message.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  // `limit`: a cap of either kind (an entry skipped, or the container left incomplete); else
  // damage.
  bool has_note(bool limit, const std::string& needle) const {
    for (const auto& n : notes) {
      if ((n.kind != scan::NoteKind::kMalformed) == limit &&
          n.message.find(needle) != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  std::string all_notes() const {
    static constexpr const char* kLabels[] = {"[malformed] ", "[skipped] ", "[incomplete] ",
                                              "[ambiguous] "};
    std::string s;
    for (const auto& n : notes) s += kLabels[static_cast<int>(n.kind)] + n.message + "\n";
    return s;
  }
};

inline Expansion expand(Bytes data, scan::ContainerKind kind = scan::ContainerKind::kArchive,
                        const scan::ContainerLimits& limits = {}) {
  Expansion x;
  x.visited = scan::expand_container(
      kind, data, limits, x.budget,
      [&](const scan::ContainerEntry& e) {
        x.names.push_back(e.name);
        x.files[e.name] = std::string(e.data.begin(), e.data.end());
      },
      x.notes);
  return x;
}

}  // namespace cascade::testing
