// Archives made by the real tools (Info-ZIP zip, 7-Zip, gcab), as found in the wild: JARs,
// 7z and cabinet installers, zip self-extractors, password-protected archives.
#include "container_test_support.h"

namespace cascade {
namespace {

using scan::ContainerKind;
using testing::Buffer;
using testing::bytes_of;
using testing::TempDir;

std::string binary_content() {
  std::string s;
  for (int i = 0; i < 70000; ++i) s.push_back(static_cast<char>((i * 2654435761u) >> 13));
  return s;
}

// app/a.txt, app/sub/b.bin (binary, over one 64 KiB block), app/empty, and the same in
// `expected` with '/'-separated names.
void make_tree(const TempDir& dir, std::map<std::string, std::string>& expected) {
  expected = {{"app/a.txt", "alpha\n"}, {"app/sub/b.bin", binary_content()}, {"app/empty", ""}};
  for (const auto& [name, data] : expected) dir.write(name, data);
}

Buffer pe_stub() {
  Buffer pe(4096, 0);
  pe[0] = 'M';
  pe[1] = 'Z';
  pe[0x3c] = 0x80;
  pe[0x80] = 'P';
  pe[0x81] = 'E';
  return pe;
}

TEST(ContainerTools, InfoZipArchiveWithDirectoriesAndASymlink) {
  TempDir dir;
  std::map<std::string, std::string> expected;
  make_tree(dir, expected);
  ASSERT_TRUE(dir.run("ln -s a.txt app/link && zip -q -r -y -X out.zip app"));
  const Buffer zip = dir.read("out.zip");
  ASSERT_EQ(scan::detect_container(bytes_of(zip)), ContainerKind::kArchive);
  const auto x = testing::expand(bytes_of(zip));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  EXPECT_TRUE(x.files == expected) << testing::summary(x.files);  // no "app/", no "app/link"
  EXPECT_GT(x.budget.entries, x.visited);  // directories and the link were seen, not visited
}

TEST(ContainerTools, JarIsAZip) {
  TempDir dir;
  dir.write("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: demo.Main\n");
  dir.write("demo/Main.class", std::string("\xca\xfe\xba\xbe\0\0\0\x3d", 8));
  ASSERT_TRUE(dir.run("zip -q -r -X demo.jar META-INF demo"));
  const Buffer jar = dir.read("demo.jar");
  ASSERT_EQ(scan::detect_container(bytes_of(jar)), ContainerKind::kArchive);
  const auto x = testing::expand(bytes_of(jar));
  EXPECT_EQ(x.files.size(), 2u) << testing::summary(x.files);
  EXPECT_EQ(x.files.at("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\nMain-Class: demo.Main\n");
  EXPECT_EQ(x.files.at("demo/Main.class").substr(0, 4), "\xca\xfe\xba\xbe");
}

TEST(ContainerTools, SevenZipArchive) {
  TempDir dir;
  std::map<std::string, std::string> expected;
  make_tree(dir, expected);
  ASSERT_TRUE(dir.run("7z a -bd -y out.7z app"));
  const Buffer seven = dir.read("out.7z");
  ASSERT_EQ(scan::detect_container(bytes_of(seven)), ContainerKind::kArchive);
  EXPECT_TRUE(scan::archive_recognised(bytes_of(seven)));
  const auto x = testing::expand(bytes_of(seven));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  EXPECT_TRUE(x.files == expected) << testing::summary(x.files);
}

TEST(ContainerTools, SevenZipWithPasswordIsNotedNotRead) {
  TempDir dir;
  std::map<std::string, std::string> expected;
  make_tree(dir, expected);
  ASSERT_TRUE(dir.run("7z a -bd -y -psecret -mhe=off data.7z app"));
  ASSERT_TRUE(dir.run("7z a -bd -y -psecret -mhe=on headers.7z app"));

  const Buffer data_enc = dir.read("data.7z");
  auto x = testing::expand(bytes_of(data_enc));
  // The empty file has no data stream to encrypt.
  EXPECT_EQ(x.names, std::vector<std::string>{"app/empty"});
  EXPECT_TRUE(x.has_note(false, "'app/a.txt' is encrypted; skipped")) << x.all_notes();

  // With the file list encrypted too there is nothing to list: one note for the archive.
  const Buffer header_enc = dir.read("headers.7z");
  EXPECT_EQ(scan::detect_container(bytes_of(header_enc)), ContainerKind::kArchive);
  x = testing::expand(bytes_of(header_enc));
  EXPECT_EQ(x.visited, 0u);
  ASSERT_EQ(x.notes.size(), 1u) << x.all_notes();
  EXPECT_EQ(x.notes[0].kind, scan::NoteKind::kMalformed);
}

TEST(ContainerTools, InfoZipWithPasswordIsNotedNotRead) {
  TempDir dir;
  std::map<std::string, std::string> expected;
  make_tree(dir, expected);
  ASSERT_TRUE(dir.run("zip -q -P secret enc.zip app/a.txt app/sub/b.bin"));
  const auto x = testing::expand(bytes_of(dir.read("enc.zip")));
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(false, "'app/a.txt' is encrypted")) << x.all_notes();
  EXPECT_TRUE(x.has_note(false, "'app/sub/b.bin' is encrypted")) << x.all_notes();
}

TEST(ContainerTools, GcabCabinet) {
  TempDir dir;
  std::map<std::string, std::string> expected;
  make_tree(dir, expected);
  ASSERT_TRUE(dir.run("gcab -c -z out.cab app/a.txt app/sub/b.bin app/empty"));
  const Buffer cab = dir.read("out.cab");
  ASSERT_EQ(scan::detect_container(bytes_of(cab)), ContainerKind::kArchive);
  EXPECT_TRUE(scan::archive_recognised(bytes_of(cab)));
  const auto x = testing::expand(bytes_of(cab));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  // Cabinets store '\'-separated paths; libarchive gives them back with '/'.
  EXPECT_TRUE(x.files == expected) << testing::summary(x.files);

  // As the overlay of an installer: recognised on its own bytes.
  Buffer installer = pe_stub();
  installer.insert(installer.end(), cab.begin(), cab.end());
  EXPECT_EQ(scan::detect_container(bytes_of(installer)), ContainerKind::kNone);
  EXPECT_TRUE(scan::archive_recognised(Bytes(installer).subspan(4096)));
}

// A zip self-extractor: a program with a zip appended and its offsets adjusted by `zip -A`.
TEST(ContainerTools, ZipSelfExtractor) {
  TempDir dir;
  std::map<std::string, std::string> expected;
  make_tree(dir, expected);
  const Buffer stub = pe_stub();
  dir.write("stub.exe", std::string(stub.begin(), stub.end()));
  ASSERT_TRUE(
      dir.run("zip -q -r -X payload.zip app && cat stub.exe payload.zip > sfx.exe && "
              "cp sfx.exe raw-sfx.exe && zip -q -A sfx.exe"));
  for (const char* name : {"sfx.exe", "raw-sfx.exe"}) {
    const Buffer sfx = dir.read(name);
    ASSERT_GT(sfx.size(), stub.size());
    EXPECT_EQ(scan::detect_container(bytes_of(sfx)), ContainerKind::kNone) << name;
    EXPECT_TRUE(scan::archive_recognised(bytes_of(sfx))) << name;
    const Bytes overlay = Bytes(sfx).subspan(stub.size());
    EXPECT_TRUE(scan::archive_recognised(overlay)) << name;
    const auto x = testing::expand(overlay);
    EXPECT_TRUE(x.notes.empty()) << name << ": " << x.all_notes();
    EXPECT_TRUE(x.files == expected) << name << ":\n" << testing::summary(x.files);
  }
}

}  // namespace
}  // namespace cascade
