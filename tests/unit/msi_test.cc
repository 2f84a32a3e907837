// MSI reading: the wixl-built fixtures (tests/fixtures/msi) through read_msi and expand_msi,
// and the name decoding rules on their own.
#include <algorithm>
#include <fstream>
#include <iterator>

#include "formats/msi/msi.h"
#include "formats/msi/msi_internal.h"
#include "scan/container/msi_expansion.h"
#include "test_support.h"

namespace cascade {
namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Buffer msi_fixture(const std::string& name) {
  Buffer b = read_all(testing::fixture("msi/" + name));
  EXPECT_FALSE(b.empty()) << name << " is missing";
  return b;
}

Bytes view(const Buffer& b) {
  return Bytes(b.data(), b.size());
}

struct Visited {
  std::string name;
  Buffer data;
};

std::vector<Visited> expand(const Buffer& file, const scan::ContainerLimits& limits,
                            scan::ContainerBudget& budget,
                            std::vector<scan::ContainerNote>& notes) {
  std::vector<Visited> out;
  const auto count = scan::expand_msi(
      view(file), limits, budget,
      [&](const scan::ContainerEntry& e) {
        out.push_back({e.name, Buffer(e.data.begin(), e.data.end())});
      },
      notes);
  EXPECT_EQ(count, out.size());
  return out;
}

TEST(Msi, ReadsTheProductAndItsStreams) {
  const Buffer file = msi_fixture("signed.msi");
  auto package = msi::read_msi(view(file));
  ASSERT_TRUE(package.ok()) << package.error().message;
  EXPECT_EQ(package->product_name, "Cascade Example App");
  EXPECT_EQ(package->product_version, "1.2.3");
  EXPECT_EQ(package->manufacturer, "Cascade Test");
  EXPECT_EQ(package->cabinets, std::vector<std::string>{"app.cab"});
  EXPECT_TRUE(package->has_signature);
  EXPECT_FALSE(package->has_signature_ex);
  EXPECT_EQ(package->signature_padding, 0U);
  EXPECT_TRUE(package->anomalies.empty()) << package->anomalies.front();
  std::map<std::string, std::uint64_t> streams;
  for (const auto& s : package->streams) streams[s.name] = s.size;
  EXPECT_EQ(streams.at("app.cab"), read_all(testing::fixture("msi/app.cab")).size());
  EXPECT_EQ(streams.at("Binary.helper"), read_all(testing::fixture("msi/Binary.helper")).size());
  for (const char* table : {"!_StringPool", "!_StringData", "!_Tables", "!_Columns", "!File",
                            "!Directory", "!Component", "!Media", "!Property"}) {
    EXPECT_TRUE(streams.contains(table)) << table;
  }
  EXPECT_TRUE(streams.contains("\x05SummaryInformation"));
  EXPECT_TRUE(
      streams.contains("\x05"
                       "DigitalSignature"));
}

TEST(Msi, ResolvesInstallPathsThroughTheDirectoryTable) {
  const Buffer file = msi_fixture("unsigned.msi");
  auto package = msi::read_msi(view(file));
  ASSERT_TRUE(package.ok()) << package.error().message;
  // TARGETDIR and ProgramFilesFolder are resolved at install time: paths start below them.
  // "README~1.TXT|ReadMe-Long-Name.txt" and "DOCUME~1|Documentation" take their long names.
  const std::map<std::string, std::string> expected = {
      {"ffmpeg.dll", "ExampleApp/ffmpeg.dll"},
      {"readme", "ExampleApp/Documentation/ReadMe-Long-Name.txt"}};
  EXPECT_EQ(package->install_names, expected);
  EXPECT_FALSE(package->has_signature);
}

TEST(Msi, DseAndPaddingAreSeen) {
  auto dse = msi::read_msi(view(msi_fixture("signed-dse.msi")));
  ASSERT_TRUE(dse.ok());
  EXPECT_TRUE(dse->has_signature_ex);
  auto padded = msi::read_msi(view(msi_fixture("padded.msi")));
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->signature_padding, 4096U);
}

TEST(Msi, Version4AndNestedStoragesRead) {
  auto v4 = msi::read_msi(view(msi_fixture("v4.msi")));
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->install_names.at("ffmpeg.dll"), "ExampleApp/ffmpeg.dll");
  auto storage = msi::read_msi(view(msi_fixture("storage.msi")));
  ASSERT_TRUE(storage.ok()) << storage.error().message;
  std::map<std::string, std::uint64_t> streams;
  for (const auto& s : storage->streams) streams[s.name] = s.size;
  EXPECT_EQ(streams.at("Nested/inner"), 5000U);
  EXPECT_EQ(streams.at("Nested/small"), 100U);
}

TEST(Msi, ExpandVisitsTheCabinetFirstThenOtherStreams) {
  const Buffer file = msi_fixture("signed.msi");
  scan::ContainerBudget budget;
  std::vector<scan::ContainerNote> notes;
  const auto visited = expand(file, scan::ContainerLimits{}, budget, notes);
  EXPECT_TRUE(notes.empty()) << notes.front().message;
  ASSERT_EQ(visited.size(), 2U);
  // The bytes msiinfo extracts.
  EXPECT_EQ(visited[0].name, "app.cab");
  EXPECT_EQ(visited[0].data, read_all(testing::fixture("msi/app.cab")));
  EXPECT_EQ(visited[1].name, "Binary.helper");
  EXPECT_EQ(visited[1].data, read_all(testing::fixture("msi/Binary.helper")));
  EXPECT_EQ(budget.entries, 2U);
  EXPECT_EQ(budget.expanded, visited[0].data.size() + visited[1].data.size());
}

TEST(Msi, ExpandRespectsTheCaps) {
  const Buffer file = msi_fixture("signed.msi");
  const auto cab_size = read_all(testing::fixture("msi/app.cab")).size();
  {
    scan::ContainerLimits limits;
    limits.max_entry_size = 1024;  // the cabinet is larger, the Binary stream is not
    scan::ContainerBudget budget;
    std::vector<scan::ContainerNote> notes;
    const auto visited = expand(file, limits, budget, notes);
    ASSERT_EQ(visited.size(), 1U);
    EXPECT_EQ(visited[0].name, "Binary.helper");
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_EQ(notes[0].kind, scan::NoteKind::kEntrySkipped);
  }
  {
    scan::ContainerLimits limits;
    limits.max_entries = 5;
    scan::ContainerBudget budget;
    budget.entries = 4;  // an earlier container already used most of the budget
    std::vector<scan::ContainerNote> notes;
    const auto visited = expand(file, limits, budget, notes);
    ASSERT_EQ(visited.size(), 1U);
    EXPECT_EQ(visited[0].name, "app.cab");
    EXPECT_EQ(budget.entries, 5U);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_EQ(notes[0].kind, scan::NoteKind::kIncomplete);
  }
  {
    scan::ContainerLimits limits;
    limits.max_total_size = cab_size + 1;
    scan::ContainerBudget budget;
    budget.expanded = 2;
    std::vector<scan::ContainerNote> notes;
    const auto visited = expand(file, limits, budget, notes);
    EXPECT_TRUE(visited.empty());
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_EQ(notes[0].kind, scan::NoteKind::kIncomplete);
    EXPECT_EQ(budget.expanded, 2U);
  }
}

TEST(Msi, ExpandNotesDamageAndNeverVisits) {
  for (const char* name : {"truncated.msi", "garbage.msi"}) {
    const Buffer file = msi_fixture(name);
    scan::ContainerBudget budget;
    std::vector<scan::ContainerNote> notes;
    EXPECT_TRUE(expand(file, scan::ContainerLimits{}, budget, notes).empty()) << name;
    ASSERT_EQ(notes.size(), 1U) << name;
    EXPECT_EQ(notes[0].kind, scan::NoteKind::kMalformed);
  }
}

TEST(Msi, LooksLikeOleByMagicOnly) {
  EXPECT_TRUE(msi::looks_like_ole(view(msi_fixture("garbage.msi"))));
  EXPECT_TRUE(msi::looks_like_ole(view(msi_fixture("plain.doc"))));
  const Buffer mz = {'M', 'Z', 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(msi::looks_like_ole(view(mz)));
  EXPECT_FALSE(msi::looks_like_ole(Bytes()));
}

TEST(Msi, PlainOleFileIsNotAnInstaller) {
  auto package = msi::read_msi(view(msi_fixture("plain.doc")));
  ASSERT_FALSE(package.ok());
  EXPECT_EQ(package.error().code, ErrorCode::kUnsupported);
}

TEST(MsiNames, DecodesTheCompressedAlphabet) {
  // 0x3800 + a + 64 * b packs the pair (a, b); 0x4800 + a a single character.
  auto pack = [](unsigned a, unsigned b) { return static_cast<char16_t>(0x3800 + a + 64 * b); };
  std::u16string raw;
  raw += pack(11, 36);                        // 'B' (11) then 'a' (36)
  raw += static_cast<char16_t>(0x4800 + 62);  // '.'
  raw += u'x';                                // outside the alphabet: kept as is
  auto n = msi::decode_stream_name(raw);
  EXPECT_FALSE(n.table);
  EXPECT_EQ(n.name, "Ba.x");
  raw.insert(raw.begin(), static_cast<char16_t>(0x4840));
  n = msi::decode_stream_name(raw);
  EXPECT_TRUE(n.table);
  EXPECT_EQ(msi::display_name(n), "!Ba.x");
  EXPECT_EQ(msi::decode_stream_name(u"\x05SummaryInformation").name, "\x05SummaryInformation");
  EXPECT_EQ(msi::decode_stream_name(std::u16string(1, pack(63, 9))).name, "_9");
}

TEST(MsiNames, LongNames) {
  EXPECT_EQ(msi::long_name("README~1.TXT|ReadMe-Long-Name.txt", false), "ReadMe-Long-Name.txt");
  EXPECT_EQ(msi::long_name("plain.txt", false), "plain.txt");
  EXPECT_EQ(msi::long_name("DOCUME~1|Documentation:SRC|Source", true), "Documentation");
  EXPECT_EQ(msi::long_name(".:Source", true), ".");
  EXPECT_EQ(msi::long_name("", true), "");
}

}  // namespace
}  // namespace cascade
