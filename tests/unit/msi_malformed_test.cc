// Hostile OLE/MSI input: damaged copies of the signed fixture and crafted compound files are
// refused before libgsf sees them (msi.malformed, format "unknown") or read with anomalies, and
// nothing crashes or hangs (these also run under ASan+UBSan).
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "core/finding_catalogue.h"
#include "formats/msi/msi.h"
#include "formats/msi/msi_internal.h"
#include "formats/msi/ole_directory.h"
#include "scan/container/msi_expansion.h"
#include "test_support.h"

namespace cascade {
namespace {

using Buffer = std::vector<std::uint8_t>;

constexpr std::uint32_t kEnd = 0xfffffffe;
constexpr std::uint32_t kFree = 0xffffffff;

Buffer read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

FileReport inspect_buffer(const Buffer& data) {
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;
  return inspect_bytes("buffer", Bytes(data.data(), data.size()), options);
}

void put16(Buffer& d, std::size_t at, std::uint16_t v) {
  for (int i = 0; i < 2; ++i) d.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
}
void put32(Buffer& d, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) d.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get32(const Buffer& d, std::size_t at) {
  return *load_u32le(Bytes(d.data(), d.size()), at);
}

// Navigates a version 3 compound file the simple way, to damage chosen structures.
struct Ole3 {
  Buffer d;

  static std::size_t sector(std::uint32_t s) { return 512 + std::size_t{s} * 512; }
  std::size_t fat_slot(std::uint32_t s) const {
    return sector(get32(d, 0x4c + 4 * (s / 128))) + 4 * (s % 128);
  }
  std::uint32_t fat(std::uint32_t s) const { return get32(d, fat_slot(s)); }
  std::size_t entry(std::uint32_t id) const {
    std::uint32_t s = get32(d, 0x30);
    for (std::uint32_t k = 0; k < id / 4; ++k) s = fat(s);
    return sector(s) + (id % 4) * 128;
  }
  std::uint32_t entry_count() const {
    std::uint32_t n = 0;
    for (std::uint32_t s = get32(d, 0x30); s != kEnd && n < 4096; s = fat(s)) n += 4;
    return n;
  }
  std::string name(std::uint32_t id) const {
    const std::size_t at = entry(id);
    std::u16string raw;
    for (std::size_t i = 0; i + 2 < d[at + 0x40] && i < 62; i += 2) {
      raw.push_back(static_cast<char16_t>(d[at + i] | (d[at + i + 1] << 8)));
    }
    return msi::display_name(msi::decode_stream_name(raw));
  }
  std::uint32_t find(const std::string& wanted) const {
    for (std::uint32_t id = 0; id < entry_count(); ++id) {
      if (d[entry(id) + 0x42] != 0 && name(id) == wanted) return id;
    }
    ADD_FAILURE() << "no entry " << wanted;
    return 0;
  }
};

Ole3 signed_msi() {
  Ole3 ole{read_all(testing::fixture("msi/signed.msi"))};
  EXPECT_GT(ole.d.size(), 4096U);
  return ole;
}

// The file is refused as a compound file: format unknown, msi.malformed, hashes still there.
void expect_refused(const Buffer& d, const std::string& why) {
  SCOPED_TRACE(why);
  auto package = msi::read_msi(Bytes(d.data(), d.size()));
  ASSERT_FALSE(package.ok());
  EXPECT_NE(package.error().code, ErrorCode::kUnsupported);
  const FileReport r = inspect_buffer(d);
  EXPECT_EQ(r.format, FileFormat::kUnknown);
  EXPECT_TRUE(testing::has_finding(r, "msi.malformed"));
  EXPECT_EQ(r.hashes.sha256.size(), 64U);
}

TEST(MsiMalformed, DamagedDirectoryEntriesAreRefused) {
  const Ole3 base = signed_msi();
  const std::uint32_t cab = base.find("app.cab");
  const std::uint32_t helper = base.find("Binary.helper");
  const std::uint32_t tables = base.find("!_Tables");
  struct Case {
    const char* why;
    std::function<void(Ole3&)> damage;
  };
  const std::vector<Case> cases = {
      {"root with a sibling", [](Ole3& o) { put32(o.d, o.entry(0) + 0x44, 1); }},
      {"child links back to the root", [](Ole3& o) { put32(o.d, o.entry(0) + 0x4c, 0); }},
      {"entry is its own sibling", [&](Ole3& o) { put32(o.d, o.entry(cab) + 0x44, cab); }},
      {"link out of range", [&](Ole3& o) { put32(o.d, o.entry(cab) + 0x48, 100000); }},
      {"unknown entry type", [&](Ole3& o) { o.d[o.entry(cab) + 0x42] = 7; }},
      {"odd name length", [&](Ole3& o) { put16(o.d, o.entry(cab) + 0x40, 5); }},
      {"name longer than its field", [&](Ole3& o) { put16(o.d, o.entry(cab) + 0x40, 66); }},
      {"unterminated name",
       [&](Ole3& o) {
         for (std::size_t i = 0; i < 64; i += 2) put16(o.d, o.entry(cab) + i, 'A');
         put16(o.d, o.entry(cab) + 0x40, 64);
       }},
      {"embedded NUL", [&](Ole3& o) { put16(o.d, o.entry(cab), 0); }},
      {"unpaired surrogate", [&](Ole3& o) { put16(o.d, o.entry(cab), 0xd800); }},
      {"two entries of one name",
       [&](Ole3& o) {
         std::copy_n(o.d.begin() + static_cast<long>(o.entry(tables)), 0x42,
                     o.d.begin() + static_cast<long>(o.entry(helper)));
       }},
      {"stream larger than the file", [&](Ole3& o) { put32(o.d, o.entry(cab) + 0x78, 1U << 30); }},
      {"stream longer than its chain", [&](Ole3& o) { put32(o.d, o.entry(cab) + 0x78, 9000); }},
      {"mini streams share sectors",
       [&](Ole3& o) { put32(o.d, o.entry(helper) + 0x74, get32(o.d, o.entry(tables) + 0x74)); }},
      {"directory chain loops",
       [](Ole3& o) { put32(o.d, o.fat_slot(get32(o.d, 0x30)), get32(o.d, 0x30)); }},
      {"FAT count too large", [](Ole3& o) { put32(o.d, 0x2c, 1000); }},
      {"DIFAT count inconsistent", [](Ole3& o) { put32(o.d, 0x48, 3); }},
      {"mini FAT outside the file", [](Ole3& o) { put32(o.d, 0x3c, 0xffffff00); }},
      {"mini stream cutoff", [](Ole3& o) { put32(o.d, 0x38, 8192); }},
      {"sector shift", [](Ole3& o) { put16(o.d, 0x1e, 10); }},
      {"big-endian marker", [](Ole3& o) { put16(o.d, 0x1c, 0xfeff); }},
  };
  for (const auto& c : cases) {
    Ole3 o = base;
    c.damage(o);
    expect_refused(o.d, c.why);
  }
}

TEST(MsiMalformed, DatabaseDamageIsAnAnomalyNotAFailure) {
  {
    Ole3 o = signed_msi();
    put32(o.d, o.entry(o.find("!File")) + 0x78, 39);  // no longer a whole number of rows
    const FileReport r = inspect_buffer(o.d);
    EXPECT_EQ(r.format, FileFormat::kMsi);
    EXPECT_TRUE(testing::has_finding(r, "msi.malformed"));
    ASSERT_TRUE(r.msi.has_value());
    EXPECT_TRUE(r.msi->install_names.empty());
  }
  {
    Ole3 o = signed_msi();
    const std::size_t at = o.entry(o.find("app.cab"));
    put16(o.d, at, static_cast<std::uint16_t>((o.d[at] | (o.d[at + 1] << 8)) ^ 1));  // renamed
    const FileReport r = inspect_buffer(o.d);
    EXPECT_EQ(r.format, FileFormat::kMsi);
    bool missing_cabinet = false;
    for (const auto& f : r.findings) {
      missing_cabinet = missing_cabinet || (f.is(findings::kMsiMalformed) &&
                                            f.message.find("app.cab") != std::string::npos);
    }
    EXPECT_TRUE(missing_cabinet);
  }
}

TEST(MsiMalformed, TruncationsAndFlipsNeverCrash) {
  const Buffer original = read_all(testing::fixture("msi/signed-dse.msi"));
  ASSERT_GT(original.size(), 4096U);
  for (std::size_t len = 0; len < original.size(); len += (len < 1024 ? 13 : 256)) {
    const Buffer cut(original.begin(), original.begin() + static_cast<long>(len));
    const FileReport r = inspect_buffer(cut);
    EXPECT_EQ(r.hashes.sha256.size(), 64U);
    if (len >= 8) {
      EXPECT_TRUE(r.format == FileFormat::kUnknown && testing::has_finding(r, "msi.malformed"))
          << len;
    }
  }
  std::mt19937 rng(4711);  // fixed seed: reproducible
  for (int round = 0; round < 400; ++round) {
    Buffer data = original;
    const int flips = 1 + static_cast<int>(rng() % 8);
    // Mostly the header, FAT and directory (the first sectors), where damage matters most.
    const std::size_t span =
        round % 2 == 0 ? std::min<std::size_t>(data.size(), 4096) : data.size();
    for (int i = 0; i < flips; ++i) data[8 + rng() % (span - 8)] = static_cast<std::uint8_t>(rng());
    const FileReport r = inspect_buffer(data);
    EXPECT_EQ(r.hashes.sha256.size(), 64U);
    scan::ContainerBudget budget;
    std::vector<scan::ContainerNote> notes;
    scan::expand_msi(
        Bytes(data.data(), data.size()), scan::ContainerLimits{}, budget,
        [](const scan::ContainerEntry&) {}, notes);
  }
}

// A minimal version 3 compound file: header, FAT sectors, then the directory; `entries[0]` is
// the root. Every stream is empty, so no data sectors are needed.
struct CraftedEntry {
  std::u16string name;
  std::uint8_t type = 2;
  std::uint32_t left = kFree;
  std::uint32_t right = kFree;
  std::uint32_t child = kFree;
};

Buffer craft(const std::vector<CraftedEntry>& entries) {
  const std::uint32_t dir_sectors = static_cast<std::uint32_t>((entries.size() + 3) / 4);
  std::uint32_t fat_sectors = 1;
  while (fat_sectors * 128 < fat_sectors + dir_sectors) ++fat_sectors;
  Buffer d(512 + std::size_t{fat_sectors + dir_sectors} * 512, 0);
  static constexpr std::uint8_t kMagic[] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
  std::copy(std::begin(kMagic), std::end(kMagic), d.begin());
  put16(d, 0x18, 0x3e);
  put16(d, 0x1a, 3);
  put16(d, 0x1c, 0xfffe);
  put16(d, 0x1e, 9);
  put16(d, 0x20, 6);
  put32(d, 0x2c, fat_sectors);
  put32(d, 0x30, fat_sectors);
  put32(d, 0x38, 4096);
  put32(d, 0x3c, kEnd);
  put32(d, 0x44, kEnd);
  for (std::uint32_t i = 0; i < 109; ++i) put32(d, 0x4c + 4 * i, i < fat_sectors ? i : kFree);
  for (std::uint32_t s = 0; s < fat_sectors * 128; ++s) {
    std::uint32_t v = kFree;
    if (s < fat_sectors) v = 0xfffffffd;
    if (s >= fat_sectors && s < fat_sectors + dir_sectors) {
      v = s + 1 == fat_sectors + dir_sectors ? kEnd : s + 1;
    }
    put32(d, 512 + 4 * std::size_t{s}, v);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::size_t at = 512 + std::size_t{fat_sectors} * 512 + i * 128;
    const auto& e = entries[i];
    for (std::size_t k = 0; k < e.name.size(); ++k) put16(d, at + 2 * k, e.name[k]);
    put16(d, at + 0x40, static_cast<std::uint16_t>(2 * (e.name.size() + 1)));
    d[at + 0x42] = i == 0 ? 5 : e.type;
    put32(d, at + 0x44, e.left);
    put32(d, at + 0x48, e.right);
    put32(d, at + 0x4c, e.child);
    put32(d, at + 0x74, kEnd);
  }
  return d;
}

// A list-shaped tree: the root's child, whose right sibling is the next entry, and so on.
std::vector<CraftedEntry> sibling_list(std::size_t n) {
  std::vector<CraftedEntry> entries(n + 1);
  entries[0].name = u"Root Entry";
  entries[0].child = 1;
  for (std::size_t i = 1; i <= n; ++i) {
    entries[i].name = u"s" + std::u16string(1, static_cast<char16_t>(0x4e00 + i));
    if (i < n) entries[i].right = static_cast<std::uint32_t>(i + 1);
  }
  return entries;
}

TEST(MsiMalformed, CraftedTreesAreBounded) {
  {
    const Buffer d = craft(sibling_list(8000));  // as deep as a tree may be
    auto dir = msi::read_ole_directory(Bytes(d.data(), d.size()));
    ASSERT_TRUE(dir.ok()) << dir.error().message;
    EXPECT_EQ(dir->entries.size(), 8001U);
    auto package = msi::read_msi(Bytes(d.data(), d.size()));  // libgsf reads it too
    ASSERT_FALSE(package.ok());
    EXPECT_EQ(package.error().code, ErrorCode::kUnsupported);  // sound, but no database
    const FileReport r = inspect_buffer(d);
    EXPECT_EQ(r.format, FileFormat::kUnknown);
    EXPECT_TRUE(r.findings.empty());
  }
  {
    const Buffer d = craft(sibling_list(9000));  // deeper than libgsf's recursion may go
    auto dir = msi::read_ole_directory(Bytes(d.data(), d.size()));
    ASSERT_FALSE(dir.ok());
    EXPECT_EQ(dir.error().code, ErrorCode::kLimit);
    expect_refused(d, "deep tree");
  }
  {
    auto entries = sibling_list(3);
    entries[1].left = 3;  // entry 3 reached twice: a DAG, which libgsf would expand twice
    expect_refused(craft(entries), "shared entry");
  }
  {
    auto entries = sibling_list(3);
    entries[2].type = 1;  // a storage whose child is its parent's sibling
    entries[2].child = 1;
    expect_refused(craft(entries), "storage cycle");
  }
}

TEST(MsiMalformed, SignatureStreamAloneIsNoInstaller) {
  // A compound file holding an empty \x05DigitalSignature stream and nothing else.
  auto entries = sibling_list(0);
  entries[0].child = 1;
  entries.push_back(
      {u"\x05"
       u"DigitalSignature"});
  const Buffer d = craft(entries);
  auto package = msi::read_msi(Bytes(d.data(), d.size()));
  ASSERT_FALSE(package.ok());  // an OLE file, but no installer database
  EXPECT_EQ(package.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace cascade
