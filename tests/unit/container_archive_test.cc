// Every archive format scan expands, written in-process with libarchive's own writer (one tree,
// each format and filter): the reader lists the regular files with their exact bytes, skips
// directories and links, and passes nested archives through as plain entries.
#include <locale.h>

#include <algorithm>

#include "container_test_support.h"

namespace cascade {
namespace {

using scan::ContainerKind;
using testing::Buffer;
using testing::bytes_of;
using testing::dir;
using testing::expand;
using testing::file;
using testing::Member;
using testing::symlink_to;
using testing::write_archive;

std::string binary_blob() {
  std::string s;
  for (int i = 0; i < 3000; ++i) s.push_back(static_cast<char>((i * 131) ^ (i >> 3)));
  return s;
}

const std::vector<Member>& tree() {
  static const std::vector<Member> members = {
      dir("app"),
      file("app/main.js", "console.log('hello');\n"),
      file("app/data.bin", binary_blob()),
      symlink_to("app/current", "main.js"),
      dir("app/empty-dir"),
      file("app/empty.txt", ""),
      file("README", "read me\n"),
  };
  return members;
}

const std::map<std::string, std::string>& tree_files() {
  static const std::map<std::string, std::string> files = {
      {"app/main.js", "console.log('hello');\n"},
      {"app/data.bin", binary_blob()},
      {"app/empty.txt", ""},
      {"README", "read me\n"},
  };
  return files;
}

struct FormatCase {
  std::string label;
  std::string format;
  std::vector<std::string> filters;
};

class ContainerFormats : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ContainerFormats, ListsEveryRegularFileWithItsBytes) {
  const auto& p = GetParam();
  const Buffer data = write_archive(p.format, p.filters, tree());
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kArchive);
  EXPECT_TRUE(scan::archive_recognised(bytes_of(data)));

  const auto x = expand(bytes_of(data));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  EXPECT_TRUE(x.files == tree_files()) << "got:\n" << testing::summary(x.files);
  EXPECT_EQ(x.visited, tree_files().size());
  EXPECT_EQ(x.names.size(), tree_files().size()) << "a file was visited twice";
  // Every header counts against max_entries; expanded bytes are exactly the files' bytes.
  EXPECT_GE(x.budget.entries, x.visited);
  std::uint64_t bytes = 0;
  for (const auto& [name, content] : tree_files()) bytes += content.size();
  EXPECT_EQ(x.budget.expanded, bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Container, ContainerFormats,
    ::testing::Values(
        FormatCase{"zip", "zip", {}}, FormatCase{"7z", "7zip", {}}, FormatCase{"pax", "pax", {}},
        FormatCase{"ustar", "ustar", {}}, FormatCase{"gnutar", "gnutar", {}},
        FormatCase{"v7tar", "v7tar", {}}, FormatCase{"tar_gz", "pax", {"gzip"}},
        FormatCase{"tar_bz2", "pax", {"bzip2"}}, FormatCase{"tar_xz", "pax", {"xz"}},
        FormatCase{"tar_zst", "pax", {"zstd"}}, FormatCase{"tar_lzma", "pax", {"lzma"}},
        FormatCase{"tar_lz4", "pax", {"lz4"}}, FormatCase{"tar_lzip", "pax", {"lzip"}},
        FormatCase{"tar_Z", "ustar", {"compress"}}, FormatCase{"cpio_odc", "cpio", {}},
        FormatCase{"cpio_newc", "newc", {}}, FormatCase{"cpio_newc_gz", "newc", {"gzip"}},
        FormatCase{"iso9660", "iso9660", {}}, FormatCase{"xar", "xar", {}}),
    [](const ::testing::TestParamInfo<FormatCase>& param) { return param.param.label; });

TEST(ContainerArchive, ZipAndTarKeepStoredOrder) {
  const std::vector<Member> members = {file("z.txt", "1"), file("a.txt", "2"),
                                       file("m/b.txt", "3")};
  for (const char* format : {"zip", "pax"}) {
    const Buffer data = write_archive(format, {}, members);
    const auto x = expand(bytes_of(data));
    EXPECT_EQ(x.names, (std::vector<std::string>{"z.txt", "a.txt", "m/b.txt"})) << format;
  }
}

// ar holds only regular files with flat names; a .deb is an ar of two compressed tars, which are
// handed out whole (the engine recurses into them, not this reader).
TEST(ContainerArchive, DebianPackageIsAnArOfNestedArchives) {
  const Buffer control = write_archive("ustar", {"gzip"}, {file("./control", "Package: demo\n")});
  const Buffer payload = write_archive(
      "pax", {"xz"}, {dir("./usr/bin"), file("./usr/bin/demo", "#!/bin/sh\necho demo\n")});
  const std::string control_s(control.begin(), control.end());
  const std::string payload_s(payload.begin(), payload.end());
  const Buffer deb =
      write_archive("arsvr4", {},
                    {file("debian-binary", "2.0\n"), file("control.tar.gz", control_s),
                     file("data.tar.xz", payload_s)});
  ASSERT_EQ(scan::detect_container(bytes_of(deb)), ContainerKind::kArchive);
  const auto x = expand(bytes_of(deb));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  ASSERT_EQ(x.names, (std::vector<std::string>{"debian-binary", "control.tar.gz", "data.tar.xz"}));
  EXPECT_EQ(x.files.at("data.tar.xz"), payload_s);  // passed through, not expanded

  // ...and the engine's next level finds the payload in it.
  const auto& inner_s = x.files.at("data.tar.xz");
  const Bytes inner(reinterpret_cast<const std::uint8_t*>(inner_s.data()), inner_s.size());
  EXPECT_EQ(scan::detect_container(inner), ContainerKind::kArchive);
  const auto y = expand(inner);
  EXPECT_EQ(y.files,
            (std::map<std::string, std::string>{{"./usr/bin/demo", "#!/bin/sh\necho demo\n"}}));
}

TEST(ContainerArchive, NestedZipInsideZipIsOneEntry) {
  const Buffer inner = write_archive("zip", {}, {file("inner.txt", "deep")});
  const std::string inner_s(inner.begin(), inner.end());
  const Buffer outer = write_archive("zip", {}, {file("lib/inner.jar", inner_s), file("x", "y")});
  const auto x = expand(bytes_of(outer));
  EXPECT_EQ(x.names, (std::vector<std::string>{"lib/inner.jar", "x"}));
  EXPECT_EQ(x.files.at("lib/inner.jar"), inner_s);
}

// An RPM is a lead, a signature header and a header (skipped by libarchive's rpm filter) in
// front of a compressed cpio payload. Built by hand: libarchive does not write RPMs.
TEST(ContainerArchive, RpmPayloadIsListed) {
  Buffer rpm(96, 0);
  const std::uint8_t lead[] = {0xed, 0xab, 0xee, 0xdb, 3, 0, 0, 0};
  std::copy(std::begin(lead), std::end(lead), rpm.begin());
  const std::uint8_t empty_header[16] = {0x8e, 0xad, 0xe8, 0x01};  // no index entries, no data
  for (int i = 0; i < 2; ++i)
    rpm.insert(rpm.end(), std::begin(empty_header), std::end(empty_header));
  const Buffer payload =
      write_archive("newc", {"gzip"}, {file("./usr/share/doc/x/README", "rpm!")});
  rpm.insert(rpm.end(), payload.begin(), payload.end());

  ASSERT_EQ(scan::detect_container(bytes_of(rpm)), ContainerKind::kArchive);
  const auto x = expand(bytes_of(rpm));
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  EXPECT_EQ(x.files, (std::map<std::string, std::string>{{"./usr/share/doc/x/README", "rpm!"}}));
}

// A bare compressed file (no archive inside) is one stream worth expanding: libarchive's raw
// format names it "data".
TEST(ContainerArchive, BareCompressedStreamIsOneEntry) {
  const std::string text = "just some text, compressed on its own\n";
  for (const char* filter : {"gzip", "bzip2", "xz", "zstd", "lzip", "lz4"}) {
    const Buffer data = write_archive("raw", {filter}, {file("ignored", text)});
    ASSERT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kArchive) << filter;
    EXPECT_FALSE(scan::archive_recognised(bytes_of(data))) << filter << ": no archive format in it";
    const auto x = expand(bytes_of(data));
    EXPECT_TRUE(x.notes.empty()) << filter << ": " << x.all_notes();
    EXPECT_EQ(x.files, (std::map<std::string, std::string>{{"data", text}})) << filter;
  }
}

TEST(ContainerArchive, NamesComeOutAsStoredUtf8UnderTheCLocale) {
  // gtest never calls setlocale: this process runs in the C locale, where libarchive left to
  // itself would turn these names into '?'s.
  const std::string name = "donn\xc3\xa9\x65s/\xe6\x97\xa5\xe6\x9c\xac.txt";  // "données/日本.txt"
  for (const char* format : {"zip", "pax", "7zip", "xar"}) {
    const Buffer data = write_archive(format, {}, {file(name, "x")});
    bool locale_restored = true;
    std::vector<std::string> names;
    std::vector<scan::ContainerNote> notes;
    scan::ContainerBudget budget;
    scan::expand_container(
        ContainerKind::kArchive, bytes_of(data), {}, budget,
        [&](const scan::ContainerEntry& e) {
          names.push_back(e.name);
          // The visitor runs under the thread's own locale, not the reader's C.UTF-8.
          locale_restored = locale_restored && uselocale(nullptr) == LC_GLOBAL_LOCALE;
        },
        notes);
    EXPECT_EQ(names, std::vector<std::string>{name}) << format;
    EXPECT_TRUE(notes.empty()) << format << ": " << notes.front().message;
    EXPECT_TRUE(locale_restored) << format;
    EXPECT_EQ(uselocale(nullptr), LC_GLOBAL_LOCALE) << format;
  }
}

TEST(ContainerArchive, TarHardLinkIsNotASecondCopy) {
  // A hard link in a tar is a header naming its target, with no data of its own.
  Buffer data;
  {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    auto sink = [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
      auto* out = static_cast<Buffer*>(client);
      out->insert(out->end(), static_cast<const std::uint8_t*>(buf),
                  static_cast<const std::uint8_t*>(buf) + n);
      return static_cast<la_ssize_t>(n);
    };
    ASSERT_EQ(archive_write_open2(a, &data, nullptr, sink, nullptr, nullptr), ARCHIVE_OK);
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, "target");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, 4);
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    ASSERT_EQ(archive_write_data(a, "data", 4), 4);
    archive_entry_clear(e);
    archive_entry_set_pathname(e, "hardlink");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_hardlink(e, "target");
    archive_entry_set_size(e, 0);
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    archive_entry_free(e);
    archive_write_free(a);
  }
  const auto x = expand(bytes_of(data));
  EXPECT_EQ(x.names, std::vector<std::string>{"target"});
  EXPECT_EQ(x.budget.entries, 2u);
}

TEST(ContainerArchive, EmptyZipIsAnArchiveWithNoEntries) {
  const Buffer data = write_archive("zip", {}, {});
  EXPECT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kArchive);
  const auto x = expand(bytes_of(data));
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
}

TEST(ContainerArchive, BigEntryArrivesWhole) {
  // Many times the reader's chunk, so the buffer has to grow as data arrives; incompressible, so
  // the ratio cap stays out of it.
  std::string big(1'000'000, '\0');
  std::uint64_t state = 88172645463325252u;
  for (char& c : big) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    c = static_cast<char>(state);
  }
  for (const char* format : {"zip", "pax", "7zip"}) {
    const Buffer data = write_archive(format, {}, {file("big.bin", big), file("after", "!")});
    const auto x = expand(bytes_of(data));
    EXPECT_TRUE(x.notes.empty()) << format << ": " << x.all_notes();
    ASSERT_EQ(x.files.count("big.bin"), 1u) << format;
    EXPECT_TRUE(x.files.at("big.bin") == big) << format;
    EXPECT_EQ(x.files.count("after"), 1u) << format;
  }
}

}  // namespace
}  // namespace cascade
