// detect_container and archive_recognised: by content only; executables, text and arbitrary
// binary data are never containers, though libarchive alone would call an executable with an
// archive appended one.
#include <filesystem>
#include <fstream>

#include "container_test_support.h"

namespace cascade {
namespace {

using scan::ContainerKind;
using testing::Buffer;
using testing::bytes_of;
using testing::file;
using testing::write_archive;

Buffer concat(Buffer a, const Buffer& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The first bytes of a PE image: a DOS header whose e_lfanew points at "PE\0\0".
Buffer pe_stub(std::size_t size) {
  Buffer pe(size, 0);
  pe[0] = 'M';
  pe[1] = 'Z';
  pe[0x3c] = 0x80;
  pe[0x80] = 'P';
  pe[0x81] = 'E';
  return pe;
}

Buffer read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Buffer(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(ContainerDetect, TextAndEmptyAreNotContainers) {
  for (const std::string text :
       {"", "x", "hello world\n", "{\"files\":{}}", "#mtree\n./a type=file\n",
        "begin 644 x\nM86)C\n`\nend\n", "!<arch\n", "PK"}) {
    EXPECT_EQ(scan::detect_container(testing::bytes_of(text)), ContainerKind::kNone) << text;
    EXPECT_FALSE(scan::archive_recognised(testing::bytes_of(text))) << text;
  }
}

TEST(ContainerDetect, ZerosAreNotAnArchive) {
  // libarchive's tar reader takes a zero block for an empty archive's end marker.
  const Buffer zeros(std::size_t{64} << 10, 0);
  EXPECT_EQ(scan::detect_container(bytes_of(zeros)), ContainerKind::kNone);
}

TEST(ContainerDetect, ExecutablesAreNeverArchivesEvenWithAnArchiveAppended) {
  const Buffer zip = write_archive("zip", {}, {file("payload.txt", "appended")});
  std::vector<std::pair<std::string, Buffer>> executables = {
      {"PE", pe_stub(4096)},
      {"Mach-O 64", Buffer{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}},
      {"Mach-O 32", Buffer{0xce, 0xfa, 0xed, 0xfe, 7, 0, 0, 0}},
      {"Mach-O BE", Buffer{0xfe, 0xed, 0xfa, 0xcf, 1, 0, 0, 7}},
      {"fat Mach-O", Buffer{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2}},
  };
  // A real ELF from the running system.
  executables.emplace_back("ELF", read_file("/usr/bin/true"));
  ASSERT_GT(executables.back().second.size(), 64u);
  for (auto& [label, exe] : executables) {
    exe.resize(std::max<std::size_t>(exe.size(), 4096), 0);
    EXPECT_EQ(scan::detect_container(bytes_of(exe)), ContainerKind::kNone) << label;
    const Buffer with_zip = concat(exe, zip);
    EXPECT_EQ(scan::detect_container(bytes_of(with_zip)), ContainerKind::kNone) << label;
    // ...while libarchive itself finds the zip (its central directory is at the end).
    EXPECT_TRUE(scan::archive_recognised(bytes_of(with_zip))) << label;
  }
}

TEST(ContainerDetect, SelfExtractorOverlayIsRecognised) {
  const Buffer zip = write_archive(
      "zip", {}, {file("setup/app.exe", "inner program"), file("setup/readme.txt", "read me")});
  const Buffer sfx = concat(pe_stub(8192), zip);
  EXPECT_EQ(scan::detect_container(bytes_of(sfx)), ContainerKind::kNone);
  EXPECT_TRUE(scan::archive_recognised(bytes_of(sfx)));
  const Bytes overlay = Bytes(sfx).subspan(8192);
  EXPECT_TRUE(scan::archive_recognised(overlay));
  // The engine expands the overlay, and also the whole file works (offsets are corrected).
  for (const Bytes b : {overlay, Bytes(sfx)}) {
    const auto x = testing::expand(b);
    EXPECT_EQ(x.names, (std::vector<std::string>{"setup/app.exe", "setup/readme.txt"}));
    EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  }
  const Buffer seven = write_archive("7zip", {}, {file("a", "b")});
  EXPECT_TRUE(scan::archive_recognised(bytes_of(seven)));
}

TEST(ContainerDetect, ArbitraryBinaryDataIsNotAContainer) {
  std::uint64_t state = 0x9e3779b97f4a7c15u;
  for (int round = 0; round < 200; ++round) {
    Buffer data(100 + round * 37);
    for (auto& b : data) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;
      b = static_cast<std::uint8_t>(state);
    }
    // PNG and JPEG headers in front change nothing.
    if (round % 3 == 1) std::copy_n("\x89PNG\r\n\x1a\n", 8, data.begin());
    if (round % 3 == 2) std::copy_n("\xff\xd8\xff\xe0", 4, data.begin());
    EXPECT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kNone) << round;
  }
}

TEST(ContainerDetect, TarWhoseFirstMemberStartsWithMZ) {
  const Buffer tar = write_archive("ustar", {}, {file("MZ-readme.txt", "not a PE")});
  EXPECT_EQ(scan::detect_container(bytes_of(tar)), ContainerKind::kArchive);
}

TEST(ContainerDetect, CompressedFileIsAContainerButNoArchiveFormat) {
  const Buffer gz = write_archive("raw", {"gzip"}, {file("x", "some text")});
  EXPECT_EQ(scan::detect_container(bytes_of(gz)), ContainerKind::kArchive);
  EXPECT_FALSE(scan::archive_recognised(bytes_of(gz)));
  const Buffer tgz = write_archive("pax", {"gzip"}, {file("x", "some text")});
  EXPECT_TRUE(scan::archive_recognised(bytes_of(tgz)));
}

TEST(ContainerDetect, DamagedGzipIsNotAContainer) {
  // A gzip header over data that does not inflate produces no byte: nothing to expand.
  const Buffer garbage = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(scan::detect_container(bytes_of(garbage)), ContainerKind::kNone);
}

TEST(ContainerDetect, TruncatedArchiveIsStillAnArchive) {
  std::vector<testing::Member> members;
  for (int i = 0; i < 4; ++i) {
    std::string content;
    for (int j = 0; j < 2000; ++j) content.push_back(static_cast<char>((i * 7919 + j * 7) % 251));
    members.push_back(file("f" + std::to_string(i), content));
  }
  const Buffer zip = write_archive("zip", {}, members, {"zip:compression=store"});
  const Buffer cut(zip.begin(), zip.begin() + static_cast<std::ptrdiff_t>(zip.size() / 2));
  EXPECT_EQ(scan::detect_container(bytes_of(cut)), ContainerKind::kArchive);
  const auto x = testing::expand(bytes_of(cut));
  EXPECT_FALSE(x.notes.empty());
  for (const auto& n : x.notes) EXPECT_EQ(n.kind, scan::NoteKind::kMalformed) << n.message;
}

// Every header file of the system: a corpus of real text that must all be kNone.
TEST(ContainerDetect, SystemHeadersAreNotContainers) {
  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator("/usr/include")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".h") continue;
    const Buffer data = read_file(entry.path().string());
    EXPECT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kNone) << entry.path();
    if (++checked == 1500) break;
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace cascade
