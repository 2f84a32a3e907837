// Mach-O fixtures built by tests/fixtures/macho/make-macho-fixtures.sh (clang-14, ld64.lld-14,
// llvm-lipo-14) against what llvm-objdump-14 and llvm-nm-14 print about them (expected.json),
// and the linker's ad-hoc signatures verified page by page.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

#include "formats/macho/macho_image.h"
#include "test_support.h"

namespace cascade {
namespace {

using nlohmann::json;

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string macho_fixture(const std::string& name) {
  return testing::fixture("macho/" + name);
}

// The Mach-O fixtures' own CA (not the PE fixtures' pki/, so these tests need only theirs).
const authenticode::TrustStore& macho_trust() {
  static const auto store = authenticode::TrustStore::create(
      {.builtin = false, .extra_files = {macho_fixture("pki/ca.pem")}});
  if (!store) std::abort();
  return store.value();
}

const json& expected() {
  static const json facts = [] {
    std::ifstream in(macho_fixture("expected.json"));
    json j;
    if (in) in >> j;
    return j;
  }();
  return facts;
}

const json& thin_facts(const std::string& file) {
  static const json none;
  for (const auto& t : expected()["thin"]) {
    if (t["file"] == file) return t;
  }
  ADD_FAILURE() << "no expected facts for " << file;
  return none;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// llvm-nm's "(from X)": the install name's base name without ".dylib" and a one-letter
// version suffix ("libSystem.B.dylib" -> "libSystem").
std::string nm_library_name(const std::string& install_name) {
  std::string base = install_name.substr(install_name.rfind('/') + 1);
  if (base.size() > 6 && base.ends_with(".dylib")) base.resize(base.size() - 6);
  if (base.size() > 2 && base[base.size() - 2] == '.') base.resize(base.size() - 2);
  return base;
}

struct Parsed {
  std::vector<std::uint8_t> data;
  macho::MachoImage image;
  Bytes bytes() const { return Bytes(data.data(), data.size()); }
};

Parsed parse_fixture(const std::string& name) {
  Parsed p;
  p.data = read_all(macho_fixture(name));
  EXPECT_FALSE(p.data.empty()) << name;
  auto image = macho::parse_macho(p.bytes());
  EXPECT_TRUE(image.ok()) << name << ": " << (image.ok() ? "" : image.error().message);
  if (image.ok()) p.image = std::move(image).value();
  return p;
}

// Everything llvm-objdump and llvm-nm said about a thin fixture (or the same file as a slice).
void expect_matches(const macho::MachoImage& image, const json& e) {
  const std::string name = e["file"];
  SCOPED_TRACE(name);
  EXPECT_EQ(image.is_64, e["magic"] == "MH_MAGIC_64");
  EXPECT_FALSE(image.big_endian);
  EXPECT_EQ(macho::filetype_name(image.filetype), e["filetype"].get<std::string>());
  // llvm-objdump prints ARM64, X86_64, I386, ARM (subtype apart).
  EXPECT_TRUE(macho::cpu_name(image.cputype, image.cpusubtype)
                  .starts_with(lower(e["cputype"].get<std::string>())))
      << macho::cpu_name(image.cputype, image.cpusubtype);

  std::vector<std::string> commands;
  for (const auto& c : image.load_commands) commands.push_back(c.name);
  EXPECT_EQ(commands, e["load_commands"].get<std::vector<std::string>>());
  EXPECT_EQ(image.load_commands.size(), e["ncmds"].get<std::size_t>());

  if (e["uuid"].is_null()) {
    EXPECT_FALSE(image.uuid);
  } else {
    EXPECT_EQ(image.uuid.value_or(""), e["uuid"].get<std::string>());
  }

  ASSERT_EQ(image.dylibs.size(), e["dylibs"].size());
  for (std::size_t i = 0; i < image.dylibs.size(); ++i) {
    const auto& d = e["dylibs"][i];
    EXPECT_EQ(macho::dylib_kind_name(image.dylibs[i].kind), d["kind"].get<std::string>());
    EXPECT_EQ(image.dylibs[i].name, d["name"].get<std::string>());
    EXPECT_EQ(image.dylibs[i].current_version, d["current_version"].get<std::string>());
    EXPECT_EQ(image.dylibs[i].compatibility_version, d["compatibility_version"].get<std::string>());
  }
  EXPECT_EQ(image.rpaths, e["rpaths"].get<std::vector<std::string>>());

  ASSERT_TRUE(image.build_version.has_value());
  const auto& bv = e["build_version"];
  EXPECT_EQ(image.build_version->source, bv["source"].get<std::string>());
  if (bv["source"] == "LC_BUILD_VERSION") {
    EXPECT_EQ(image.build_version->platform, bv["platform"].get<std::string>());
    EXPECT_EQ(image.build_version->minos, bv["minos"].get<std::string>());
    EXPECT_EQ(image.build_version->sdk, bv["sdk"].get<std::string>());
  } else {
    EXPECT_EQ(image.build_version->platform,
              bv["source"] == "LC_VERSION_MIN_MACOSX" ? "macos" : "ios");
    EXPECT_EQ(image.build_version->minos, bv["version"].get<std::string>());
    // llvm-objdump prints an SDK of 0 as "n/a".
    EXPECT_EQ(image.build_version->sdk, bv["sdk"] == "n/a" ? "0.0" : bv["sdk"].get<std::string>());
  }

  if (e["entry_offset"].is_null()) {
    EXPECT_FALSE(image.entry_offset);
  } else {
    EXPECT_EQ(image.entry_offset.value_or(0), e["entry_offset"].get<std::uint64_t>());
  }

  ASSERT_EQ(image.segments.size(), e["segments"].size());
  for (std::size_t i = 0; i < image.segments.size(); ++i) {
    const auto& seg = image.segments[i];
    const auto& es = e["segments"][i];
    EXPECT_EQ(seg.name, es["name"].get<std::string>());
    EXPECT_EQ(seg.fileoff, es["fileoff"].get<std::uint64_t>());
    EXPECT_EQ(seg.filesize, es["filesize"].get<std::uint64_t>());
    ASSERT_EQ(seg.sections.size(), es["sections"].size()) << seg.name;
    for (std::size_t j = 0; j < seg.sections.size(); ++j) {
      const auto& s = seg.sections[j];
      const auto& ex = es["sections"][j];
      EXPECT_EQ(s.segment, ex["segment"].get<std::string>());
      EXPECT_EQ(s.name, ex["name"].get<std::string>());
      EXPECT_EQ(s.offset, ex["offset"].get<std::uint32_t>());
      EXPECT_EQ(s.size, ex["size"].get<std::uint64_t>());
    }
  }

  std::vector<std::pair<std::string, std::string>> imports, want_imports;
  for (const auto& s : image.imports) {
    EXPECT_FALSE(s.defined);
    EXPECT_TRUE(s.external);
    imports.emplace_back(s.name, s.library.empty() ? "" : nm_library_name(s.library));
  }
  for (const auto& s : e["imports"]) want_imports.emplace_back(s["name"], s["library"]);
  std::sort(imports.begin(), imports.end());
  std::sort(want_imports.begin(), want_imports.end());
  EXPECT_EQ(imports, want_imports);
  std::vector<std::string> exports;
  for (const auto& s : image.exports) {
    EXPECT_TRUE(s.defined);
    exports.push_back(s.name);
  }
  std::sort(exports.begin(), exports.end());
  EXPECT_EQ(exports, e["exports"].get<std::vector<std::string>>());

  if (e["code_signature"].is_null()) {
    EXPECT_FALSE(image.code_signature);
  } else {
    ASSERT_TRUE(image.code_signature.has_value());
    const auto& cs = *image.code_signature;
    const auto& ecs = e["code_signature"];
    EXPECT_EQ(cs.offset, ecs["offset"].get<std::uint64_t>());
    EXPECT_EQ(cs.size, ecs["size"].get<std::uint64_t>());
    EXPECT_TRUE(cs.errors.empty()) << cs.errors.front();
    ASSERT_EQ(cs.directories.size(), 1u);
    const auto& cd = cs.directories[0];
    const auto& ecd = ecs["directory"];
    EXPECT_FALSE(cd.alternate);
    EXPECT_EQ(cd.version, ecd["version"].get<std::uint32_t>());
    EXPECT_EQ(cd.flags, ecd["flags"].get<std::uint32_t>());
    EXPECT_EQ(macho::code_directory_hash_name(cd.hash_type), ecd["hash_type"].get<std::string>());
    EXPECT_EQ(cd.identifier, ecd["identifier"].get<std::string>());
    EXPECT_EQ(cd.page_size, ecd["page_size"].get<std::uint32_t>());
    EXPECT_EQ(cd.code_slots, ecd["code_slots"].get<std::uint32_t>());
    EXPECT_EQ(cd.special_slots, ecd["special_slots"].get<std::uint32_t>());
    EXPECT_EQ(cd.code_limit, ecd["code_limit"].get<std::uint64_t>());
    EXPECT_EQ(cd.cdhash, ecd["cdhash"].get<std::string>());
    EXPECT_TRUE(cd.team_id.empty());
    // ld64.lld signs ad hoc: flags adhoc|linker-signed, no CMS, requirements or entitlements.
    EXPECT_TRUE(cs.adhoc);
    EXPECT_FALSE(cs.cms_present);
    EXPECT_FALSE(cs.hardened_runtime);
    EXPECT_FALSE(cs.entitlements_xml);
    EXPECT_EQ(cs.requirements_size, 0u);
  }
}

TEST(MachoFixtures, ExpectedFactsWereGenerated) {
  ASSERT_TRUE(expected().contains("thin")) << "expected.json missing or empty";
  EXPECT_EQ(expected()["thin"].size(), 7u);
  EXPECT_EQ(expected()["fat"].size(), 2u);
}

TEST(MachoFixtures, ThinFilesMatchLlvmObjdumpAndNm) {
  for (const auto& e : expected()["thin"]) {
    const std::string name = e["file"];
    Parsed p = parse_fixture(name);
    EXPECT_EQ(macho::detect(p.bytes()), macho::Kind::kThin) << name;
    expect_matches(p.image, e);
    EXPECT_TRUE(p.image.anomalies.empty()) << name << ": " << p.image.anomalies.front();
    // Every byte of these files belongs to a header, segment or table.
    EXPECT_EQ(p.image.end_of_content, p.data.size()) << name;
  }
}

TEST(MachoFixtures, AdhocSignaturesVerify) {
  for (const auto& e : expected()["thin"]) {
    if (e["code_signature"].is_null()) continue;
    const std::string name = e["file"];
    Parsed p = parse_fixture(name);
    macho::verify_code_signature(p.bytes(), p.image, macho_trust(), 1800000000);
    ASSERT_TRUE(p.image.code_signature.has_value()) << name;
    const auto& cs = *p.image.code_signature;
    ASSERT_EQ(cs.directories.size(), 1u);
    EXPECT_EQ(cs.directories[0].bad_pages, 0u) << name;
    EXPECT_FALSE(cs.directories[0].first_bad_page) << name;
    EXPECT_TRUE(cs.directories[0].bad_special_slots.empty()) << name;
    EXPECT_TRUE(cs.adhoc);
    EXPECT_EQ(macho::code_signature_status(p.image.code_signature),
              macho::CodeSignatureStatus::kAdhoc)
        << name;
    EXPECT_FALSE(cs.cms_signature_ok);
    EXPECT_TRUE(cs.cms_error.empty()) << cs.cms_error;
    EXPECT_FALSE(cs.signer);
  }
}

TEST(MachoFixtures, UnsignedHasNoSignature) {
  Parsed p = parse_fixture("hello-x86_64-unsigned");
  EXPECT_FALSE(p.image.code_signature);
  macho::verify_code_signature(p.bytes(), p.image, macho_trust(), 1800000000);
  EXPECT_FALSE(p.image.code_signature);
  EXPECT_EQ(macho::code_signature_status(p.image.code_signature),
            macho::CodeSignatureStatus::kUnsigned);
}

// diff reads a saved report's status back: every name cascade writes reads back as itself.
TEST(MachoNames, CodeSignatureStatusReadsBackFromItsName) {
  for (const auto status :
       {macho::CodeSignatureStatus::kUnsigned, macho::CodeSignatureStatus::kMismatch,
        macho::CodeSignatureStatus::kMalformed, macho::CodeSignatureStatus::kUnverifiable,
        macho::CodeSignatureStatus::kAdhoc, macho::CodeSignatureStatus::kInvalid,
        macho::CodeSignatureStatus::kUntrusted, macho::CodeSignatureStatus::kValid}) {
    EXPECT_EQ(macho::code_signature_status_from_name(macho::code_signature_status_name(status)),
              status)
        << macho::code_signature_status_name(status);
  }
  EXPECT_FALSE(macho::code_signature_status_from_name("Valid"));
  EXPECT_FALSE(macho::code_signature_status_from_name(""));
}

TEST(MachoNames, UnknownHashTypeKeepsItsNumber) {
  EXPECT_EQ(macho::code_directory_hash_name(macho::CodeDirectoryHash::kSha256Truncated),
            "sha256-truncated");
  EXPECT_EQ(macho::code_directory_hash_name(static_cast<macho::CodeDirectoryHash>(9)), "type 9");
}

TEST(MachoFixtures, TamperedPageIsFound) {
  const auto& t = expected()["tampered"];
  Parsed p = parse_fixture(t["file"]);
  // Parsing sees nothing wrong: the damage shows only when the pages are hashed.
  EXPECT_TRUE(p.image.anomalies.empty());
  ASSERT_TRUE(p.image.code_signature.has_value());
  EXPECT_TRUE(p.image.code_signature->errors.empty());
  macho::verify_code_signature(p.bytes(), p.image, macho_trust(), 1800000000);
  const auto& cd = p.image.code_signature->directories.at(0);
  EXPECT_EQ(cd.bad_pages, 1u);
  EXPECT_EQ(macho::code_signature_status(p.image.code_signature),
            macho::CodeSignatureStatus::kMismatch);
  ASSERT_TRUE(cd.first_bad_page.has_value());
  EXPECT_EQ(*cd.first_bad_page, t["page"].get<std::uint32_t>());
  EXPECT_NE(*cd.first_bad_page, 0u);
  // The CodeDirectory itself is untouched: same cdhash as the original.
  EXPECT_EQ(cd.cdhash, thin_facts(t["original"])["code_signature"]["directory"]["cdhash"]);
}

TEST(MachoFixtures, FatFilesSplitIntoTheThinFiles) {
  for (const auto& e : expected()["fat"]) {
    const std::string name = e["file"];
    SCOPED_TRACE(name);
    const auto data = read_all(macho_fixture(name));
    const Bytes file(data.data(), data.size());
    EXPECT_EQ(macho::detect(file), macho::Kind::kFat);
    auto slices = macho::parse_fat(file);
    ASSERT_TRUE(slices.ok()) << slices.error().message;
    ASSERT_EQ(slices->size(), e["slices"].size());
    for (std::size_t i = 0; i < slices->size(); ++i) {
      const auto& s = (*slices)[i];
      const auto& es = e["slices"][i];
      const std::string arch = es["arch"];
      EXPECT_EQ(macho::cpu_name(s.cputype, s.cpusubtype), arch);
      EXPECT_EQ(s.offset, es["offset"].get<std::uint64_t>());
      EXPECT_EQ(s.size, es["size"].get<std::uint64_t>());
      EXPECT_EQ(s.align, es["align"].get<std::uint32_t>());
      auto bytes = macho::slice_bytes(file, s);
      ASSERT_TRUE(bytes.has_value());
      const auto thin = read_all(macho_fixture("hello-" + arch));
      EXPECT_TRUE(std::equal(bytes->begin(), bytes->end(), thin.begin(), thin.end())) << arch;
      EXPECT_EQ(macho::detect(*bytes), macho::Kind::kThin);
      auto image = macho::parse_macho(*bytes);
      ASSERT_TRUE(image.ok());
      expect_matches(*image, thin_facts("hello-" + arch));
      macho::measure_contents(*bytes, *image);
      macho::verify_code_signature(*bytes, *image, macho_trust(), 1800000000);
      ASSERT_TRUE(image->code_signature.has_value());
      EXPECT_EQ(image->code_signature->directories.at(0).bad_pages, 0u);
    }
  }
}

TEST(MachoFixtures, SectionEntropy) {
  Parsed p = parse_fixture("hello-arm64");
  macho::measure_contents(p.bytes(), p.image);
  double text = -1, cstring = -1;
  for (const auto& seg : p.image.segments) {
    for (const auto& s : seg.sections) {
      EXPECT_GE(s.entropy, 0.0);
      EXPECT_LE(s.entropy, 8.0);
      if (s.name == "__text") text = s.entropy;
      if (s.name == "__cstring") cstring = s.entropy;
    }
  }
  // __text is mostly one repeated NOP (4 distinct bytes) with a little real code.
  EXPECT_GT(text, 1.5);
  EXPECT_LT(text, 3.0);
  // "hello from cascade\0": 12 distinct characters over 19 bytes.
  EXPECT_GT(cstring, 3.0);
  EXPECT_LT(cstring, 4.0);
}

TEST(MachoFixtures, ObjectFileSymbols) {
  // Hidden (private extern) symbols are neither imports nor exports.
  Parsed p = parse_fixture("fix-i386.o");
  for (const auto& s : p.image.exports) EXPECT_NE(s.name, "_lib_hidden");
  ASSERT_EQ(p.image.imports.size(), 1u);
  EXPECT_EQ(p.image.imports[0].name, "_puts");
  EXPECT_EQ(p.image.imports[0].library, "");  // object files have no two-level namespace
}

TEST(MachoNames, CpuFiletypeAndPlatform) {
  EXPECT_EQ(macho::cpu_name(0x0100000c, 2), "arm64e");
  EXPECT_EQ(macho::cpu_name(0x0100000c, 0x80000002), "arm64e");
  EXPECT_EQ(macho::cpu_name(0x01000007, 8), "x86_64h");
  EXPECT_EQ(macho::cpu_name(0x01000007, 0x80000003), "x86_64");
  EXPECT_EQ(macho::cpu_name(12, 11), "armv7s");
  EXPECT_EQ(macho::cpu_name(0x0200000c, 1), "arm64_32");
  EXPECT_EQ(macho::cpu_name(99, 0), "cputype 0x63");
  EXPECT_EQ(macho::filetype_name(8), "bundle");
  EXPECT_EQ(macho::filetype_name(77), "0x4d");
  EXPECT_EQ(macho::load_command_name(0x80000034), "LC_DYLD_CHAINED_FIXUPS");
  EXPECT_EQ(macho::load_command_name(0x7777), "0x7777");
  EXPECT_EQ(macho::platform_name(7), "iossimulator");
  EXPECT_EQ(macho::header_flag_names(0x200085),
            (std::vector<std::string>{"NOUNDEFS", "DYLDLINK", "TWOLEVEL", "PIE"}));
  EXPECT_EQ(macho::code_directory_flag_names(0x20002 | 0x10000 | 0x40000000),
            (std::vector<std::string>{"adhoc", "runtime", "linker-signed", "0x40000000"}));
}

}  // namespace
}  // namespace cascade
