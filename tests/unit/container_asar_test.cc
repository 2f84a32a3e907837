// Electron asar archives: one written by tests/fixtures/container/make-asar.js (node, laid out
// byte for byte as @electron/asar's `asar pack`), and hand-made ones for every way a hostile
// header can go wrong: offsets outside the data, overlapping entries (a bomb without
// compression), deep trees, bad JSON, broken pickle framing.
#include <algorithm>

#include "container_test_support.h"

namespace cascade {
namespace {

using scan::ContainerKind;
using scan::ContainerLimits;
using testing::Buffer;
using testing::bytes_of;
using testing::TempDir;

void put_u32(Buffer& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// The asar framing around `json`, then `data`: u32 4, u32 header pickle size, and the header
// pickle (u32 payload size, i32 string length, the string padded to 4 bytes).
Buffer make_asar(const std::string& json, const std::string& data) {
  const std::uint32_t padded = (static_cast<std::uint32_t>(json.size()) + 3) & ~3u;
  Buffer out;
  put_u32(out, 4);
  put_u32(out, 8 + padded);
  put_u32(out, 4 + padded);
  put_u32(out, static_cast<std::uint32_t>(json.size()));
  out.insert(out.end(), json.begin(), json.end());
  out.resize(out.size() + (padded - json.size()), 0);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

TEST(AsarReader, NodeGeneratedArchiveMatchesItsTree) {
  TempDir dir;
  const std::map<std::string, std::string> packed = {
      {"main.js", "require('./lib/util');\n"},
      {"lib/util.js", "module.exports = 42;\n"},
      {"lib/deep/er/data.json", "{\"k\": [1, 2, 3]}"},
      {"assets/empty", ""},
      {"caf\xc3\xa9.txt", "caf\xc3\xa9"},
  };
  for (const auto& [name, data] : packed) dir.write("app/" + name, data);
  dir.write("app/native/addon.node",
            "\x7f"
            "ELF native addon");
  ASSERT_TRUE(dir.run("ln -s main.js app/index.js && chmod +x app/main.js && node '" +
                      std::string(CASCADE_CONTAINER_FIXTURES) +
                      "/make-asar.js' app app.asar native/addon.node"));
  const Buffer asar = dir.read("app.asar");
  ASSERT_EQ(scan::detect_container(bytes_of(asar)), ContainerKind::kAsar);
  EXPECT_FALSE(scan::archive_recognised(bytes_of(asar)));

  const auto x = testing::expand(bytes_of(asar), ContainerKind::kAsar);
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  // The unpacked addon lives in app.asar.unpacked/ and the link has no bytes: neither is visited.
  EXPECT_TRUE(x.files == packed) << testing::summary(x.files);
  EXPECT_EQ(x.visited, packed.size());
  // Stored (sorted) order, as the header lists them.
  EXPECT_EQ(x.names, (std::vector<std::string>{"assets/empty", "caf\xc3\xa9.txt",
                                               "lib/deep/er/data.json", "lib/util.js", "main.js"}));
}

TEST(AsarReader, HandMadeTreeWithEveryNodeKind) {
  const std::string json =
      R"({"files":{"a.txt":{"size":3,"offset":"0"},)"
      R"("dir":{"files":{"b.js":{"size":5,"offset":"3","executable":true,)"
      R"("integrity":{"algorithm":"SHA256","hash":"x","blockSize":4194304,"blocks":["x"]}}}},)"
      R"("link":{"link":"a.txt"},"native.node":{"size":10,"unpacked":true},)"
      R"("numeric-offset":{"size":2,"offset":8}}})";
  const Buffer asar = make_asar(json, "abcHELLOzz");
  ASSERT_EQ(scan::detect_container(bytes_of(asar)), ContainerKind::kAsar);
  const auto x = testing::expand(bytes_of(asar), ContainerKind::kAsar);
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
  EXPECT_EQ(x.names, (std::vector<std::string>{"a.txt", "dir/b.js", "numeric-offset"}));
  EXPECT_EQ(x.files.at("a.txt"), "abc");
  EXPECT_EQ(x.files.at("dir/b.js"), "HELLO");
  EXPECT_EQ(x.files.at("numeric-offset"), "zz");
  EXPECT_EQ(x.budget.entries, 6u);  // a.txt, dir, dir/b.js, link, native.node, numeric-offset
}

TEST(AsarReader, BadEntriesAreNotedAndSkipped) {
  const std::string json = R"({"files":{"ok":{"size":2,"offset":"0"},)"
                           R"("past-end":{"size":5,"offset":"3"},)"
                           R"("huge-offset":{"size":1,"offset":"18446744073709551615"},)"
                           R"("not-a-number":{"size":1,"offset":"12abc"},)"
                           R"("negative":{"size":-1,"offset":"0"},)"
                           R"("float":{"size":1.5,"offset":"0"},)"
                           R"("no-size":{"offset":"0"},)"
                           R"("scalar":7,"array":[1,2],)"
                           R"("last":{"size":2,"offset":"2"}}})";
  const auto x = testing::expand(bytes_of(make_asar(json, "okLA")), ContainerKind::kAsar);
  EXPECT_EQ(x.names, (std::vector<std::string>{"ok", "last"}));
  EXPECT_TRUE(
      x.has_note(false, "'past-end' (offset 3, size 5) lies outside the archive's 4 data bytes"))
      << x.all_notes();
  EXPECT_TRUE(x.has_note(false, "'huge-offset' (offset 18446744073709551615")) << x.all_notes();
  for (const char* name : {"'not-a-number'", "'negative'", "'float'", "'no-size'"}) {
    EXPECT_TRUE(x.has_note(false, std::string(name) + " has no valid offset and size"))
        << x.all_notes();
  }
  EXPECT_TRUE(x.has_note(false, "'scalar' is not an object")) << x.all_notes();
  EXPECT_TRUE(x.has_note(false, "'array' is not an object")) << x.all_notes();
  for (const auto& n : x.notes) EXPECT_EQ(n.kind, scan::NoteKind::kMalformed) << n.message;
}

// Nothing is decompressed, but entries may overlap: 2000 entries over (nearly) the same 1 MiB
// would hand out 2 GiB. The ratio cap stops that like any bomb, and says so loudly.
TEST(AsarReader, OverlappingEntriesTripTheRatioCap) {
  std::string json = R"({"files":{)";
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) json += ',';
    json +=
        "\"f" + std::to_string(i) + R"(":{"size":1048576,"offset":")" + std::to_string(i) + "\"}";
  }
  json += "}}";
  const Buffer asar = make_asar(json, std::string((1 << 20) + 2000, 'x'));
  std::uint64_t visited = 0;
  scan::ContainerBudget budget;
  std::vector<scan::ContainerNote> notes;
  scan::expand_container(
      ContainerKind::kAsar, bytes_of(asar), {}, budget,
      [&](const scan::ContainerEntry& e) { visited += e.data.size() == (1u << 20) ? 1 : 0; },
      notes);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, scan::NoteKind::kIncomplete);
  EXPECT_NE(notes[0].message.find("decompression bomb"), std::string::npos) << notes[0].message;
  const double allowed = 250.0 * static_cast<double>(asar.size()) + (1 << 20);
  EXPECT_LE(static_cast<double>(budget.expanded), allowed + (1 << 20));
  EXPECT_GT(visited, 200u);
  EXPECT_LT(visited, 300u);
}

// 100,000 names for one range (this took 53 s before the ratio cap stopped it, and hid every
// name after): the range is handed out once as kShared and then as kRepeat for every other
// name, counted once, and nothing stops.
TEST(AsarReader, EntriesSharingOneRangeAreCountedOnceAndAllVisited) {
  constexpr int kNames = 100000;
  std::string json = R"({"files":{"first":{"size":65536,"offset":"0"},"own":{"size":4,)"
                     R"("offset":"65536"},"d":{"files":{)";
  for (int i = 0; i < kNames - 1; ++i) {
    if (i > 0) json += ',';
    json += "\"n" + std::to_string(i) + R"(":{"size":65536,"offset":"0"})";
  }
  json += "}}}}";
  const Buffer asar = make_asar(json, std::string(65536, 's') + "own!");
  std::uint64_t shared = 0;
  std::uint64_t repeats = 0;
  std::uint64_t unique = 0;
  const std::uint8_t* span = nullptr;
  scan::ContainerBudget budget;
  std::vector<scan::ContainerNote> notes;
  const auto visited = scan::expand_container(
      ContainerKind::kAsar, bytes_of(asar), {}, budget,
      [&](const scan::ContainerEntry& e) {
        switch (e.sharing) {
          case scan::EntrySharing::kShared:
            ++shared;
            EXPECT_EQ(e.name, "first");
            span = e.data.data();
            break;
          case scan::EntrySharing::kRepeat:
            ++repeats;
            EXPECT_EQ(e.data.data(), span) << e.name;
            EXPECT_EQ(e.data.size(), 65536u) << e.name;
            break;
          case scan::EntrySharing::kUnique:
            ++unique;
            EXPECT_EQ(e.name, "own");
            break;
        }
      },
      notes);
  EXPECT_TRUE(notes.empty()) << notes.front().message;
  EXPECT_EQ(visited, std::uint64_t{kNames} + 1);
  EXPECT_EQ(shared, 1u);
  EXPECT_EQ(repeats, std::uint64_t{kNames} - 1);
  EXPECT_EQ(unique, 1u);
  EXPECT_EQ(budget.expanded, 65536u + 4u);
}

TEST(AsarReader, EntryCountAndSizeCapsApply) {
  const std::string json =
      R"({"files":{"a":{"size":1,"offset":"0"},"big":{"size":100,"offset":"0"},)"
      R"("b":{"size":1,"offset":"1"},"c":{"size":1,"offset":"2"}}})";
  const Buffer asar = make_asar(json, std::string(100, 'x'));
  ContainerLimits limits;
  limits.max_entry_size = 10;
  limits.max_entries = 3;
  const auto x = testing::expand(bytes_of(asar), ContainerKind::kAsar, limits);
  EXPECT_EQ(x.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(x.has_note(true, "'big' is larger than the cap of 10 bytes")) << x.all_notes();
  EXPECT_TRUE(x.has_note(true, "cap of 3 entries")) << x.all_notes();
}

TEST(AsarReader, DeepTreeIsCutAtTheDepthCap) {
  std::string json = R"({"files":{"top":{"size":1,"offset":"0"})";
  std::string closing;
  for (int level = 0; level < 100; ++level) {
    json += R"(,"d":{"files":{"f":{"size":1,"offset":"0"})";
    closing += "}}";
  }
  json += closing + "}}";
  const auto x = testing::expand(bytes_of(make_asar(json, "x")), ContainerKind::kAsar);
  EXPECT_TRUE(x.has_note(true, "deeper than 64 levels")) << x.all_notes();
  // "top", then one "f" per level while its path has at most 64 components.
  ASSERT_EQ(x.visited, 64u);
  EXPECT_EQ(x.names[1], "d/f");
  EXPECT_EQ(std::count(x.names.back().begin(), x.names.back().end(), '/'), 63);
}

TEST(AsarReader, DeepJsonOutsideTheTreeIsHarmless) {
  // Nesting inside an ignored value (integrity, unknown keys) costs nothing: it is skipped.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string json = R"({"files":{"a":{"size":1,"offset":"0","extra":)" + deep + "}}}";
  const auto x = testing::expand(bytes_of(make_asar(json, "A")), ContainerKind::kAsar);
  EXPECT_EQ(x.names, std::vector<std::string>{"a"});
  EXPECT_TRUE(x.notes.empty()) << x.all_notes();
}

TEST(AsarReader, MalformedJsonKeepsWhatWasReadAndSaysWhy) {
  const std::string json = R"({"files":{"a":{"size":1,"offset":"0"},"b":{"size":1,"off)";
  const Buffer asar = make_asar(json, "AB");
  EXPECT_EQ(scan::detect_container(bytes_of(asar)), ContainerKind::kAsar);
  const auto x = testing::expand(bytes_of(asar), ContainerKind::kAsar);
  EXPECT_EQ(x.names, std::vector<std::string>{"a"});
  EXPECT_TRUE(x.has_note(false, "asar header is not valid JSON")) << x.all_notes();
}

TEST(AsarReader, HeaderWithoutAFilesTree) {
  const auto x = testing::expand(bytes_of(make_asar(R"({"files2":{}})", "")), ContainerKind::kAsar);
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(false, "no \"files\" tree")) << x.all_notes();
  const auto y = testing::expand(bytes_of(make_asar("[1,2]", "")), ContainerKind::kAsar);
  EXPECT_TRUE(y.has_note(false, "no \"files\" tree")) << y.all_notes();
  const auto z = testing::expand(bytes_of(make_asar("7", "")), ContainerKind::kAsar);
  EXPECT_TRUE(z.has_note(false, "not a JSON object")) << z.all_notes();
}

TEST(AsarReader, BrokenFramingIsNotAsar) {
  const std::string json = R"({"files":{"a":{"size":1,"offset":"0"}}})";
  const Buffer good = make_asar(json, "A");
  ASSERT_EQ(scan::detect_container(bytes_of(good)), ContainerKind::kAsar);

  auto broken = [&](auto&& edit) {
    Buffer b = good;
    edit(b);
    return b;
  };
  const std::vector<std::pair<std::string, Buffer>> cases = {
      {"first word not 4", broken([](Buffer& b) { b[0] = 8; })},
      {"header past the end", broken([](Buffer& b) { b[5] = 0x10; })},
      {"payload larger than the pickle", broken([](Buffer& b) { b[9] = 0x10; })},
      {"string longer than the payload", broken([](Buffer& b) { b[13] = 0x10; })},
      {"negative string length", broken([](Buffer& b) { b[15] = 0x80; })},
      {"too short", Buffer(good.begin(), good.begin() + 6)},
      {"JSON not starting with {\"files\"", make_asar(R"( {"files":{}})", "")},
  };
  for (const auto& [label, data] : cases) {
    EXPECT_EQ(scan::detect_container(bytes_of(data)), ContainerKind::kNone) << label;
    const auto x = testing::expand(bytes_of(data), ContainerKind::kAsar);
    EXPECT_EQ(x.visited, 0u) << label;
    if (label.rfind("JSON", 0) != 0) {
      EXPECT_TRUE(x.has_note(false, "not an asar archive")) << label << ": " << x.all_notes();
    }
  }
}

TEST(AsarReader, OversizedHeaderIsNotParsed) {
  // 65 MiB of header: over the 64 MiB cap (the buffer is real; the JSON is never parsed).
  const std::string json = R"({"files":{})" + std::string((65u << 20), ' ') + "}";
  const Buffer asar = make_asar(json, "");
  EXPECT_EQ(scan::detect_container(bytes_of(asar)), ContainerKind::kAsar);
  const auto x = testing::expand(bytes_of(asar), ContainerKind::kAsar);
  EXPECT_EQ(x.visited, 0u);
  EXPECT_TRUE(x.has_note(true, "over the cap of 67108864")) << x.all_notes();
}

// The data area is a second view of an asar: bytes no header entry covers are a hidden payload.
TEST(AsarReader, BytesNoEntryCoversAreScannedAndAmbiguous) {
  const std::string json = R"({"files":{"a":{"size":3,"offset":"0"},"b":{"size":2,"offset":"9"}}})";
  const auto x =
      testing::expand(bytes_of(make_asar(json, "abcHIDDENdeTAIL")), ContainerKind::kAsar);
  EXPECT_EQ(x.files.at("a"), "abc");
  EXPECT_EQ(x.files.at("b"), "de");
  EXPECT_EQ(x.files.at("[uncovered bytes 3-8]"), "HIDDEN");
  EXPECT_EQ(x.files.at("[uncovered bytes 11-14]"), "TAIL");
  std::size_t ambiguous = 0;
  for (const auto& n : x.notes) ambiguous += n.kind == scan::NoteKind::kAmbiguous ? 1 : 0;
  EXPECT_EQ(ambiguous, 2u) << x.all_notes();
  EXPECT_TRUE(
      x.has_note(scan::NoteKind::kAmbiguous, "6 bytes of the asar data area (offsets 3 to 8)"))
      << x.all_notes();
}

TEST(AsarReader, PayloadAppendedToAGenuineArchive) {
  TempDir dir;
  dir.write("app/main.js", "require('./lib');\n");
  dir.write("app/lib.js", "module.exports = 1;\n");
  ASSERT_TRUE(
      dir.run("node '" + std::string(CASCADE_CONTAINER_FIXTURES) + "/make-asar.js' app app.asar"));
  Buffer asar = dir.read("app.asar");
  const auto genuine = testing::expand(bytes_of(asar), ContainerKind::kAsar);
  EXPECT_TRUE(genuine.notes.empty()) << genuine.all_notes();
  const std::string payload = "MZ-MARKER-HIDDEN-PAYLOAD";
  asar.insert(asar.end(), payload.begin(), payload.end());
  const auto x = testing::expand(bytes_of(asar), ContainerKind::kAsar);
  ASSERT_EQ(x.visited, 3u) << testing::summary(x.files);
  EXPECT_EQ(x.files.at(x.names.back()), payload);
  ASSERT_EQ(x.notes.size(), 1u) << x.all_notes();
  EXPECT_EQ(x.notes[0].kind, scan::NoteKind::kAmbiguous);
}

TEST(AsarReader, RandomMutationsNeverCrash) {
  const std::string json =
      R"({"files":{"a":{"size":3,"offset":"0"},"d":{"files":{"b":{"size":2,"offset":"3"}}}}})";
  const Buffer good = make_asar(json, "abcde");
  std::uint32_t state = 2463534242u;
  for (int round = 0; round < 3000; ++round) {
    Buffer b = good;
    for (int k = 0; k < 1 + round % 4; ++k) {
      state ^= state << 13, state ^= state >> 17, state ^= state << 5;
      b[state % b.size()] = static_cast<std::uint8_t>(state >> 8);
    }
    (void)scan::detect_container(bytes_of(b));
    const auto x = testing::expand(bytes_of(b), ContainerKind::kAsar);
    for (const auto& [name, data] : x.files) EXPECT_LE(data.size(), 5u);
  }
}

}  // namespace
}  // namespace cascade
