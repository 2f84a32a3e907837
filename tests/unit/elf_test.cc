// The ELF model checked against the facts readelf recorded for each generated fixture
// (tests/fixtures/elf/make-elf-fixtures.sh), and hostile input: truncated, corrupted and crafted
// files give an error or anomalies, never a crash or a hang (these run under ASan+UBSan too).
#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <tuple>

#include "formats/elf/elf_image.h"
#include "test_support.h"

namespace cascade {
namespace {

using elf::ElfImage;

std::vector<std::uint8_t> read_elf_fixture(const std::string& name) {
  std::ifstream in(testing::fixture("elf/" + name), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& readelf_facts() {
  static const nlohmann::json facts = [] {
    std::ifstream in(testing::fixture("elf/expected.json"));
    nlohmann::json j;
    if (in) in >> j;
    return j;
  }();
  return facts;
}

Bytes bytes_of(const std::vector<std::uint8_t>& data) {
  return {data.data(), data.size()};
}

ElfImage parse_fixture(const std::string& name) {
  const auto data = read_elf_fixture(name);
  auto image = elf::parse_elf(bytes_of(data));
  if (!image) {
    ADD_FAILURE() << name << ": " << image.error().message;
    return {};
  }
  return std::move(image).value();
}

using SymbolKey = std::tuple<std::string, std::string, std::string, std::string, std::uint64_t>;

std::vector<SymbolKey> symbol_keys(const std::vector<elf::Symbol>& symbols) {
  std::vector<SymbolKey> out;
  out.reserve(symbols.size());
  for (const auto& s : symbols)
    out.emplace_back(s.name, s.version, elf::symbol_binding_name(s.binding),
                     elf::symbol_type_name(s.type), s.value);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SymbolKey> symbol_keys(const nlohmann::json& symbols) {
  std::vector<SymbolKey> out;
  for (const auto& s : symbols) {
    out.emplace_back(s.at("name"), s.at("version"), s.at("binding"), s.at("type"),
                     s.at("value").get<std::uint64_t>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// readelf's segment type ("GNU_STACK") in cascade's spelling ("gnu-stack").
std::string segment_name_from_readelf(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return name;
}

std::optional<std::string> optional_string(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<std::string>();
}

std::vector<std::string> elf_fixture_names() {
  // Listed, not discovered, so a fixture that fails to generate fails its test.
  return {"libvers.so",
          "vers.o",
          "app",
          "app-rpath",
          "app-execstack",
          "wx",
          "app-stripped",
          "app-overlay",
          "libvers.debug",
          "app.debug",
          "app-rpath.debug",
          "app-eu.debug",
          "libvers-sstrip.so",
          "small-ppc.o",
          "libsmall-ppc-sstrip.so",
          "libsmall-user-ppc64-sstrip.so",
          "libsmall-i386.so",
          "libsmall-user-i386.so",
          "libsmall-ppc.so",
          "libsmall-user-ppc.so",
          "libsmall-ppc64.so",
          "libsmall-user-ppc64.so",
          "libsmall-mips.so",
          "libsmall-user-mips.so"};
}

class ElfFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ElfFixture, MatchesReadelf) {
  const std::string name = GetParam();
  ASSERT_TRUE(readelf_facts().contains(name)) << name << " missing from elf/expected.json";
  const auto& facts = readelf_facts().at(name);
  const auto data = read_elf_fixture(name);
  ASSERT_EQ(data.size(), facts.at("size").get<std::uint64_t>());
  ASSERT_TRUE(elf::looks_like_elf(bytes_of(data)));
  auto parsed = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const ElfImage& image = *parsed;

  EXPECT_EQ(image.is_64, facts.at("class") == 64);
  EXPECT_EQ(image.little_endian, facts.at("little_endian").get<bool>());
  EXPECT_EQ(image.type, facts.at("type").get<int>());
  EXPECT_EQ(image.machine, facts.at("machine").get<int>());
  EXPECT_EQ(image.entry, facts.at("entry").get<std::uint64_t>());
  EXPECT_TRUE(image.anomalies.empty()) << image.anomalies.front();

  ASSERT_EQ(image.segments.size(), facts.at("segments").size());
  bool gnu_stack = false, exec_stack = false;
  for (std::size_t i = 0; i < image.segments.size(); ++i) {
    const auto& p = image.segments[i];
    const auto& e = facts.at("segments")[i];
    const std::string theirs = segment_name_from_readelf(e.at("type"));
    const std::string ours = elf::segment_type_name(p.type);
    // Processor-specific types (MIPS_ABIFLAGS, ...) have no name in cascade: it prints hex.
    if (ours.rfind("0x", 0) != 0) {
      EXPECT_EQ(ours, theirs) << "segment " << i;
    } else {
      EXPECT_GE(p.type, 0x70000000u) << "segment " << i << " is " << theirs;
    }
    EXPECT_EQ(p.offset, e.at("offset").get<std::uint64_t>()) << "segment " << i;
    EXPECT_EQ(p.vaddr, e.at("vaddr").get<std::uint64_t>()) << "segment " << i;
    EXPECT_EQ(p.filesz, e.at("filesz").get<std::uint64_t>()) << "segment " << i;
    EXPECT_EQ(p.memsz, e.at("memsz").get<std::uint64_t>()) << "segment " << i;
    EXPECT_EQ(p.flags, e.at("flags").get<std::uint32_t>()) << "segment " << i;
    EXPECT_EQ(p.align, e.at("align").get<std::uint64_t>()) << "segment " << i;
    if (theirs == "gnu-stack") {
      gnu_stack = true;
      exec_stack = (e.at("flags").get<std::uint32_t>() & elf::kPfX) != 0;
    }
  }
  EXPECT_EQ(image.has_gnu_stack, gnu_stack);
  EXPECT_EQ(image.exec_stack, exec_stack);

  ASSERT_EQ(image.sections.size(), facts.at("sections").size());
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    const auto& s = image.sections[i];
    const auto& e = facts.at("sections")[i];
    EXPECT_EQ(s.name, e.at("name")) << "section " << i;
    EXPECT_EQ(s.addr, e.at("addr").get<std::uint64_t>()) << s.name;
    EXPECT_EQ(s.offset, e.at("offset").get<std::uint64_t>()) << s.name;
    EXPECT_EQ(s.size, e.at("size").get<std::uint64_t>()) << s.name;
    EXPECT_EQ(s.type == elf::kShtNobits, e.at("type") == "NOBITS") << s.name;
    EXPECT_EQ(s.type == elf::kShtDynsym, e.at("type") == "DYNSYM") << s.name;
  }
  EXPECT_EQ(image.stripped, facts.at("stripped").get<bool>());

  EXPECT_EQ(image.interpreter, optional_string(facts.at("interpreter")));
  EXPECT_EQ(image.needed, facts.at("needed").get<std::vector<std::string>>());
  EXPECT_EQ(image.soname, optional_string(facts.at("soname")));
  EXPECT_EQ(image.rpath, facts.at("rpath").get<std::vector<std::string>>());
  EXPECT_EQ(image.runpath, facts.at("runpath").get<std::vector<std::string>>());
  EXPECT_EQ(image.build_id, optional_string(facts.at("build_id")));
  EXPECT_EQ(symbol_keys(image.imports), symbol_keys(facts.at("imports")));
  EXPECT_EQ(symbol_keys(image.exports), symbol_keys(facts.at("exports")));
  for (const auto& s : image.imports) EXPECT_FALSE(s.defined) << s.name;
  for (const auto& s : image.exports) EXPECT_TRUE(s.defined) << s.name;
  EXPECT_EQ(image.end_of_content, facts.at("end_of_content").get<std::uint64_t>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ElfFixture, ::testing::ValuesIn(elf_fixture_names()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace_if(
                               n.begin(), n.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return n;
                         });

TEST(Elf, EveryGeneratedFixtureIsChecked) {
  const auto names = elf_fixture_names();
  ASSERT_FALSE(readelf_facts().empty());
  for (const auto& [name, facts] : readelf_facts().items()) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

TEST(Elf, FixturesCoverWhatTheyClaim) {
  // The peer facts above hold only if the fixtures really are what their names say.
  const ElfImage lib = parse_fixture("libvers.so");
  EXPECT_EQ(lib.soname, "libvers.so.1");
  EXPECT_EQ(lib.runpath, (std::vector<std::string>{"$ORIGIN/../lib", "/tmp"}));
  EXPECT_TRUE(std::any_of(lib.exports.begin(), lib.exports.end(), [](const elf::Symbol& s) {
    return s.name == "vers_calc" && s.version == "VERS_1.0";
  }));
  EXPECT_TRUE(std::any_of(lib.exports.begin(), lib.exports.end(), [](const elf::Symbol& s) {
    return s.name == "vers_tls" && s.type == elf::SymbolType::kTls && s.version == "VERS_2.0";
  }));

  const ElfImage app = parse_fixture("app");
  EXPECT_EQ(app.type, elf::kTypeDyn);
  EXPECT_TRUE(app.has_gnu_stack);
  EXPECT_FALSE(app.exec_stack);
  EXPECT_FALSE(app.stripped);
  // vers_counter is copy-relocated into the executable: defined here, with a needed version.
  EXPECT_TRUE(std::any_of(app.exports.begin(), app.exports.end(), [](const elf::Symbol& s) {
    return s.name == "vers_counter" && s.version == "VERS_1.0";
  }));
  EXPECT_TRUE(std::any_of(app.imports.begin(), app.imports.end(), [](const elf::Symbol& s) {
    return s.name == "printf" && s.version.rfind("GLIBC_", 0) == 0;
  }));

  EXPECT_EQ(parse_fixture("app-rpath").rpath,
            (std::vector<std::string>{"/opt/vers/lib", "/usr/local/lib"}));
  EXPECT_TRUE(parse_fixture("app-execstack").exec_stack);
  EXPECT_TRUE(parse_fixture("app-stripped").stripped);

  const ElfImage wx = parse_fixture("wx");
  EXPECT_TRUE(std::any_of(wx.segments.begin(), wx.segments.end(), [](const auto& p) {
    return p.type == elf::kPtLoad && p.writable() && p.executable();
  }));
  EXPECT_FALSE(std::any_of(app.segments.begin(), app.segments.end(), [](const auto& p) {
    return p.type == elf::kPtLoad && p.writable() && p.executable();
  }));

  const auto overlay = read_elf_fixture("app-overlay");
  EXPECT_EQ(parse_fixture("app-overlay").end_of_content, overlay.size() - 1000);

  const ElfImage be32 = parse_fixture("libsmall-user-ppc.so");
  EXPECT_FALSE(be32.is_64);
  EXPECT_FALSE(be32.little_endian);
  EXPECT_EQ(elf::machine_name(be32.machine), "ppc");
  EXPECT_EQ(parse_fixture("small-ppc.o").type, elf::kTypeRel);
  EXPECT_EQ(elf::machine_name(parse_fixture("libsmall-user-i386.so").machine), "i386");
  EXPECT_EQ(elf::machine_name(parse_fixture("libsmall-ppc64.so").machine), "ppc64");
}

TEST(Elf, SstripFallbackFindsTheSameSymbolsAsTheSectionTable) {
  for (const auto& [full, stripped] :
       {std::pair{"libvers.so", "libvers-sstrip.so"},
        std::pair{"libsmall-ppc.so", "libsmall-ppc-sstrip.so"},
        std::pair{"libsmall-user-ppc64.so", "libsmall-user-ppc64-sstrip.so"}}) {
    const ElfImage a = parse_fixture(full);
    const ElfImage b = parse_fixture(stripped);
    EXPECT_TRUE(b.sections.empty()) << stripped;
    EXPECT_FALSE(b.exports.empty()) << stripped;
    EXPECT_EQ(symbol_keys(a.exports), symbol_keys(b.exports)) << stripped;
    EXPECT_EQ(symbol_keys(a.imports), symbol_keys(b.imports)) << stripped;
    EXPECT_EQ(a.needed, b.needed) << stripped;
    EXPECT_EQ(a.soname, b.soname) << stripped;
    EXPECT_EQ(a.build_id, b.build_id) << stripped;
  }
}

TEST(Elf, MeasureContentsFillsSectionEntropy) {
  const auto data = read_elf_fixture("libvers.so");
  auto image = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(image.ok());
  elf::measure_contents(bytes_of(data), *image);
  bool saw_text = false, saw_bss = false;
  for (const auto& s : image->sections) {
    if (s.name == ".text") {
      saw_text = true;
      EXPECT_GT(s.entropy, 3.0);
      EXPECT_LE(s.entropy, 8.0);
      auto bytes = elf::section_bytes(bytes_of(data), s);
      ASSERT_TRUE(bytes.has_value());
      EXPECT_EQ(bytes->size(), s.size);
    }
    if (s.name == ".bss") {
      saw_bss = true;
      EXPECT_EQ(s.entropy, 0.0);
      EXPECT_FALSE(elf::section_bytes(bytes_of(data), s).has_value());
    }
  }
  EXPECT_TRUE(saw_text);
  EXPECT_TRUE(saw_bss);
}

TEST(Elf, DisplayNames) {
  EXPECT_EQ(elf::machine_name(62), "x86-64");
  EXPECT_EQ(elf::machine_name(183), "aarch64");
  EXPECT_EQ(elf::machine_name(243), "riscv");
  EXPECT_EQ(elf::machine_name(0x1234), "0x1234");
  EXPECT_EQ(elf::type_name(elf::kTypeExec), "exec");
  EXPECT_EQ(elf::type_name(elf::kTypeCore), "core");
  EXPECT_EQ(elf::type_name(0xfe00), "0xfe00");
  EXPECT_EQ(elf::segment_type_name(elf::kPtGnuRelro), "gnu-relro");
  EXPECT_EQ(elf::segment_type_name(elf::kPtPhdr), "phdr");
  EXPECT_EQ(elf::segment_type_name(0x70000003), "0x70000003");
  EXPECT_EQ(elf::section_type_name(elf::kShtGnuVersym), "gnu-versym");
}

TEST(Elf, LooksLikeElfOnlyForElf) {
  EXPECT_TRUE(elf::looks_like_elf(bytes_of(read_elf_fixture("vers.o"))));
  const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o', '\n'};
  EXPECT_FALSE(elf::looks_like_elf(bytes_of(text)));
  std::vector<std::uint8_t> bad_class{0x7f, 'E', 'L', 'F', 3, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(elf::looks_like_elf(bytes_of(bad_class)));
  auto parsed = elf::parse_elf(bytes_of(bad_class));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kUnsupported);
  EXPECT_FALSE(elf::parse_elf(bytes_of(text)).ok());
}

// --- hostile input -----------------------------------------------------------

// Writes `value` as `width` bytes in the file's byte order.
void put(std::vector<std::uint8_t>& d, std::size_t offset, std::uint64_t value, int width) {
  const bool little = d.at(5) == 1;
  for (int i = 0; i < width; ++i) {
    const int shift = 8 * (little ? i : width - 1 - i);
    d.at(offset + static_cast<std::size_t>(i)) = static_cast<std::uint8_t>(value >> shift);
  }
}

std::uint64_t get(const std::vector<std::uint8_t>& d, std::size_t offset, int width) {
  const bool little = d.at(5) == 1;
  std::uint64_t value = 0;
  for (int i = 0; i < width; ++i) {
    const int shift = 8 * (little ? i : width - 1 - i);
    value |= std::uint64_t{d.at(offset + static_cast<std::size_t>(i))} << shift;
  }
  return value;
}

// ELF header field offsets for the two classes.
struct HeaderLayout {
  std::size_t phoff, shoff, phnum, shnum, shstrndx;
  int word;
};
HeaderLayout layout_of(const std::vector<std::uint8_t>& d) {
  if (d.at(4) == 2) return {0x20, 0x28, 0x38, 0x3c, 0x3e, 8};
  return {0x1c, 0x20, 0x2c, 0x30, 0x32, 4};
}

// A parse that succeeded must say something was wrong: used on inputs we know are damaged.
void expect_error_or_anomaly(const std::vector<std::uint8_t>& data, const std::string& what) {
  auto image = elf::parse_elf(bytes_of(data));
  if (image.ok()) {
    EXPECT_FALSE(image->anomalies.empty()) << what;
    EXPECT_LE(image->end_of_content, data.size()) << what;
    elf::measure_contents(bytes_of(data), *image);
  }
}

TEST(ElfMalformed, EveryTruncationIsAnErrorOrAnAnomaly) {
  for (const char* name :
       {"libsmall-user-ppc.so", "libsmall-user-ppc64-sstrip.so", "libsmall-user-i386.so",
        "small-ppc.o", "wx", "app.debug", "app-eu.debug"}) {
    const auto original = read_elf_fixture(name);
    ASSERT_FALSE(original.empty()) << name;
    for (std::size_t len = 0; len < original.size(); ++len) {
      const std::vector<std::uint8_t> cut(original.begin(),
                                          original.begin() + static_cast<long>(len));
      expect_error_or_anomaly(cut, std::string(name) + " cut at " + std::to_string(len));
    }
  }
  // A larger file, cut at a stride.
  const auto big = read_elf_fixture("libvers.so");
  for (std::size_t len = 0; len < big.size(); len += 13) {
    const std::vector<std::uint8_t> cut(big.begin(), big.begin() + static_cast<long>(len));
    expect_error_or_anomaly(cut, "libvers.so cut at " + std::to_string(len));
  }
}

TEST(ElfMalformed, RandomByteCorruptionNeverCrashes) {
  std::mt19937 rng(20240);  // fixed seed: reproducible
  std::size_t parsed = 0;
  for (const char* name : {"libvers.so", "libvers-sstrip.so", "app", "libsmall-user-ppc.so",
                           "libsmall-user-ppc64-sstrip.so", "libsmall-user-mips.so", "vers.o"}) {
    const auto original = read_elf_fixture(name);
    ASSERT_FALSE(original.empty()) << name;
    for (int round = 0; round < 300; ++round) {
      auto data = original;
      const int flips = 1 + static_cast<int>(rng() % 16);
      // Half the rounds hit the headers and tables, where damage matters most.
      const std::size_t span =
          round % 2 == 0 ? std::min<std::size_t>(data.size(), 512) : data.size();
      for (int i = 0; i < flips; ++i) data[rng() % span] = static_cast<std::uint8_t>(rng());
      auto image = elf::parse_elf(bytes_of(data));
      if (!image) continue;
      ++parsed;
      elf::measure_contents(bytes_of(data), *image);
      EXPECT_LE(image->end_of_content, data.size());
      EXPECT_LE(image->anomalies.size(), 65u);
    }
  }
  EXPECT_GT(parsed, 0u) << "corruption should leave some files parseable";
}

TEST(ElfMalformed, HugeCountsAndOffsets) {
  const auto original = read_elf_fixture("libvers.so");
  const HeaderLayout h = layout_of(original);

  auto data = original;
  put(data, h.phoff, 0xfffffffffffffff0ULL, h.word);
  auto r = elf::parse_elf(bytes_of(data));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);

  data = original;
  put(data, h.shoff, 0xfffffffffffffff0ULL, h.word);
  expect_error_or_anomaly(data, "e_shoff past the end");
  r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok()) << "the loader ignores section headers; so does the fallback";
  EXPECT_TRUE(r->sections.empty());
  EXPECT_EQ(r->needed, parse_fixture("libvers.so").needed);
  EXPECT_EQ(r->exports.size(), parse_fixture("libvers.so").exports.size());

  // Extended numbering: e_shnum 0 and section 0's sh_size huge; e_phnum PN_XNUM with a huge
  // sh_info.
  data = original;
  const std::size_t shoff = get(data, h.shoff, h.word);
  put(data, h.shnum, 0, 2);
  put(data, shoff + 32, 0xffffffffffULL, 8);  // sh_size of section 0 (64-bit layout)
  expect_error_or_anomaly(data, "extended section count");
  data = original;
  put(data, h.phnum, 0xffff, 2);
  put(data, shoff + 44, 0xffffffff, 4);  // sh_info of section 0
  r = elf::parse_elf(bytes_of(data));
  ASSERT_FALSE(r.ok());

  // e_shstrndx out of range.
  data = original;
  put(data, h.shstrndx, 0xfff0, 2);
  expect_error_or_anomaly(data, "e_shstrndx");
}

// The file offset and entry size of the dynamic table, from the PT_DYNAMIC segment.
std::pair<std::size_t, std::size_t> dynamic_table(const std::vector<std::uint8_t>& data) {
  auto image = elf::parse_elf(bytes_of(data));
  if (!image) return {0, 0};
  for (const auto& p : image->segments) {
    if (p.type == elf::kPtDynamic) return {p.offset, image->is_64 ? 16 : 8};
  }
  return {0, 0};
}

void set_dynamic(std::vector<std::uint8_t>& data, std::uint64_t tag, std::uint64_t value) {
  auto [offset, size] = dynamic_table(data);
  ASSERT_NE(offset, 0u);
  const int word = static_cast<int>(size / 2);
  for (std::size_t at = offset; at + size <= data.size(); at += size) {
    const std::uint64_t t = get(data, at, word);
    if (t == 0) break;
    if (t == tag) put(data, at + size / 2, value, word);
  }
}

std::uint64_t dynamic_vaddr(const std::vector<std::uint8_t>& data) {
  auto image = elf::parse_elf(bytes_of(data));
  for (const auto& p : image->segments) {
    if (p.type == elf::kPtDynamic) return p.vaddr;
  }
  return 0;
}

TEST(ElfMalformed, DynamicTablePointingAtItself) {
  constexpr std::uint64_t kTags[] = {5, 6, 4, 0x6ffffef5, 0x6ffffff0, 0x6ffffffc, 0x6ffffffe};
  for (const char* name : {"libvers-sstrip.so", "libsmall-ppc-sstrip.so",
                           "libsmall-user-ppc64-sstrip.so", "libvers.so"}) {
    const auto original = read_elf_fixture(name);
    const std::uint64_t self = dynamic_vaddr(original);
    ASSERT_NE(self, 0u) << name;
    // Each table address in turn, then all of them at once.
    for (std::uint64_t tag : kTags) {
      auto data = original;
      set_dynamic(data, tag, self);
      auto image = elf::parse_elf(bytes_of(data));
      ASSERT_TRUE(image.ok()) << name;
      EXPECT_LE(image->imports.size() + image->exports.size(), 1u << 20);
    }
    auto data = original;
    for (std::uint64_t tag : kTags) set_dynamic(data, tag, self);
    auto image = elf::parse_elf(bytes_of(data));
    ASSERT_TRUE(image.ok()) << name;
  }
  // Huge counts and sizes pointing into the table itself.
  auto data = read_elf_fixture("libvers-sstrip.so");
  set_dynamic(data, 0x6fffffff, 0xffffffff);  // DT_VERNEEDNUM
  set_dynamic(data, 0x6ffffffd, 0xffffffff);  // DT_VERDEFNUM
  set_dynamic(data, 10, 0xffffffffffffULL);   // DT_STRSZ
  expect_error_or_anomaly(data, "huge version counts");
  data = read_elf_fixture("libsmall-ppc-sstrip.so");
  set_dynamic(data, 4, dynamic_vaddr(data) + 8);  // DT_HASH whose nchain is a table address
  expect_error_or_anomaly(data, "DT_HASH inside the dynamic table");
}

TEST(ElfMalformed, UnmappedTablesLeaveNoStringsToRead) {
  // DT_STRTAB, DT_SYMTAB and DT_VERNEED at addresses no segment maps: no string table at all,
  // while DT_NEEDED, DT_SONAME and the symbols still ask for strings.
  for (const char* name : {"libvers-sstrip.so", "libsmall-ppc-sstrip.so"}) {
    auto data = read_elf_fixture(name);
    set_dynamic(data, 5, 0xdead0000);  // DT_STRTAB
    set_dynamic(data, 1, 0);           // DT_NEEDED at offset 0 of the missing table
    auto image = elf::parse_elf(bytes_of(data));
    ASSERT_TRUE(image.ok()) << name;
    EXPECT_FALSE(image->anomalies.empty()) << name;
    EXPECT_TRUE(image->needed.empty()) << name;
    EXPECT_FALSE(image->soname.has_value()) << name;
    set_dynamic(data, 6, 0xdead0000);           // DT_SYMTAB
    set_dynamic(data, 0x6ffffffe, 0xdead0000);  // DT_VERNEED
    expect_error_or_anomaly(data, std::string(name) + " with nothing mapped");
  }
}

TEST(ElfMalformed, ByteOrderAndClassMismatch) {
  for (const char* name : {"libvers.so", "libsmall-user-ppc.so", "libsmall-user-ppc64.so",
                           "libsmall-user-i386.so", "libvers-sstrip.so"}) {
    const auto original = read_elf_fixture(name);
    auto data = original;
    data[5] = data[5] == 1 ? 2 : 1;  // EI_DATA swapped: every field read backwards
    expect_error_or_anomaly(data, std::string(name) + " with swapped EI_DATA");
    data = original;
    data[4] = data[4] == 1 ? 2 : 1;  // EI_CLASS swapped: every structure misread
    expect_error_or_anomaly(data, std::string(name) + " with swapped EI_CLASS");
  }
}

std::size_t section_index(const ElfImage& image, const std::string& name) {
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    if (image.sections[i].name == name) return i;
  }
  ADD_FAILURE() << "no section " << name;
  return 0;
}

TEST(ElfMalformed, SectionsThatDisagreeWithTheSegmentsAreAnomalies) {
  // The loader reads only the program headers; section headers that tell another story are
  // how a tampered file hides from tools that trust them.
  const auto original = read_elf_fixture("app");  // 64-bit little-endian
  const ElfImage image = parse_fixture("app");
  ASSERT_TRUE(image.anomalies.empty());
  const std::size_t shoff = get(original, 0x28, 8);
  const std::size_t dynamic = shoff + 64 * section_index(image, ".dynamic");
  const std::size_t dynsym = shoff + 64 * section_index(image, ".dynsym");

  // .dynamic claimed SHT_NOBITS as in a debug-info file, while the code is in the file.
  auto data = original;
  put(data, dynamic + 4, elf::kShtNobits, 4);
  auto r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->anomalies.empty());
  EXPECT_EQ(r->needed, image.needed) << "the dynamic segment is still read";
  EXPECT_EQ(r->runpath, image.runpath);

  // .dynamic somewhere else than PT_DYNAMIC.
  data = original;
  put(data, dynamic + 24, get(data, dynamic + 24, 8) + 16, 8);
  expect_error_or_anomaly(data, ".dynamic moved");

  // .dynsym at another address than DT_SYMTAB.
  data = original;
  put(data, dynsym + 16, get(data, dynsym + 16, 8) + 24, 8);
  expect_error_or_anomaly(data, ".dynsym moved");

  // .dynamic outside the file: the segment stands in.
  data = original;
  put(data, dynamic + 24, 0xffffffff0000ULL, 8);
  r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->anomalies.empty());
  EXPECT_EQ(r->needed, image.needed);
}

TEST(ElfMalformed, OverlappingSectionsDoNotMultiplyEntropyWork) {
  // A synthetic 64-bit ELF: 4000 PROGBITS sections that each span the whole file.
  constexpr std::size_t kSections = 4000;
  std::vector<std::uint8_t> data(64 + 64 * kSections, 0);
  const std::uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::copy(std::begin(ident), std::end(ident), data.begin());
  put(data, 16, elf::kTypeRel, 2);
  put(data, 18, 62, 2);
  put(data, 20, 1, 4);
  put(data, 0x28, 64, 8);  // e_shoff
  put(data, 0x34, 64, 2);  // e_ehsize
  put(data, 0x3a, 64, 2);  // e_shentsize
  put(data, 0x3c, kSections, 2);
  for (std::size_t i = 1; i < kSections; ++i) {
    const std::size_t at = 64 + 64 * i;
    put(data, at + 4, elf::kShtProgbits, 4);
    put(data, at + 32, data.size(), 8);  // sh_size; sh_offset stays 0
  }
  auto image = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->sections.size(), kSections);
  EXPECT_TRUE(image->anomalies.empty());
  elf::measure_contents(bytes_of(data), *image);
  ASSERT_FALSE(image->anomalies.empty());
  EXPECT_NE(image->anomalies.back().find("overlapping sections"), std::string::npos);
  EXPECT_GT(image->sections[1].entropy, 0.0);
  EXPECT_EQ(image->sections.back().entropy, 0.0);
}

TEST(ElfMalformed, StringsWithoutTerminatorAndHugeNotes) {
  // A PT_NOTE whose note claims a huge descriptor, and a PT_INTERP without a terminator.
  auto data = read_elf_fixture("app");
  auto image = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(image.ok());
  for (const auto& p : image->segments) {
    if (p.type == elf::kPtNote) put(data, p.offset + 4, 0xfffffff0, 4);
    if (p.type == elf::kPtInterp) data.at(p.offset + p.filesz - 1) = 'x';
  }
  auto damaged = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(damaged.ok());
  EXPECT_FALSE(damaged->anomalies.empty());
  ASSERT_TRUE(damaged->interpreter.has_value());
  EXPECT_EQ(damaged->interpreter->back(), 'x');
}

// --- separate debug files --------------------------------------------------------

// Where the section header of `name`, and the first program header of `type`, lie in a 64-bit
// little-endian fixture.
std::size_t section_header(const std::vector<std::uint8_t>& data, const ElfImage& image,
                           const std::string& name) {
  return get(data, 0x28, 8) + 64 * section_index(image, name);
}
std::size_t program_header(const std::vector<std::uint8_t>& data, const ElfImage& image,
                           std::uint32_t type) {
  for (std::size_t i = 0; i < image.segments.size(); ++i) {
    if (image.segments[i].type == type) return get(data, 0x20, 8) + 56 * i;
  }
  ADD_FAILURE() << "no segment of type " << type;
  return 0;
}

bool has_anomaly(const ElfImage& image, const std::string& text) {
  return std::any_of(image.anomalies.begin(), image.anomalies.end(),
                     [&](const std::string& a) { return a.find(text) != std::string::npos; });
}

TEST(ElfDebugOnly, SeparateDebugFilesAreRecognised) {
  for (const char* name : {"libvers.debug", "app.debug", "app-rpath.debug", "app-eu.debug"}) {
    const ElfImage image = parse_fixture(name);
    EXPECT_TRUE(image.debug_only) << name;
    EXPECT_TRUE(image.anomalies.empty()) << name << ": " << image.anomalies.front();
    EXPECT_TRUE(image.needed.empty()) << name;
  }
  // objcopy empties PT_INTERP along with .interp: no interpreter, and no anomaly.
  EXPECT_FALSE(parse_fixture("app.debug").interpreter.has_value());
  EXPECT_EQ(parse_fixture("app.debug").build_id, parse_fixture("app").build_id);
  for (const char* name : {"libvers.so", "app", "app-stripped", "wx", "vers.o", "small-ppc.o",
                           "libvers-sstrip.so", "libsmall-user-ppc.so"}) {
    EXPECT_FALSE(parse_fixture(name).debug_only) << name;
  }
}

TEST(ElfDebugOnly, TheSameEmptinessInAnOrdinaryFileIsAnAnomaly) {
  const auto original = read_elf_fixture("app");
  const ElfImage image = parse_fixture("app");
  // PT_INTERP with no bytes: the kernel refuses to run it.
  auto data = original;
  put(data, program_header(data, image, elf::kPtInterp) + 32, 0, 8);  // p_filesz
  auto r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->debug_only);
  EXPECT_TRUE(has_anomaly(*r, "PT_INTERP is empty"));
  // The code segment past the end of the file.
  data = original;
  std::size_t code = 0;
  for (std::size_t i = 0; i < image.segments.size(); ++i) {
    if (image.segments[i].type == elf::kPtLoad && image.segments[i].executable()) {
      code = get(data, 0x20, 8) + 56 * i;
    }
  }
  ASSERT_NE(code, 0U);
  put(data, code + 8, data.size() - 16, 8);  // p_offset
  r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(has_anomaly(*r, "extends past the end of file"));
}

TEST(ElfDebugOnly, OnlyAFileWhoseSectionsAllAgreeIsDebugOnly) {
  // app.debug with its .text claiming its bytes are in the file: code present, so the empty
  // PT_INTERP is damage again.
  const auto original = read_elf_fixture("app.debug");
  const ElfImage image = parse_fixture("app.debug");
  auto data = original;
  const std::size_t text = section_header(data, image, ".text");
  put(data, text + 4, elf::kShtProgbits, 4);
  put(data, text + 24, 0x40, 8);  // sh_offset, inside the file
  put(data, text + 32, 0x10, 8);  // sh_size
  auto r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->debug_only);
  EXPECT_TRUE(has_anomaly(*r, "PT_INTERP is empty"));
  // Same with .rodata (not code): every allocated section but the notes must be SHT_NOBITS.
  data = original;
  const std::size_t rodata = section_header(data, image, ".rodata");
  put(data, rodata + 4, elf::kShtProgbits, 4);
  put(data, rodata + 24, 0x40, 8);
  put(data, rodata + 32, 0x10, 8);
  r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->debug_only);
  EXPECT_FALSE(r->anomalies.empty());
}

TEST(ElfDebugOnly, DataOutsideTheFileIsStillReported) {
  // A debug file's own sections (symbols, debug info) must be in it.
  const auto original = read_elf_fixture("app.debug");
  const ElfImage image = parse_fixture("app.debug");
  auto data = original;
  put(data, section_header(data, image, ".symtab") + 24, data.size() + 0x1000, 8);
  auto r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->debug_only);
  EXPECT_TRUE(has_anomaly(*r, "(.symtab) extends past the end of file"));
  // A note section, the one allocated kind a debug file keeps, likewise.
  data = original;
  put(data, section_header(data, image, ".note.gnu.build-id") + 24, data.size(), 8);
  r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(has_anomaly(*r, "extends past the end of file"));
  // Cut short: the section header table (at the end) goes, and with it the excuse.
  data.assign(original.begin(), original.begin() + static_cast<long>(original.size() / 2));
  r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->debug_only);
  EXPECT_FALSE(r->anomalies.empty());
}

TEST(ElfDebugOnly, SectionHeadersClaimingNobitsHideNothingInTheFile) {
  // A runnable file whose section headers mark every allocated section SHT_NOBITS, as in a
  // debug file: what the loader reads from the file is read all the same.
  const auto original = read_elf_fixture("app");
  const ElfImage image = parse_fixture("app");
  auto data = original;
  for (std::size_t i = 0; i < image.sections.size(); ++i) {
    const auto& s = image.sections[i];
    if ((s.flags & elf::kShfAlloc) != 0 && s.type != elf::kShtNote) {
      put(data, get(data, 0x28, 8) + 64 * i + 4, elf::kShtNobits, 4);
    }
  }
  auto r = elf::parse_elf(bytes_of(data));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->debug_only);
  EXPECT_EQ(r->interpreter, image.interpreter) << "PT_INTERP is in the file: still read";
  ASSERT_TRUE(r->interpreter.has_value());
  EXPECT_EQ(r->segments.size(), image.segments.size());
  EXPECT_EQ(r->build_id, image.build_id);
}

// Values cascade does not name (OS- and processor-specific ranges) are printed as numbers.
TEST(ElfNames, SymbolBindingAndTypeOutsideTheNamedOnesKeepTheirNumber) {
  EXPECT_EQ(elf::symbol_binding_name(elf::SymbolBinding::kGnuUnique), "gnu-unique");
  EXPECT_EQ(elf::symbol_binding_name(static_cast<elf::SymbolBinding>(13)), "0xd");
  EXPECT_EQ(elf::symbol_type_name(elf::SymbolType::kGnuIfunc), "ifunc");
  EXPECT_EQ(elf::symbol_type_name(static_cast<elf::SymbolType>(15)), "0xf");
}

}  // namespace
}  // namespace cascade
