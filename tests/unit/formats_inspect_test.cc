// inspect on ELF and Mach-O: format detection, the elf.* / macho.* findings, and the JSON keys
// the schema promises. The parsers' own tests (elf_test, macho_test) check the models.
#include <fstream>
#include <iterator>

#include "core/finding_catalogue.h"
#include "inspect/file_report_json.h"
#include "test_support.h"

namespace cascade {
namespace {

using testing::has_finding;
using testing::inspect_fixture;

std::vector<std::uint8_t> read_fixture(const std::string& name) {
  std::ifstream in(testing::fixture(name), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

FileReport inspect_buffer(const std::vector<std::uint8_t>& data) {
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;
  return inspect_bytes("buffer", Bytes(data.data(), data.size()), options);
}

// `name` with the first occurrence of `from` replaced by `to` (same length).
std::vector<std::uint8_t> patched(const std::string& name, const std::string& from,
                                  const std::string& to) {
  auto data = read_fixture(name);
  auto it = std::search(data.begin(), data.end(), from.begin(), from.end());
  if (it == data.end() || from.size() != to.size()) return {};
  std::copy(to.begin(), to.end(), it);
  return data;
}

TEST(ElfInspect, CleanExecutableHasNoElfFindings) {
  const FileReport r = inspect_fixture("elf/app");
  EXPECT_EQ(r.format, FileFormat::kElf);
  ASSERT_TRUE(r.elf.has_value()) << r.error;
  for (const auto& f : r.findings)
    EXPECT_NE(f.id.rfind("elf.", 0), 0u) << f.id << ": " << f.message;
  EXPECT_FALSE(r.overlay.has_value());
  EXPECT_EQ(r.elf->runpath, std::vector<std::string>{"$ORIGIN"});
  // Section entropy comes from the shared single pass.
  bool some_entropy = false;
  for (const auto& s : r.elf->sections) some_entropy = some_entropy || s.entropy > 0.0;
  EXPECT_TRUE(some_entropy);
}

// A minimal little-endian ELF64 whose section headers each cover [i, size) (or all [1, size)
// when not `distinct`): ranges that would make a naive entropy pass read the file many times.
std::vector<std::uint8_t> elf_with_overlapping_sections(std::size_t sections, std::size_t size,
                                                        bool distinct) {
  std::vector<std::uint8_t> data(size, 0xa5);
  auto put = [&](std::size_t at, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) data.at(at + i) = static_cast<std::uint8_t>(value >> (8 * i));
  };
  const std::size_t shoff = 64;
  data.resize(std::max(size, shoff + sections * 64));
  std::fill(data.begin(), data.begin() + 64, 0);
  const std::uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::copy(std::begin(ident), std::end(ident), data.begin());
  put(16, 3, 2);      // e_type ET_DYN
  put(18, 62, 2);     // e_machine x86-64
  put(20, 1, 4);      // e_version
  put(40, shoff, 8);  // e_shoff
  put(52, 64, 2);     // e_ehsize
  put(58, 64, 2);     // e_shentsize
  put(60, sections, 2);
  for (std::size_t i = 1; i < sections; ++i) {
    const std::size_t sh = shoff + i * 64;
    put(sh + 4, 1, 4);  // SHT_PROGBITS
    const std::size_t offset = distinct ? i : 1;
    put(sh + 24, offset, 8);                // sh_offset
    put(sh + 32, data.size() - offset, 8);  // sh_size
  }
  return data;
}

TEST(ElfInspect, OverlappingSectionsStayWithinTheEntropyBudget) {
  // 4000 distinct ranges of ~1 MiB: counting each would read 4 GB; the budget stops near 5 MiB.
  const auto data = elf_with_overlapping_sections(4000, std::size_t{1} << 20, true);
  const FileReport r = inspect_buffer(data);
  ASSERT_TRUE(r.elf.has_value()) << r.error;
  EXPECT_EQ(r.elf->sections.size(), 4000u);
  EXPECT_GT(r.elf->sections[1].entropy, 0.0);  // the first ranges are measured
  EXPECT_EQ(r.elf->sections[3999].entropy, 0.0);
  bool reported = false;
  for (const auto& f : r.findings) {
    reported = reported || (f.is(findings::kElfMalformed) &&
                            f.message.find("left unmeasured") != std::string::npos);
  }
  EXPECT_TRUE(reported);
  // Identical ranges are counted once and all get the entropy.
  const auto same = elf_with_overlapping_sections(4000, std::size_t{1} << 20, false);
  const FileReport one = inspect_buffer(same);
  ASSERT_TRUE(one.elf.has_value()) << one.error;
  for (const auto& f : one.findings) EXPECT_EQ(f.message.find("unmeasured"), std::string::npos);
  EXPECT_GT(one.elf->sections[3999].entropy, 0.0);
  EXPECT_EQ(one.elf->sections[3999].entropy, one.elf->sections[1].entropy);
}

TEST(ElfInspect, ExecutableStackAndWritableCode) {
  EXPECT_TRUE(has_finding(inspect_fixture("elf/app-execstack"), "elf.exec-stack"));
  EXPECT_TRUE(has_finding(inspect_fixture("elf/wx"), "elf.wx-segment"));
  EXPECT_FALSE(has_finding(inspect_fixture("elf/app"), "elf.exec-stack"));
}

TEST(ElfInspect, AppendedBytesAreTheOverlay) {
  const FileReport r = inspect_fixture("elf/app-overlay");
  ASSERT_TRUE(r.overlay.has_value());
  EXPECT_EQ(r.overlay->size, 1000u);
  EXPECT_EQ(r.overlay->offset + r.overlay->size, r.size);
  EXPECT_TRUE(has_finding(r, "elf.overlay"));
}

TEST(ElfInspect, RunpathIntoTmpOrRelativeIsUnsafe) {
  // The fixture's RUNPATH string is "$ORIGIN"; rewrite it in place.
  for (const std::string& path : {std::string("/tmp/zz"), std::string("lib/zzz")}) {
    const auto data = patched("elf/app", "$ORIGIN", path);
    ASSERT_FALSE(data.empty());
    const FileReport r = inspect_buffer(data);
    ASSERT_TRUE(r.elf.has_value());
    ASSERT_EQ(r.elf->runpath, std::vector<std::string>{path});
    EXPECT_TRUE(has_finding(r, "elf.unsafe-rpath")) << path;
  }
  EXPECT_FALSE(has_finding(inspect_fixture("elf/app"), "elf.unsafe-rpath"));  // $ORIGIN is fine
  EXPECT_FALSE(has_finding(inspect_fixture("elf/app-rpath"), "elf.unsafe-rpath"));
}

TEST(ElfInspect, JsonCarriesTheSummaryKeys) {
  const auto j = file_report_json(inspect_fixture("elf/app"));
  EXPECT_EQ(j.at("format"), "elf");
  EXPECT_EQ(j.at("needed"), nlohmann::json({"libvers.so.1", "libc.so.6"}));
  EXPECT_TRUE(j.at("soname").is_null());
  EXPECT_EQ(j.at("interpreter"), "/lib64/ld-linux-x86-64.so.2");
  EXPECT_TRUE(j.at("build_id").is_string());
  EXPECT_EQ(j.at("elf").at("machine"), "x86-64");
}

TEST(MachoInspect, AdhocSignatureVerifiesButIsFlagged) {
  const FileReport r = inspect_fixture("macho/hello-arm64");
  EXPECT_EQ(r.format, FileFormat::kMacho);
  ASSERT_EQ(r.macho_slices.size(), 1u);
  ASSERT_TRUE(r.macho_slices[0].image.has_value());
  const auto& cs = r.macho_slices[0].image->code_signature;
  ASSERT_TRUE(cs.has_value());
  EXPECT_TRUE(cs->adhoc);
  ASSERT_FALSE(cs->directories.empty());
  EXPECT_EQ(cs->directories[0].bad_pages, 0u);
  EXPECT_TRUE(has_finding(r, "macho.adhoc"));
  EXPECT_FALSE(has_finding(r, "macho.codesign-mismatch"));
  const auto j = file_report_json(r);
  EXPECT_EQ(j.at("codesign").at("status"), "adhoc");
  EXPECT_EQ(j.at("codesign").at("identifier"), "hello-arm64");
  EXPECT_EQ(j.at("uuid"), "4C4C44B3-5555-3144-A1DE-35E5AE240D84");
  EXPECT_EQ(j.at("dylibs").size(), 3u);
}

TEST(MachoInspect, FlippedTextByteNamesItsPage) {
  const auto& tampered = testing::expected_macho().at("tampered");
  const FileReport r = inspect_fixture("macho/" + tampered.at("file").get<std::string>());
  ASSERT_TRUE(has_finding(r, "macho.codesign-mismatch"));
  EXPECT_EQ(r.findings.front().id, "macho.codesign-mismatch");
  const std::string page = "first at page " + std::to_string(tampered.at("page").get<int>());
  bool named = false;
  for (const auto& f : r.findings) named = named || f.message.find(page) != std::string::npos;
  EXPECT_TRUE(named) << page;
  EXPECT_EQ(file_report_json(r).at("codesign").at("status"), "mismatch");
}

TEST(MachoInspect, UnsignedImage) {
  const FileReport r = inspect_fixture("macho/hello-x86_64-unsigned");
  EXPECT_TRUE(has_finding(r, "macho.unsigned"));
  EXPECT_EQ(file_report_json(r).at("codesign").at("status"), "unsigned");
}

TEST(MachoInspect, FatFileReportsEverySlice) {
  const FileReport r = inspect_fixture("macho/hello-universal");
  EXPECT_EQ(r.format, FileFormat::kMachoFat);
  ASSERT_EQ(r.macho_slices.size(), 2u);
  for (const auto& s : r.macho_slices) EXPECT_TRUE(s.image.has_value()) << s.error;
  const auto j = file_report_json(r);
  ASSERT_EQ(j.at("slices").size(), 2u);
  EXPECT_EQ(j.at("slices")[0].at("offset"), 4096);
  EXPECT_EQ(j.at("slices")[1].at("offset"), 49152);
  EXPECT_EQ(j.at("slices")[1].at("codesign").at("status"), "adhoc");
  EXPECT_FALSE(j.contains("codesign"));  // per slice only
}

TEST(FormatDetection, ByContentNotByName) {
  EXPECT_EQ(inspect_fixture("macho/expected.json").format, FileFormat::kUnknown);
  EXPECT_EQ(inspect_fixture("elf/libsmall-ppc.so").format, FileFormat::kElf);
  EXPECT_EQ(inspect_fixture("macho/fix-i386.o").format, FileFormat::kMacho);
}

}  // namespace
}  // namespace cascade
