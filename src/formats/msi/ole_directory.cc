#include "formats/msi/ole_directory.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "core/utf8.h"

namespace cascade::msi {

namespace {

constexpr std::uint32_t kDifatSector = 0xfffffffc;
constexpr std::uint32_t kEndOfChain = 0xfffffffe;
constexpr std::uint32_t kFree = 0xffffffff;
constexpr std::uint32_t kNoStream = 0xffffffff;
constexpr std::uint32_t kMiniSectorSize = 64;
constexpr std::uint32_t kMiniStreamCutoff = 4096;
constexpr std::uint32_t kHeaderDifatEntries = 109;
constexpr std::uint32_t kEntrySize = 128;
constexpr std::size_t kMaxEntries = std::size_t{1} << 16;
// Allocation-table sectors a writer may reserve beyond what the file needs.
constexpr std::uint64_t kSlackSectors = 16;
// libgsf walks the sibling/child links recursively, 256 bytes of stack per level, and
// osslsigncode writes each storage's children as one chain of right siblings: the depth is
// about the number of streams. Deeper trees (2 MiB of libgsf stack) are refused.
constexpr std::size_t kMaxTreeDepth = 8192;
// libgsf keeps stream sizes and sector numbers in 32 bits.
constexpr std::uint64_t kMaxFileSize = std::uint64_t{1} << 32;

Error malformed(const std::string& message) {
  return make_error(ErrorCode::kMalformed, "OLE compound file: " + message);
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

// Which sectors (or mini sectors) some structure already owns: a sector in two chains makes
// streams alias each other, so the file is refused.
class Owners {
 public:
  explicit Owners(std::uint64_t count) : used_(static_cast<std::size_t>(count), false) {}
  bool claim(std::uint32_t unit) {
    if (unit >= used_.size() || used_[unit]) return false;
    used_[unit] = true;
    return true;
  }

 private:
  std::vector<bool> used_;
};

struct Layout {
  Bytes file;
  std::uint32_t sector_size = 0;
  std::uint64_t header_size = 0;  // sector 0 starts here (512, or 4096 for version 4)
  std::uint32_t sector_count = 0;
  std::vector<std::uint32_t> fat;
  std::vector<std::uint32_t> minifat;

  Bytes sector(std::uint32_t s) const {
    return file.subspan(static_cast<std::size_t>(header_size + std::uint64_t{s} * sector_size),
                        sector_size);
  }
};

// Follows a chain through `table` from `start` to ENDOFCHAIN, claiming every unit; nullopt on a
// link outside [0, units), a unit owned twice (which also ends every loop), or a special value.
std::optional<std::vector<std::uint32_t>> follow(const std::vector<std::uint32_t>& table,
                                                 std::uint32_t start, std::uint64_t units,
                                                 Owners& owners) {
  std::vector<std::uint32_t> chain;
  for (std::uint32_t s = start; s != kEndOfChain; s = table[s]) {
    if (s >= units || s >= table.size() || !owners.claim(s)) return std::nullopt;
    chain.push_back(s);
  }
  return chain;
}

void append_entries(Bytes sector, std::uint32_t count, std::vector<std::uint32_t>& out) {
  for (std::uint32_t i = 0; i < count; ++i)
    out.push_back(*load_u32le(sector, std::uint64_t{4} * i));
}

// The allocation tables libgsf accepts: every entry a sector of the table or a special value.
bool table_links_ok(const std::vector<std::uint32_t>& table) {
  return std::all_of(table.begin(), table.end(),
                     [&](std::uint32_t v) { return v < table.size() || v >= kDifatSector; });
}

std::optional<Error> read_fat(Layout& l, Owners& owners) {
  const Bytes h = l.file;
  const std::uint32_t fat_count = *load_u32le(h, 0x2c);
  const std::uint32_t difat_start = *load_u32le(h, 0x44);
  const std::uint32_t difat_count = *load_u32le(h, 0x48);
  const std::uint32_t per_sector = l.sector_size / 4;
  // Many more FAT sectors than the file has sectors to describe is never legitimate, and
  // libgsf sizes stack buffers by this count.
  const std::uint64_t needed = ceil_div(l.sector_count, per_sector);
  if (fat_count == 0 || fat_count > needed + kSlackSectors) {
    return malformed(std::to_string(fat_count) + " FAT sectors for a file of " +
                     std::to_string(l.sector_count) + " sectors");
  }
  const std::uint64_t expected_difat =
      fat_count > kHeaderDifatEntries ? ceil_div(fat_count - kHeaderDifatEntries, per_sector - 1)
                                      : 0;
  if (difat_count != expected_difat) {
    return malformed(std::to_string(difat_count) + " DIFAT sectors where " +
                     std::to_string(fat_count) + " FAT sectors need " +
                     std::to_string(expected_difat));
  }
  std::vector<std::uint32_t> fat_sectors;
  append_entries(h.subspan(0x4c), std::min(fat_count, kHeaderDifatEntries), fat_sectors);
  std::uint32_t next = difat_start;
  for (std::uint32_t i = 0; i < difat_count; ++i) {
    if (next >= l.sector_count || !owners.claim(next)) {
      return malformed("DIFAT chain leaves the file or loops");
    }
    const Bytes s = l.sector(next);
    const auto remaining = static_cast<std::uint32_t>(fat_count - fat_sectors.size());
    append_entries(s, std::min(remaining, per_sector - 1), fat_sectors);
    next = *load_u32le(s, l.sector_size - 4);
  }
  l.fat.reserve(std::size_t{fat_count} * per_sector);
  for (std::uint32_t s : fat_sectors) {
    if (s >= l.sector_count && s < kDifatSector) {
      return make_error(ErrorCode::kTruncated, "OLE compound file: FAT sector " +
                                                   std::to_string(s) + " lies past the end");
    }
    if (s >= l.sector_count || !owners.claim(s)) {
      return malformed("FAT sector " + std::to_string(s) + " is invalid or reused");
    }
    append_entries(l.sector(s), per_sector, l.fat);
  }
  if (!table_links_ok(l.fat)) return malformed("the FAT links past its own end");
  return std::nullopt;
}

// UTF-16 to UTF-8 as GLib's g_utf16_to_utf8 does it; nullopt on an unpaired surrogate.
std::optional<std::string> to_utf8(const std::u16string& units) {
  std::string out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    std::uint32_t c = units[i];
    if (c >= 0xd800 && c < 0xdc00) {
      if (i + 1 >= units.size() || units[i + 1] < 0xdc00 || units[i + 1] >= 0xe000) {
        return std::nullopt;
      }
      c = 0x10000 + ((c - 0xd800) << 10) + (units[++i] - 0xdc00);
    } else if (c >= 0xdc00 && c < 0xe000) {
      return std::nullopt;
    }
    append_utf8(out, c);
  }
  return out;
}

struct RawEntry {
  OleEntry entry;
  std::uint32_t left = kNoStream;
  std::uint32_t right = kNoStream;
  std::uint32_t child = kNoStream;
  std::uint32_t start = 0;
};

// Names must be what libgsf decodes the same way: an even length of 2..64 bytes whose last
// code unit is the only NUL, and valid UTF-16.
std::optional<Error> parse_entry(Bytes raw, std::uint16_t major, std::uint64_t file_size,
                                 RawEntry& out) {
  const std::uint16_t name_len = *load_u16le(raw, 0x40);
  if (name_len < 2 || name_len > 64 || name_len % 2 != 0) {
    return malformed("directory entry name length " + std::to_string(name_len));
  }
  OleEntry& e = out.entry;
  for (std::uint16_t i = 0; i + 2 < name_len; i += 2) {
    const std::uint16_t unit = *load_u16le(raw, i);
    if (unit == 0) return malformed("directory entry name with an embedded NUL");
    e.name.push_back(static_cast<char16_t>(unit));
  }
  if (*load_u16le(raw, name_len - 2) != 0) return malformed("unterminated directory entry name");
  auto utf8 = to_utf8(e.name);
  if (!utf8) return malformed("directory entry name is not valid UTF-16");
  e.utf8 = std::move(*utf8);
  e.type = raw[0x42];
  out.left = *load_u32le(raw, 0x44);
  out.right = *load_u32le(raw, 0x48);
  out.child = *load_u32le(raw, 0x4c);
  std::memcpy(e.clsid.data(), raw.data() + 0x50, 16);
  e.state_bits = *load_u32le(raw, 0x60);
  e.created = *load_u64le(raw, 0x64);
  e.modified = *load_u64le(raw, 0x6c);
  out.start = *load_u32le(raw, 0x74);
  e.size_low = *load_u32le(raw, 0x78);
  // Version 3 writers left the high dword uninitialised; [MS-CFB] says to ignore it there.
  e.size = major == 3 ? e.size_low : *load_u64le(raw, 0x78);
  if (e.type == kOleStorage) e.size = 0;
  if (e.size > file_size) {
    return malformed("stream '" + e.utf8 + "' is larger than the file (" + std::to_string(e.size) +
                     " bytes)");
  }
  return std::nullopt;
}

struct Tree {
  std::vector<RawEntry> raw;  // parallel to OleDirectory::entries
};

std::optional<Error> read_tree(const Layout& l, const std::vector<std::uint32_t>& dir_chain,
                               std::uint16_t major, Tree& tree) {
  const std::uint64_t per_sector = l.sector_size / kEntrySize;
  const std::uint64_t count = dir_chain.size() * per_sector;
  auto entry_bytes = [&](std::uint32_t id) {
    return l.sector(dir_chain[static_cast<std::size_t>(id / per_sector)])
        .subspan(static_cast<std::size_t>(id % per_sector * kEntrySize), kEntrySize);
  };
  if (count == 0) return malformed("empty directory");
  RawEntry root;
  if (auto error = parse_entry(entry_bytes(0), major, l.file.size(), root)) return error;
  if (root.entry.type != kOleRoot) return malformed("the first directory entry is not the root");
  // libgsf would build (and leak) entries for siblings of the root.
  if (root.left != kNoStream || root.right != kNoStream) return malformed("the root has siblings");
  tree.raw.push_back(root);
  std::vector<bool> seen(static_cast<std::size_t>(count), false);
  seen[0] = true;
  struct Pending {
    std::uint32_t id;
    std::uint32_t parent;
    std::size_t depth;
  };
  std::vector<Pending> stack{{root.child, 0, 1}};
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    if (p.id == kNoStream) continue;
    if (p.depth > kMaxTreeDepth) {
      return make_error(ErrorCode::kLimit, "OLE compound file: directory tree deeper than " +
                                               std::to_string(kMaxTreeDepth) + " levels");
    }
    if (p.id >= count || seen[p.id]) {
      return malformed("directory link " + std::to_string(p.id) + " is out of range or repeated");
    }
    seen[p.id] = true;
    if (tree.raw.size() >= kMaxEntries) {
      return make_error(ErrorCode::kLimit, "OLE compound file: more than " +
                                               std::to_string(kMaxEntries) + " directory entries");
    }
    RawEntry e;
    if (auto error = parse_entry(entry_bytes(p.id), major, l.file.size(), e)) return error;
    if (e.entry.type != kOleStorage && e.entry.type != kOleStream) {
      return malformed("directory entry '" + e.entry.utf8 + "' has type " +
                       std::to_string(e.entry.type));
    }
    const auto index = static_cast<std::uint32_t>(tree.raw.size());
    e.entry.parent = p.parent;
    tree.raw[p.parent].entry.children.push_back(index);
    stack.push_back({e.left, p.parent, p.depth + 1});
    stack.push_back({e.right, p.parent, p.depth + 1});
    if (e.entry.type == kOleStorage) stack.push_back({e.child, index, p.depth + 1});
    tree.raw.push_back(std::move(e));
  }
  // libgsf finds children by name: two with one name would make streams unreachable.
  for (const auto& r : tree.raw) {
    std::vector<std::string_view> names;
    for (std::uint32_t c : r.entry.children) names.emplace_back(tree.raw[c].entry.utf8);
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) != names.end()) {
      return malformed("two entries named '" + r.entry.utf8 + "/" +
                       std::string(*std::adjacent_find(names.begin(), names.end())) + "'");
    }
  }
  return std::nullopt;
}

// Every stream's chain must cover its size, in the mini stream below the cutoff and in the
// regular sectors above it, without sharing a unit with anything else.
std::optional<Error> check_streams(Layout& l, const Bytes header, Tree& tree, Owners& sectors) {
  const RawEntry& root = tree.raw[0];
  if (root.entry.size > 0) {
    auto chain = follow(l.fat, root.start, l.sector_count, sectors);
    if (!chain || chain->size() < ceil_div(root.entry.size, l.sector_size)) {
      return malformed("the mini stream's sector chain is broken or short");
    }
  }
  const std::uint64_t mini_count = ceil_div(root.entry.size, kMiniSectorSize);
  const std::uint32_t minifat_start = *load_u32le(header, 0x3c);
  const std::uint32_t minifat_count = *load_u32le(header, 0x40);
  if (minifat_count >= l.sector_count) return malformed("mini FAT sector count out of range");
  if (minifat_start != kEndOfChain && minifat_start != kFree) {
    auto chain = follow(l.fat, minifat_start, l.sector_count, sectors);
    // libgsf sizes a stack buffer by the mini FAT's length too.
    if (!chain || chain->size() > ceil_div(mini_count, l.sector_size / 4) + kSlackSectors) {
      return malformed("the mini FAT's sector chain is broken or too long");
    }
    for (std::uint32_t s : *chain) append_entries(l.sector(s), l.sector_size / 4, l.minifat);
    if (!table_links_ok(l.minifat)) return malformed("the mini FAT links past its own end");
  }
  Owners minis(mini_count);
  for (std::size_t i = 1; i < tree.raw.size(); ++i) {
    const RawEntry& e = tree.raw[i];
    if (e.entry.type != kOleStream || e.entry.size == 0) continue;  // never opened
    const bool mini = e.entry.size < kMiniStreamCutoff;
    auto chain = mini ? follow(l.minifat, e.start, mini_count, minis)
                      : follow(l.fat, e.start, l.sector_count, sectors);
    const std::uint64_t unit = mini ? kMiniSectorSize : l.sector_size;
    if (!chain || chain->size() < ceil_div(e.entry.size, unit)) {
      return malformed("stream '" + e.entry.utf8 + "' has a broken, shared or short " +
                       (mini ? "mini " : "") + "sector chain");
    }
  }
  return std::nullopt;
}

}  // namespace

Result<OleDirectory> read_ole_directory(Bytes file) {
  static constexpr std::uint8_t kMagic[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
  if (file.size() < 512) return make_error(ErrorCode::kTruncated, "OLE compound file: no header");
  if (!std::equal(std::begin(kMagic), std::end(kMagic), file.begin())) {
    return malformed("bad signature");
  }
  if (file.size() >= kMaxFileSize) {
    return make_error(ErrorCode::kLimit, "OLE compound file: larger than 4 GiB");
  }
  const std::uint16_t major = *load_u16le(file, 0x1a);
  const std::uint16_t shift = *load_u16le(file, 0x1e);
  if (*load_u16le(file, 0x1c) != 0xfffe) return malformed("not little-endian");
  if (!(major == 3 && shift == 9) && !(major == 4 && shift == 12)) {
    return malformed("version " + std::to_string(major) + " with sector shift " +
                     std::to_string(shift));
  }
  if (*load_u16le(file, 0x20) != 6 || *load_u32le(file, 0x38) != kMiniStreamCutoff) {
    return malformed("unsupported mini sector size or mini stream cutoff");
  }
  Layout l;
  l.file = file;
  l.sector_size = 1U << shift;
  l.header_size = std::max<std::uint64_t>(512, l.sector_size);
  if (file.size() < l.header_size + l.sector_size) {
    return make_error(ErrorCode::kTruncated, "OLE compound file: no sectors");
  }
  l.sector_count = static_cast<std::uint32_t>((file.size() - l.header_size) / l.sector_size);
  Owners sectors(l.sector_count);
  if (auto error = read_fat(l, sectors)) return *error;
  auto dir_chain = follow(l.fat, *load_u32le(file, 0x30), l.sector_count, sectors);
  if (!dir_chain) return malformed("the directory's sector chain is broken");
  Tree tree;
  if (auto error = read_tree(l, *dir_chain, major, tree)) return *error;
  if (auto error = check_streams(l, file, tree, sectors)) return *error;
  OleDirectory dir;
  dir.major_version = major;
  dir.sector_size = l.sector_size;
  dir.entries.reserve(tree.raw.size());
  for (auto& r : tree.raw) dir.entries.push_back(std::move(r.entry));
  return dir;
}

bool signature_order(const OleEntry& a, const OleEntry& b) {
  // Compare the UTF-16LE byte strings with their terminators, as memcmp would.
  const std::size_t la = 2 * (a.name.size() + 1);
  const std::size_t lb = 2 * (b.name.size() + 1);
  auto byte_at = [](const std::u16string& s, std::size_t i) -> std::uint8_t {
    const std::size_t unit = i / 2;
    const char16_t c = unit < s.size() ? s[unit] : u'\0';
    return static_cast<std::uint8_t>(i % 2 == 0 ? (c & 0xff) : (c >> 8));
  };
  for (std::size_t i = 0; i < std::min(la, lb); ++i) {
    const std::uint8_t x = byte_at(a.name, i);
    const std::uint8_t y = byte_at(b.name, i);
    if (x != y) return x < y;
  }
  return la > lb;
}

std::string entry_path(const OleDirectory& dir, std::uint32_t index) {
  std::vector<std::uint32_t> chain;
  for (std::uint32_t i = index; i != 0 && chain.size() < dir.entries.size();
       i = dir.entries[i].parent) {
    chain.push_back(i);
  }
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += dir.entries[*it].utf8;
  }
  return path;
}

}  // namespace cascade::msi
