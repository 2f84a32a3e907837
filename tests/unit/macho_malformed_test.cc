// Hostile Mach-O input: every truncation of the fixtures, random byte flips (fixed seed), and
// crafted headers, load commands, symbol tables and fat headers with lying counts, sizes and
// offsets. Nothing may crash; damage must come back as an error, an anomaly or a bad page.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include "formats/macho/macho_image.h"
#include "test_support.h"

namespace cascade {
namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Buffer macho_fixture(const std::string& name) {
  Buffer data = read_all(testing::fixture("macho/" + name));
  EXPECT_FALSE(data.empty()) << name;
  return data;
}

const authenticode::TrustStore& empty_trust() {
  static const auto store = authenticode::TrustStore::create({.builtin = false});
  if (!store) std::abort();
  return store.value();
}

// Everything the library does with a file, as inspect would do it.
struct Outcome {
  bool parsed = false;
  bool signed_code = false;
  bool damage_seen = false;  // an anomaly, a signature error or a bad page
};

Outcome exercise(Bytes file) {
  Outcome out;
  if (macho::detect(file) == macho::Kind::kFat) {
    auto slices = macho::parse_fat(file);
    if (!slices.ok()) return out;
    for (const auto& s : *slices) {
      if (auto bytes = macho::slice_bytes(file, s)) exercise(*bytes);
    }
    out.parsed = true;
    return out;
  }
  auto image = macho::parse_macho(file);
  if (!image.ok()) return out;
  out.parsed = true;
  macho::measure_contents(file, *image);
  macho::verify_code_signature(file, *image, empty_trust(), 1800000000);
  out.damage_seen = !image->anomalies.empty();
  if (const auto& cs = image->code_signature) {
    out.signed_code = true;
    out.damage_seen = out.damage_seen || !cs->errors.empty() || cs->directories.empty();
    for (const auto& cd : cs->directories) {
      out.damage_seen = out.damage_seen || cd.bad_pages != 0 || !cd.bad_special_slots.empty();
    }
  }
  return out;
}

TEST(MachoMalformed, EveryTruncation) {
  for (const char* name : {"hello-arm64", "libfix-x86_64.dylib", "fix-i386.o", "fix-armv7.o"}) {
    SCOPED_TRACE(name);
    const Buffer data = macho_fixture(name);
    const bool wide = data.size() > 4 && data[0] == 0xcf;
    const std::size_t header = wide ? 32 : 28;
    for (std::size_t n = 0; n < data.size(); ++n) {
      const Outcome o = exercise(Bytes(data.data(), n));
      // The header is all parse_macho needs; anything cut after it is reported as damage.
      ASSERT_EQ(o.parsed, n >= header) << n;
      if (o.parsed) {
        ASSERT_TRUE(o.damage_seen) << n;
      }
    }
    const Outcome whole = exercise(Bytes(data.data(), data.size()));
    EXPECT_TRUE(whole.parsed);
    EXPECT_FALSE(whole.damage_seen);
  }
}

TEST(MachoMalformed, FatTruncations) {
  const Buffer data = macho_fixture("hello-universal");
  for (std::size_t n = 0; n < data.size(); n += (n < 4096 ? 1 : 61)) {
    const Bytes prefix(data.data(), n);
    // Cut anywhere, a slice lies outside the file: the strict reader refuses it, and a file
    // still recognised as fat says what is missing.
    EXPECT_FALSE(macho::parse_fat(prefix).ok()) << n;
    if (macho::detect(prefix) == macho::Kind::kFat) {
      EXPECT_FALSE(macho::read_fat(prefix).problems.empty()) << n;
    }
    exercise(prefix);
  }
}

TEST(MachoMalformed, RandomFlipsInSignedBytesAreAlwaysSeen) {
  const Buffer original = macho_fixture("hello-arm64");
  auto image = macho::parse_macho(Bytes(original.data(), original.size()));
  ASSERT_TRUE(image.ok());
  ASSERT_TRUE(image->code_signature.has_value());
  const std::uint64_t signed_end = image->code_signature->offset;
  std::mt19937 rng(20230329);  // the day the 3CX compromise became public
  std::size_t seen = 0, runs = 3000;
  for (std::size_t run = 0; run < runs; ++run) {
    Buffer data = original;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) {
      // Mostly the header and load commands, where a flip changes how the rest is read.
      const std::uint64_t limit = rng() % 4 == 0 ? signed_end : 2048;
      data[rng() % limit] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    }
    const Outcome o = exercise(Bytes(data.data(), data.size()));
    // A flipped signed byte breaks a page hash, unless the flip also unmade the signature.
    if (!o.parsed || !o.signed_code || o.damage_seen) ++seen;
  }
  EXPECT_EQ(seen, runs);
}

TEST(MachoMalformed, RandomFlipsAnywhereNeverCrash) {
  for (const char* name :
       {"hello-x86_64", "libfix-arm64.dylib", "fix-armv7.o", "hello-universal"}) {
    const Buffer original = macho_fixture(name);
    std::mt19937 rng(7);
    std::size_t parsed = 0;
    for (int run = 0; run < 600; ++run) {
      Buffer data = original;
      const int flips = 1 + static_cast<int>(rng() % 16);
      for (int i = 0; i < flips; ++i) {
        const std::size_t at =
            rng() % 3 == 0 ? rng() % data.size() : rng() % std::min<std::size_t>(data.size(), 1024);
        data[at] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      }
      if (exercise(Bytes(data.data(), data.size())).parsed) ++parsed;
    }
    // Most flips leave a readable header: the parser keeps going past the damage.
    EXPECT_GT(parsed, 300u) << name;
  }
}

// Writes Mach-O structures in either byte order.
class Writer {
 public:
  explicit Writer(bool big) : big_(big) {}
  Writer& u8(std::uint8_t v) {
    out_.push_back(v);
    return *this;
  }
  Writer& u16(std::uint16_t v) { return put(v, 2); }
  Writer& u32(std::uint32_t v) { return put(v, 4); }
  Writer& u64(std::uint64_t v) { return put(v, 8); }
  Writer& name(const std::string& s, std::size_t size = 16) {
    Buffer b(size, 0);
    std::copy_n(s.begin(), std::min(s.size(), size), b.begin());
    return bytes(b);
  }
  Writer& bytes(const Buffer& b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  Writer& pad_to(std::size_t n) {
    out_.resize(std::max(out_.size(), n), 0);
    return *this;
  }
  const Buffer& data() const { return out_; }
  Buffer& data() { return out_; }

 private:
  Writer& put(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = big_ ? 8 * (n - 1 - i) : 8 * i;
      out_.push_back(static_cast<std::uint8_t>(v >> shift));
    }
    return *this;
  }
  bool big_;
  Buffer out_;
};

// A load command: cmd, cmdsize (the body padded to `align`), body.
Buffer command(bool big, std::uint32_t cmd, const Buffer& body, std::size_t align = 8) {
  Writer w(big);
  const std::size_t size = (8 + body.size() + align - 1) / align * align;
  w.u32(cmd).u32(static_cast<std::uint32_t>(size)).bytes(body).pad_to(size);
  return w.data();
}

struct Crafted {
  bool wide = true;
  bool big = false;
  std::uint32_t flags = 0x85;  // NOUNDEFS | DYLDLINK | TWOLEVEL
  std::vector<Buffer> commands;
  std::optional<std::uint32_t> ncmds, sizeofcmds;
  std::size_t file_size = 0x1000;  // the file is zero-padded to this size
};

Buffer build(const Crafted& c) {
  Writer w(c.big);
  std::size_t total = 0;
  for (const auto& cmd : c.commands) total += cmd.size();
  w.u32(c.wide ? 0xfeedfacf : 0xfeedface)
      .u32(c.wide ? 0x0100000c : 7)
      .u32(0)
      .u32(2)
      .u32(c.ncmds.value_or(static_cast<std::uint32_t>(c.commands.size())))
      .u32(c.sizeofcmds.value_or(static_cast<std::uint32_t>(total)))
      .u32(c.flags);
  if (c.wide) w.u32(0);
  for (const auto& cmd : c.commands) w.bytes(cmd);
  w.pad_to(c.file_size);
  return w.data();
}

Buffer segment64(const std::string& name, std::uint64_t fileoff, std::uint64_t filesize,
                 std::uint32_t nsects, const std::vector<Buffer>& sections = {}) {
  Writer w(false);
  w.name(name).u64(0x100000000 + fileoff).u64(filesize + 0x1000).u64(fileoff).u64(filesize);
  w.u32(5).u32(5).u32(nsects).u32(0);
  for (const auto& s : sections) w.bytes(s);
  return command(false, 0x19, w.data());
}

Buffer section64(const std::string& seg, const std::string& name, std::uint64_t size,
                 std::uint32_t offset, std::uint32_t flags = 0) {
  Writer w(false);
  w.name(name).name(seg).u64(0x100000000 + offset).u64(size).u32(offset).u32(0).u32(0).u32(0);
  w.u32(flags).u32(0).u32(0).u32(0);
  return w.data();
}

Buffer dylib(std::uint32_t cmd, const std::string& name, std::uint32_t name_offset = 24) {
  Writer w(false);
  w.u32(name_offset).u32(0).u32(0x00010203).u32(0x00010000);
  Buffer body = w.data();
  body.insert(body.end(), name.begin(), name.end());
  body.push_back(0);
  return command(false, cmd, body);
}

macho::MachoImage parse_ok(const Buffer& data) {
  auto image = macho::parse_macho(Bytes(data.data(), data.size()));
  EXPECT_TRUE(image.ok()) << (image.ok() ? "" : image.error().message);
  if (!image.ok()) return {};
  macho::measure_contents(Bytes(data.data(), data.size()), *image);
  macho::verify_code_signature(Bytes(data.data(), data.size()), *image, empty_trust(), 0);
  return std::move(image).value();
}

bool has_anomaly(const macho::MachoImage& image, const std::string& part) {
  return std::any_of(image.anomalies.begin(), image.anomalies.end(),
                     [&](const std::string& a) { return a.find(part) != std::string::npos; });
}

std::string anomalies(const macho::MachoImage& image) {
  std::string out;
  for (const auto& a : image.anomalies) out += a + "\n";
  return out;
}

TEST(MachoMalformed, HeaderOnly) {
  Buffer data = build(Crafted{});
  EXPECT_EQ(macho::detect(Bytes(data.data(), data.size())), macho::Kind::kThin);
  const auto image = parse_ok(data);
  EXPECT_TRUE(image.load_commands.empty());
  EXPECT_TRUE(image.anomalies.empty()) << anomalies(image);
  EXPECT_EQ(macho::parse_macho(Bytes(data.data(), 31)).error().code, ErrorCode::kTruncated);
  data[0] = 0;
  EXPECT_EQ(macho::parse_macho(Bytes(data.data(), data.size())).error().code,
            ErrorCode::kMalformed);
  EXPECT_EQ(macho::detect(Bytes(data.data(), data.size())), macho::Kind::kNone);
}

TEST(MachoMalformed, LyingLoadCommandCounts) {
  Crafted c;
  c.commands = {command(false, 0x1b, Buffer(16, 0xab)), dylib(0xc, "/usr/lib/libz.dylib")};
  c.ncmds = 0xffffffff;
  auto image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "declares 4294967295 load commands")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "lies past the end of the load commands")) << anomalies(image);
  EXPECT_EQ(image.load_commands.size(), 2u);
  EXPECT_EQ(image.dylibs.size(), 1u);

  c.ncmds.reset();
  c.sizeofcmds = 0x7fffffff;
  image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "extend past the end of the file")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "load commands take")) << anomalies(image);
  EXPECT_EQ(image.load_commands.size(), 2u);

  c.sizeofcmds = 40;  // ends inside the second command (48 bytes)
  image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "load command 1 (LC_LOAD_DYLIB) has size 48")) << anomalies(image);
  EXPECT_EQ(image.load_commands.size(), 1u);
  EXPECT_TRUE(image.dylibs.empty());
}

TEST(MachoMalformed, LyingCommandSizes) {
  for (std::uint32_t size : {0u, 4u, 0xfffffff8u}) {
    SCOPED_TRACE(size);
    Crafted c;
    c.commands = {command(false, 0x1b, Buffer(16, 0xab)), command(false, 0x1b, Buffer(16, 0xcd))};
    Buffer data = build(c);
    // Rewrite the first command's cmdsize.
    for (int i = 0; i < 4; ++i) data[32 + 4 + i] = static_cast<std::uint8_t>(size >> (8 * i));
    const auto image = parse_ok(data);
    EXPECT_TRUE(has_anomaly(image, "load command 0 (LC_UUID) has size " + std::to_string(size)))
        << anomalies(image);
    EXPECT_TRUE(image.load_commands.empty());
    EXPECT_FALSE(image.uuid);
  }
  Crafted c;
  c.commands = {command(false, 0x1b, Buffer(20, 0xab), 4)};  // 28 bytes: not 8-aligned
  const auto image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "size 28 is not a multiple of 8")) << anomalies(image);
  EXPECT_EQ(image.uuid.value_or(""), "ABABABAB-ABAB-ABAB-ABAB-ABABABABABAB");
}

TEST(MachoMalformed, SegmentsAndSections) {
  Crafted c;
  c.file_size = 0x3000;
  c.commands = {
      segment64("__TEXT", 0, 0x2000, 2,
                {section64("__TEXT", "__text", 0x100, 0x1000),
                 section64("__TEXT", "__wild", 0x100, 0x2800)}),
      segment64("__DATA", 0x1800, 0x1000, 1,
                {section64("__DATA", "__bss", 0x10000, 0, 0x1)}),  // zero-fill: no file data
      segment64("__LINKEDIT", 0x2800, 0x10000, 0),
      segment64("__HUGE", 0, 0, 0xffffffff),
  };
  const auto image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "segments __TEXT and __DATA overlap")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "segment __LINKEDIT extends past the end")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "section __TEXT,__wild lies outside segment __TEXT"))
      << anomalies(image);
  EXPECT_TRUE(
      has_anomaly(image, "segment __HUGE declares 4294967295 sections; read the first 1024"))
      << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "more than its load command holds")) << anomalies(image);
  ASSERT_EQ(image.segments.size(), 4u);
  EXPECT_EQ(image.segments[0].sections.size(), 2u);
  EXPECT_TRUE(image.segments[3].sections.empty());
  EXPECT_EQ(image.segments[1].sections[0].entropy, 0.0);
  EXPECT_EQ(image.end_of_content, 0x3000u);
}

TEST(MachoMalformed, DylibAndRpathStrings) {
  Crafted c;
  Buffer unterminated = command(false, 0x8000001c, {12, 0, 0, 0, 'a', 'b', 'c', 'd'});
  c.commands = {dylib(0xc, "/usr/lib/libok.dylib"), dylib(0xc, "x", 0x4000), dylib(0xc, "y", 4),
                unterminated};
  const auto image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "dylib name string offset 16384 lies outside"))
      << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "dylib name string offset 4 lies outside")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "rpath string is not terminated")) << anomalies(image);
  ASSERT_EQ(image.dylibs.size(), 3u);
  EXPECT_EQ(image.dylibs[0].name, "/usr/lib/libok.dylib");
  EXPECT_EQ(image.dylibs[0].current_version, "1.2.3");
  EXPECT_EQ(image.dylibs[1].name, "");
  EXPECT_EQ(image.rpaths, std::vector<std::string>{"abcd"});
}

TEST(MachoMalformed, RepeatedCommands) {
  Writer bv(false);
  bv.u32(1).u32(0x000b0000).u32(0x000c0100).u32(0);
  Writer vm(false);
  vm.u32(0x000a0e00).u32(0);
  Crafted c;
  c.commands = {command(false, 0x1b, Buffer(16, 1)), command(false, 0x1b, Buffer(16, 2)),
                command(false, 0x32, bv.data()), command(false, 0x24, vm.data())};
  const auto image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "more than one LC_UUID")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "more than one build version command")) << anomalies(image);
  EXPECT_EQ(image.uuid.value_or(""), "01010101-0101-0101-0101-010101010101");
  ASSERT_TRUE(image.build_version.has_value());
  EXPECT_EQ(image.build_version->platform, "macos");
  EXPECT_EQ(image.build_version->minos, "11.0");
  EXPECT_EQ(image.build_version->sdk, "12.1");
}

TEST(MachoMalformed, MainEncryptionAndTruncatedCommands) {
  Writer main(false);
  main.u64(0x100000).u64(0);
  Writer enc(false);
  enc.u32(0x1000).u32(0x100).u32(1).u32(0);
  Crafted c;
  c.commands = {command(false, 0x80000028, main.data()), command(false, 0x2c, enc.data()),
                command(false, 0x1d, {}), command(false, 0x2, {})};
  const auto image = parse_ok(build(c));
  EXPECT_EQ(image.entry_offset.value_or(0), 0x100000u);
  EXPECT_TRUE(has_anomaly(image, "LC_MAIN entry point lies past the end")) << anomalies(image);
  EXPECT_EQ(image.encryption_cryptid.value_or(0), 1u);
  EXPECT_TRUE(has_anomaly(image, "LC_CODE_SIGNATURE is truncated")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "LC_SYMTAB at offset")) << anomalies(image);
  EXPECT_FALSE(image.code_signature);
}

// An nlist_64 entry.
Buffer nlist64(std::uint32_t strx, std::uint8_t type, std::uint16_t desc, std::uint64_t value) {
  Writer w(false);
  w.u32(strx).u8(type).u8(type == 0x1 ? 0 : 1).u16(desc).u64(value);
  return w.data();
}

TEST(MachoMalformed, SymbolTables) {
  // Strings at 0x800, symbols at 0x900: an import from library 1, one from library 9 (not
  // loaded), an export, a private external, a name past the string table, a debug (stab) entry.
  const std::string strings = std::string("\0_imp\0_far\0_exp\0_priv\0", 23);
  Writer syms(false);
  syms.bytes(nlist64(1, 0x1, 0x0100, 0))
      .bytes(nlist64(6, 0x1, 0x0900, 0))
      .bytes(nlist64(11, 0xf, 0, 0x1000))
      .bytes(nlist64(16, 0x1f, 0, 0x1004))
      .bytes(nlist64(500, 0xf, 0, 0x1008))
      .bytes(nlist64(1, 0x24, 0, 0));
  Writer st(false);
  st.u32(0x900).u32(6).u32(0x800).u32(static_cast<std::uint32_t>(strings.size()));
  Crafted c;
  c.commands = {dylib(0xc, "/usr/lib/libone.dylib"), command(false, 0x2, st.data())};
  Buffer data = build(c);
  std::copy(strings.begin(), strings.end(), data.begin() + 0x800);
  std::copy(syms.data().begin(), syms.data().end(), data.begin() + 0x900);
  auto image = parse_ok(data);
  ASSERT_EQ(image.imports.size(), 2u);
  EXPECT_EQ(image.imports[0].name, "_imp");
  EXPECT_EQ(image.imports[0].library, "/usr/lib/libone.dylib");
  EXPECT_EQ(image.imports[1].name, "_far");
  EXPECT_EQ(image.imports[1].library, "");
  ASSERT_EQ(image.exports.size(), 2u);
  EXPECT_EQ(image.exports[0].name, "_exp");
  EXPECT_EQ(image.exports[0].value, 0x1000u);
  EXPECT_EQ(image.exports[1].name, "");
  EXPECT_TRUE(has_anomaly(image, "1 symbol names lie outside the string table"))
      << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "1 imports name a library ordinal beyond the 1 libraries"))
      << anomalies(image);

  // A symbol count far beyond the file: capped, then cut at the end of the file.
  Writer huge(false);
  huge.u32(0x900).u32(0xffffffff).u32(0x800).u32(static_cast<std::uint32_t>(strings.size()));
  c.commands[1] = command(false, 0x2, huge.data());
  data = build(c);
  std::copy(strings.begin(), strings.end(), data.begin() + 0x800);
  image = parse_ok(data);
  EXPECT_TRUE(has_anomaly(image, "declares 4294967295 symbols; read the first 1048576"))
      << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "symbol table is cut short")) << anomalies(image);
  EXPECT_TRUE(has_anomaly(image, "symbol table extends past the end")) << anomalies(image);
  EXPECT_LE(image.imports.size() + image.exports.size(), (0x1000u - 0x900u) / 16);

  // LC_DYSYMTAB ranges beyond the symbol table.
  Writer dy(false);
  dy.u32(0).u32(1).u32(1).u32(1).u32(2).u32(0xffffff);
  dy.pad_to(72);
  c.commands[1] = command(false, 0x2, st.data());
  c.commands.push_back(command(false, 0xb, dy.data()));
  image = parse_ok(build(c));
  EXPECT_TRUE(has_anomaly(image, "LC_DYSYMTAB undefined symbols lie outside")) << anomalies(image);
}

TEST(MachoMalformed, BigEndian32BitImage) {
  // A byte-swapped (MH_CIGAM) 32-bit image: header and load commands big-endian.
  const bool big = true;
  Writer seg(big);
  seg.name("__TEXT").u32(0x1000).u32(0x1000).u32(0).u32(0x1000).u32(5).u32(5).u32(1).u32(0);
  seg.name("__text").name("__TEXT").u32(0x1800).u32(0x20).u32(0x800).u32(2).u32(0).u32(0);
  seg.u32(0x80000400).u32(0).u32(0);
  Writer dl(big);
  dl.u32(24).u32(2).u32(0x00050607).u32(0x00010000).name("/usr/lib/libbig.dylib", 24);
  Writer sym(big);
  sym.u32(1).u8(0x1).u8(0).u16(0x0100).u32(0);
  Writer st(big);
  st.u32(0xa00).u32(1).u32(0xb00).u32(8);
  Crafted c;
  c.wide = false;
  c.big = true;
  c.commands = {command(big, 0x1, seg.data(), 4), command(big, 0xc, dl.data(), 4),
                command(big, 0x1b, Buffer{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 4),
                command(big, 0x2, st.data(), 4)};
  Buffer data = build(c);
  std::copy(sym.data().begin(), sym.data().end(), data.begin() + 0xa00);
  const std::string name("\0_big", 6);
  std::copy(name.begin(), name.end(), data.begin() + 0xb00);
  EXPECT_EQ(macho::detect(Bytes(data.data(), data.size())), macho::Kind::kThin);
  const auto image = parse_ok(data);
  EXPECT_TRUE(image.anomalies.empty()) << anomalies(image);
  EXPECT_TRUE(image.big_endian);
  EXPECT_FALSE(image.is_64);
  EXPECT_EQ(image.cputype, 7u);
  EXPECT_EQ(image.filetype, 2u);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].filesize, 0x1000u);
  ASSERT_EQ(image.segments[0].sections.size(), 1u);
  EXPECT_EQ(image.segments[0].sections[0].offset, 0x800u);
  EXPECT_EQ(image.segments[0].sections[0].flags, 0x80000400u);
  ASSERT_EQ(image.dylibs.size(), 1u);
  EXPECT_EQ(image.dylibs[0].name, "/usr/lib/libbig.dylib");
  EXPECT_EQ(image.dylibs[0].current_version, "5.6.7");
  EXPECT_EQ(image.uuid.value_or(""), "00010203-0405-0607-0809-0A0B0C0D0E0F");
  ASSERT_EQ(image.imports.size(), 1u);
  EXPECT_EQ(image.imports[0].name, "_big");
  EXPECT_EQ(image.imports[0].library, "/usr/lib/libbig.dylib");
}

// A fat header over `slices` (cputype, offset, size) padded to `file_size`; each slice begins
// with a Mach-O magic.
Buffer fat(const std::vector<std::tuple<std::uint32_t, std::uint64_t, std::uint64_t>>& slices,
           std::size_t file_size, bool wide = false, std::optional<std::uint32_t> count = {}) {
  Writer w(true);
  w.u32(wide ? 0xcafebabf : 0xcafebabe)
      .u32(count.value_or(static_cast<std::uint32_t>(slices.size())));
  for (const auto& [cpu, offset, size] : slices) {
    w.u32(cpu).u32(0);
    if (wide) {
      w.u64(offset).u64(size).u32(12).u32(0);
    } else {
      w.u32(static_cast<std::uint32_t>(offset)).u32(static_cast<std::uint32_t>(size)).u32(12);
    }
  }
  w.pad_to(file_size);
  for (const auto& [cpu, offset, size] : slices) {
    if (offset + 4 <= file_size)
      std::copy_n(Buffer{0xcf, 0xfa, 0xed, 0xfe}.begin(), 4, w.data().begin() + offset);
  }
  return w.data();
}

TEST(MachoMalformed, FatHeaders) {
  auto kind = [](const Buffer& b) { return macho::detect(Bytes(b.data(), b.size())); };
  auto error = [](const Buffer& b) {
    auto r = macho::parse_fat(Bytes(b.data(), b.size()));
    return r.ok() ? std::string() : r.error().message;
  };
  const Buffer good = fat({{0x0100000c, 0x1000, 0x1000}, {0x01000007, 0x2000, 0x800}}, 0x2800);
  EXPECT_EQ(kind(good), macho::Kind::kFat);
  EXPECT_EQ(error(good), "");
  const Buffer good64 = fat({{0x0100000c, 0x1000, 0x1000}}, 0x2000, true);
  EXPECT_EQ(kind(good64), macho::Kind::kFat);
  auto slices = macho::parse_fat(Bytes(good64.data(), good64.size()));
  ASSERT_TRUE(slices.ok());
  EXPECT_EQ((*slices)[0].offset, 0x1000u);
  EXPECT_EQ((*slices)[0].align, 12u);

  // A Java class file: the same magic, then minor/major version where nfat_arch would be.
  Buffer java{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34};
  java.resize(2000, 0x07);
  EXPECT_EQ(kind(java), macho::Kind::kNone);
  EXPECT_NE(error(java), "");

  EXPECT_NE(error(fat({}, 0x100)), "");                               // no slices
  EXPECT_NE(error(fat({{7, 0x1000, 0x10}}, 0x2000, false, 65)), "");  // too many
  EXPECT_NE(error(fat({{7, 0x1000, 0x10}}, 0x2000, false, 60)), "");  // table past end
  EXPECT_NE(error(fat({{7, 0x1000, 0x2000}}, 0x2000)), "");           // slice past end
  EXPECT_NE(error(fat({{7, 0x10, 0x100}}, 0x2000)), "");              // inside the header
  EXPECT_NE(error(fat({{7, 0x1000, 0x800}, {12, 0x1400, 0x800}}, 0x2000)), "");  // overlap
  EXPECT_NE(error(fat({{7, 0xffffffff00000000, 0x100}}, 0x2000, true)), "");     // 64-bit offset
  EXPECT_NE(error(fat({{7, 0x1000, 0xffffffffffffff00}}, 0x2000, true)), "");    // wrapping size
  EXPECT_EQ(kind(Buffer{0xca, 0xfe}), macho::Kind::kNone);
}

// The primary CodeDirectory of a thin 64-bit little-endian image: its offset in the file.
std::size_t primary_code_directory(const Buffer& d) {
  auto u32 = [&](std::size_t at) { return *load_u32le(Bytes(d.data(), d.size()), at); };
  auto be32 = [&](std::size_t at) {
    return std::uint32_t{d[at]} << 24 | std::uint32_t{d[at + 1]} << 16 |
           std::uint32_t{d[at + 2]} << 8 | d[at + 3];
  };
  std::size_t at = 32;
  std::size_t super_blob = 0;
  for (std::uint32_t i = 0; i < u32(16); ++i) {
    if (u32(at) == 0x1d) super_blob = u32(at + 8);  // LC_CODE_SIGNATURE dataoff
    at += u32(at + 4);
  }
  EXPECT_NE(super_blob, 0u);
  for (std::uint32_t i = 0; i < be32(super_blob + 8); ++i) {
    if (be32(super_blob + 12 + 8 * i) == 0) return super_blob + be32(super_blob + 16 + 8 * i);
  }
  ADD_FAILURE() << "no primary CodeDirectory";
  return 0;
}

FileReport inspect_buffer(const Buffer& data) {
  InspectOptions options;
  options.trust = &empty_trust();
  options.now = 1800000000;
  return inspect_bytes("crafted", Bytes(data.data(), data.size()), options);
}

TEST(MachoMalformed, DamagedFatHeadersStillLeadToEverySliceInsideTheFile) {
  const Buffer universal = macho_fixture("hello-universal");
  auto be32 = [](Buffer& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  };
  const auto sound = macho::read_fat(Bytes(universal.data(), universal.size()));
  ASSERT_TRUE(sound.problems.empty());
  ASSERT_EQ(sound.slices.size(), 2u);
  const std::uint32_t second_size = static_cast<std::uint32_t>(sound.slices[1].size);
  // The second slice one byte past the end; nfat_arch 0xFFFFFFFF; the second slice pointing
  // at the fat header itself.
  Buffer past_end = universal;
  be32(past_end, 8 + 20 + 12, second_size + 1);
  Buffer huge_count = universal;
  be32(huge_count, 4, 0xffffffff);
  Buffer self = universal;
  be32(self, 8 + 20 + 8, 0);
  for (const Buffer* crafted : {&past_end, &huge_count, &self}) {
    EXPECT_EQ(macho::detect(Bytes(crafted->data(), crafted->size())), macho::Kind::kFat);
    const FileReport r = inspect_buffer(*crafted);
    EXPECT_EQ(r.format, FileFormat::kMachoFat);
    EXPECT_TRUE(testing::has_finding(r, "macho.malformed"));
    // The first slice is intact and is inspected, its signature checked.
    ASSERT_FALSE(r.macho_slices.empty());
    ASSERT_TRUE(r.macho_slices[0].image.has_value());
    EXPECT_TRUE(r.macho_slices[0].image->code_signature.has_value());
  }
  // huge_count's table is read up to the cap: both real slices are still there.
  EXPECT_EQ(macho::read_fat(Bytes(huge_count.data(), huge_count.size())).slices.size(), 2u);
}

TEST(MachoMalformed, ASignatureThatCannotBeCheckedIsNeverPagesOk) {
  const Buffer original = macho_fixture("hello-x86_64");
  const std::size_t cd = primary_code_directory(original);
  // An unknown hash type (99) over tampered code: nothing can be recomputed.
  Buffer unknown_hash = original;
  unknown_hash[cd + 37] = 99;
  unknown_hash[0x4000 + 100] ^= 0xff;
  // Page size 0 (one page) with the slot count of 4 KiB pages: no layout fits.
  Buffer page_zero = original;
  page_zero[cd + 39] = 0;
  for (const Buffer* crafted : {&unknown_hash, &page_zero}) {
    const FileReport r = inspect_buffer(*crafted);
    EXPECT_TRUE(testing::has_finding(r, "macho.codesign-unverifiable"));
    ASSERT_EQ(r.macho_slices.size(), 1u);
    const auto& cs = r.macho_slices[0].image->code_signature;
    ASSERT_TRUE(cs.has_value());
    for (const auto& dir : cs->directories) EXPECT_FALSE(dir.checked);
  }
  // The genuine image is checked and raises nothing of the kind.
  const FileReport genuine = inspect_buffer(original);
  EXPECT_FALSE(testing::has_finding(genuine, "macho.codesign-unverifiable"));
  ASSERT_TRUE(genuine.macho_slices[0].image->code_signature.has_value());
  EXPECT_TRUE(genuine.macho_slices[0].image->code_signature->directories.at(0).checked);
}

}  // namespace
}  // namespace cascade
