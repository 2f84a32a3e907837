// The format table and its scan side: every format plugs in once, and a file goes to the entry
// of its format, by content, for the fixtures the set-up scripts generate.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "inspect/format_table.h"
#include "scan/container_formats.h"
#include "test_support.h"

namespace cascade {
namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer read_fixture(const std::string& name) {
  std::ifstream in(testing::fixture(name), std::ios::binary);
  Buffer data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_FALSE(data.empty()) << name << " is missing";
  return data;
}

Bytes view(const Buffer& data) {
  return Bytes(data.data(), data.size());
}

// A variant the Mach-O entry settles on; no probe of its own.
bool reported_by_another_entry(FileFormat format) {
  return format == FileFormat::kUnknown || format == FileFormat::kMachoFat;
}

TEST(FormatTable, EveryFormatIsRecognisedByExactlyOneProbe) {
  std::map<FileFormat, int> probes;
  for (const FormatEntry& entry : format_table()) {
    SCOPED_TRACE(file_format_name(entry.format));
    EXPECT_NE(entry.probe, nullptr);
    EXPECT_NE(entry.inspect, nullptr);
    ++probes[entry.format];
  }
  for (const scan::ContainerFormat& entry : scan::container_formats()) {
    SCOPED_TRACE(file_format_name(entry.format));
    EXPECT_NE(entry.payload, nullptr);
    EXPECT_NE(entry.expand, nullptr);
    if (entry.probe != nullptr) ++probes[entry.format];
  }
  for (FileFormat format : kAllFileFormats) {
    SCOPED_TRACE(file_format_name(format));
    EXPECT_EQ(probes[format], reported_by_another_entry(format) ? 0 : 1);
  }
}

TEST(FormatTable, ScanOpensEachContainerFormatOnce) {
  std::set<FileFormat> seen;
  for (const scan::ContainerFormat& entry : scan::container_formats()) {
    EXPECT_TRUE(seen.insert(entry.format).second) << file_format_name(entry.format);
  }
  EXPECT_EQ(seen, (std::set<FileFormat>{FileFormat::kPe, FileFormat::kMsi, FileFormat::kArchive,
                                        FileFormat::kAsar}));
}

TEST(FormatTable, NamesAreDistinctAndReadBack) {
  std::set<std::string_view> names;
  for (FileFormat format : kAllFileFormats) {
    EXPECT_TRUE(names.insert(file_format_name(format)).second) << file_format_name(format);
    EXPECT_EQ(file_format_from_name(file_format_name(format)), format);
  }
  EXPECT_EQ(file_format_name(FileFormat::kMachoFat), "macho-fat");
  EXPECT_EQ(file_format_from_name("PE"), std::nullopt);
  EXPECT_EQ(file_format_from_name(""), std::nullopt);
}

TEST(FormatTable, ProbesPickTheEntryOfEachGeneratedFile) {
  const std::map<std::string, FileFormat> files = {
      {"scan/release/helper.dll", FileFormat::kPe},
      {"elf/app", FileFormat::kElf},
      {"macho/fix-i386.o", FileFormat::kMacho},
      {"macho/hello-universal", FileFormat::kMacho},
      {"scan/release/ExamplePhone.msi", FileFormat::kMsi},
      {"trust/cat/sha256.cat", FileFormat::kCatalog},
  };
  for (const auto& [name, format] : files) {
    SCOPED_TRACE(name);
    const Buffer data = read_fixture(name);
    const FormatEntry* entry = find_format(view(data));
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->format, format);
  }
  for (const char* name : {"scan/release/notes.txt", "scan/release/app.zip"}) {
    EXPECT_EQ(find_format(view(read_fixture(name))), nullptr) << name;
  }
}

TEST(FormatTable, ScanFindsTheContainerOfEachInspectedFile) {
  InspectOptions options;
  options.trust = &testing::test_trust();
  options.now = 1800000000;
  struct Case {
    std::string name;
    FileFormat format;   // as scan reports it
    bool holds_entries;  // a payload to expand
  };
  const std::vector<Case> cases = {
      {"scan/release/app.zip", FileFormat::kArchive, true},
      {"scan/release/bundle.tar.gz", FileFormat::kArchive, true},
      {"scan/release/resources/app.asar", FileFormat::kAsar, true},
      {"scan/release/ExamplePhone.msi", FileFormat::kMsi, true},
      {"scan/release/helper.dll", FileFormat::kPe, false},  // no overlay: nothing inside
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Buffer data = read_fixture(c.name);
    FileReport report = inspect_bytes(c.name, view(data), options);
    const scan::ContainerFormat* container = scan::find_container_format(view(data), report);
    ASSERT_NE(container, nullptr);
    EXPECT_EQ(container->format, c.format);
    EXPECT_EQ(report.format, c.format);
    EXPECT_EQ(container->payload(view(data), report).has_value(), c.holds_entries);
  }
  for (const char* name : {"scan/release/notes.txt", "elf/app", "trust/cat/sha256.cat"}) {
    const Buffer data = read_fixture(name);
    FileReport report = inspect_bytes(name, view(data), options);
    const FileFormat before = report.format;
    EXPECT_EQ(scan::find_container_format(view(data), report), nullptr) << name;
    EXPECT_EQ(report.format, before) << name;
  }
}

}  // namespace
}  // namespace cascade
